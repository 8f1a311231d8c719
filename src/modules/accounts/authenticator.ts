import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { sql } from 'kysely'
import { authenticator } from 'otplib'
import QRCode from 'qrcode'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { findAccount } from './store.js'

const STEP_SECONDS = 30
const RECOVERY_CODES = 10
// One step either side: phones' clocks drift.
authenticator.options = { window: 1, step: STEP_SECONDS }

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** Recovery codes as people copy them: no spaces or dashes, one case. */
function normaliseRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase()
}

export interface Enrolment {
  secret: string
  /** Server-rendered SVG: the page needs no script to show it. */
  qrSvg: string
}

/** TOTP authenticator apps (RFC 6238), with recovery codes for a lost phone. */
export class AuthenticatorService {
  constructor(
    private readonly db: Db,
    private readonly issuer: string,
  ) {}

  /** The secret being set up (kept until confirmed), and its QR code. */
  async enrolment(accountId: string): Promise<Enrolment> {
    const account = await findAccount(this.db, accountId)
    if (!account) throw new Error('no such account')
    let secret = account.totp_pending_secret
    if (!secret) {
      secret = authenticator.generateSecret(20)
      await this.db.updateTable('accounts').set({ totp_pending_secret: secret }).where('id', '=', accountId).execute()
    }
    const uri = authenticator.keyuri(account.email, this.issuer, secret)
    return { secret, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) }
  }

  /**
   * Confirms the app with a code from it, makes it the second factor, and returns fresh recovery codes
   * (shown once); undefined when the code is wrong.
   */
  async confirm(accountId: string, code: string, context: RequestContext): Promise<string[] | undefined> {
    const account = await findAccount(this.db, accountId)
    const secret = account?.totp_pending_secret
    if (!account || !secret || !authenticator.check(code.replace(/\s/g, ''), secret)) return undefined
    const codes = Array.from({ length: RECOVERY_CODES }, () => randomBytes(5).toString('hex'))
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('accounts')
        .set({ totp_secret: secret, totp_pending_secret: null, second_factor: 'totp', totp_last_step: null })
        .where('id', '=', accountId)
        .execute()
      await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute()
      await trx
        .insertInto('recovery_codes')
        .values(codes.map((c) => ({ account_id: accountId, code_hash: digest(`${accountId}:${c}`) })))
        .execute()
      await audit(trx, { action: 'second-factor.change', outcome: 'success', actorId: accountId, subjectType: 'account', subjectId: accountId, details: { method: 'totp' } }, context)
    })
    return codes.map((c) => `${c.slice(0, 5)}-${c.slice(5)}`)
  }

  /** A code from the app (each step accepted once) or an unused recovery code. */
  async verify(accountId: string, code: string): Promise<boolean> {
    const account = await findAccount(this.db, accountId)
    if (!account?.totp_secret) return false
    const token = code.replace(/\s/g, '')
    if (/^\d{6}$/.test(token)) {
      const delta = authenticator.checkDelta(token, account.totp_secret)
      if (delta === null) return false
      const step = Math.floor(Date.now() / 1000 / STEP_SECONDS) + delta
      // Only a step later than the last one used: a replayed code changes no row.
      const updated = await this.db
        .updateTable('accounts')
        .set({ totp_last_step: step })
        .where('id', '=', accountId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
        .executeTakeFirst()
      return updated.numUpdatedRows === 1n
    }
    const wanted = Buffer.from(digest(`${accountId}:${normaliseRecoveryCode(code)}`))
    const open = await this.db.selectFrom('recovery_codes').select(['id', 'code_hash']).where('account_id', '=', accountId).where('used_at', 'is', null).execute()
    const match = open.find((row) => timingSafeEqual(Buffer.from(row.code_hash), wanted))
    if (!match) return false
    const used = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: sql<Date>`now()` })
      .where('id', '=', match.id)
      .where('used_at', 'is', null)
      .executeTakeFirst()
    return used.numUpdatedRows === 1n
  }
}
