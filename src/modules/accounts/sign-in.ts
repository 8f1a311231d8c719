import { randomUUID } from 'node:crypto'
import { STAFF_ROLES } from '../../platform/access/access.js'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid } from '../../platform/http/errors.js'
import { checkCode, CODE_MINUTES, issueCode, type CodeCheck } from './codes.js'
import type { AuthenticatorService } from './authenticator.js'
import type { Messenger } from './messenger.js'
import { verifyAgainstDecoy, verifyPassword } from './password.js'
import { clearFailedSignIns, findAccount, findAccountBySignInName, recordFailedSignIn, type Account } from './store.js'

/** Failed passwords allowed before each further one locks the account for a doubling time (2 s … 1 h). */
export const FREE_ATTEMPTS = 5

/**
 * One answer for every failure (unknown name, wrong password, locked account): the page never says
 * which accounts exist. The owner of a locked account is told by email.
 */
const REFUSED = new Invalid({ name: { key: 'signIn.errors.incorrect' } })

/**
 * What a passkey account may use when the passkey is not at hand: its authenticator app if it has one,
 * else an SMS code — but never SMS for staff, whose second factor must be an app or a passkey.
 */
export function passkeyFallback(account: Account): 'totp' | 'sms' | undefined {
  if (account.totp_secret) return 'totp'
  return STAFF_ROLES.includes(account.role) ? undefined : 'sms'
}

/** How the second-factor page asks: a passkey account is asked for its fallback code once it chose one. */
export function secondFactorChannel(account: Account, useCode: boolean): 'sms' | 'email' | 'totp' | 'passkey' {
  if (account.second_factor === 'passkey') return (useCode && passkeyFallback(account)) || 'passkey'
  return account.second_factor
}

export class SignInService {
  constructor(
    private readonly db: Db,
    private readonly messenger: Messenger,
    private readonly authenticator: AuthenticatorService,
  ) {}

  async checkPassword(name: string, password: string, context: RequestContext): Promise<Account> {
    if (!name.trim() || !password) {
      const fields: Invalid['fields'] = {}
      if (!name.trim()) fields.name = { key: 'signIn.errors.nameRequired' }
      if (!password) fields.password = { key: 'signIn.errors.passwordRequired' }
      throw new Invalid(fields)
    }
    const account = await findAccountBySignInName(this.db, name)
    if (!account) {
      await verifyAgainstDecoy(password)
      await audit(this.db, { action: 'sign-in.password', outcome: 'failure', details: { reason: 'unknown-name' } }, context)
      throw REFUSED
    }
    const locked = account.locked_until && account.locked_until.getTime() > Date.now()
    const matches = await verifyPassword(account.password_hash, password)
    // A deactivated account (switched off by its agency's admin) gets the same answer as a wrong password.
    if (matches && account.deactivated_at) {
      await audit(this.db, { action: 'sign-in.password', outcome: 'denied', actorId: account.id, subjectType: 'account', subjectId: account.id, details: { reason: 'deactivated' } }, context)
      throw REFUSED
    }
    if (locked || !matches) {
      const reason = locked ? 'locked' : 'wrong-password'
      await audit(this.db, { action: 'sign-in.password', outcome: 'failure', actorId: account.id, subjectType: 'account', subjectId: account.id, details: { reason } }, context)
      if (!locked) {
        const updated = await recordFailedSignIn(this.db, account.id, FREE_ATTEMPTS)
        if (updated.failed_sign_ins === FREE_ATTEMPTS + 1) await warnOfLock(this.db, this.messenger, updated)
      }
      throw REFUSED
    }
    return account
  }

  /**
   * After a correct password: the attempt is recorded, the half-signed-in session starts and the code
   * goes out, all in one transaction. One commit instead of four is most of what a sign-in costs the
   * database, and there is never a session without its code or a code without its session.
   */
  async beginSecondFactor(account: Account, context: RequestContext, startSession: (executor: Db) => Promise<void>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (account.failed_sign_ins > 0 || account.locked_until) await clearFailedSignIns(trx, account.id)
      await audit(trx, { action: 'sign-in.password', outcome: 'success', actorId: account.id, subjectType: 'account', subjectId: account.id }, context)
      await startSession(trx)
      await this.sendCode(account, false, trx)
    })
  }

  /**
   * Sends a sign-in code by the account's channel (SMS unless they chose email); an app or a passkey
   * needs none. `fallback`: a passkey account asked for a code instead (SMS, unless it has an app).
   */
  async sendCode(account: Account, fallback = false, executor?: Db): Promise<'sms' | 'email' | 'totp' | 'passkey'> {
    if (account.second_factor === 'totp') return 'totp'
    if (account.second_factor === 'passkey') {
      const other = fallback ? passkeyFallback(account) : undefined
      if (other !== 'sms') return other ?? 'passkey'
    }
    const channel = account.second_factor === 'email' ? 'email' : 'sms'
    const send = async (trx: Db) => {
      const code = await issueCode(trx, account.id, 'sign-in', channel)
      await this.messenger.send(trx, {
        key: `sign-in-code:${randomUUID()}`,
        channel,
        to: channel === 'email' ? account.email : account.phone,
        language: account.language,
        template: 'sign-in-code',
        params: { code, minutes: CODE_MINUTES },
      })
    }
    await (executor ? send(executor) : this.db.transaction().execute(send))
    return channel
  }

  async checkCode(accountId: string, code: string, context: RequestContext): Promise<CodeCheck> {
    const account = await findAccount(this.db, accountId)
    let result: CodeCheck
    // A passkey account types a code only as its fallback: an app code, or an SMS code (never for staff).
    const fallback = account?.second_factor === 'passkey' ? (passkeyFallback(account) ?? 'none') : undefined
    if (account && (account.second_factor === 'totp' || fallback === 'totp')) {
      result = (await this.authenticator.verify(accountId, code)) ? 'ok' : 'wrong'
      // Wrong app codes count like wrong passwords: the same growing lock stops guessing.
      if (result === 'wrong') {
        const updated = await recordFailedSignIn(this.db, accountId, FREE_ATTEMPTS)
        if (updated.locked_until && updated.locked_until.getTime() > Date.now()) result = 'too-many'
      } else if (account.failed_sign_ins > 0) await clearFailedSignIns(this.db, accountId)
    } else if (fallback === 'none') {
      result = 'wrong'
    } else {
      result = /^\s*\d{3}\s?\d{3}\s*$/.test(code) ? await checkCode(this.db, accountId, 'sign-in', code) : 'wrong'
    }
    await audit(
      this.db,
      { action: 'sign-in.second-factor', outcome: result === 'ok' ? 'success' : 'failure', actorId: accountId, subjectType: 'account', subjectId: accountId, details: { result } },
      context,
    )
    return result
  }

  findAccount(id: string): Promise<Account | undefined> {
    return findAccount(this.db, id)
  }

}

/** Tells the owner their account is locked; the key makes it once a lock, whichever page caused it. */
export async function warnOfLock(db: Db, messenger: Messenger, account: Account): Promise<void> {
  await messenger.send(db, {
    key: `account-locked:${account.id}:${account.locked_until?.toISOString()}`,
    channel: 'email',
    to: account.email,
    language: account.language,
    template: 'account-locked',
    params: { name: account.first_name },
    inbox: { accountId: account.id, event: `account-locked:${account.id}:${account.locked_until?.toISOString()}` },
  })
}
