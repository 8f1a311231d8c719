import { randomUUID } from 'node:crypto'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid } from '../../platform/http/errors.js'
import { revokeAccountSessions } from '../../platform/sessions/store.js'
import { issueLinkToken, LINK_MINUTES, linkTokenStatus, useLinkToken, type LinkStatus } from './codes.js'
import type { Messenger } from './messenger.js'
import { hashPassword, passwordProblem, verifyAgainstDecoy } from './password.js'
import { findAccount, findAccountBySignInName, setPassword } from './store.js'

/**
 * "Forgotten your password": an emailed single-use link (30 minutes) leads to a new password. It ends
 * every session and does not sign the person in: they sign in again, second factor and all.
 */
export class PasswordResetService {
  constructor(
    private readonly db: Db,
    private readonly messenger: Messenger,
    private readonly publicUrl: string,
  ) {}

  /** Sends a link when the address has an account; the caller shows the same page either way. */
  async request(email: string, context: RequestContext): Promise<void> {
    const address = email.trim()
    if (!address.includes('@')) throw new Invalid({ email: { key: 'register.errors.email' } })
    const account = await findAccountBySignInName(this.db, address)
    if (!account || account.email.toLowerCase() !== address.toLowerCase()) {
      // Spend about what hashing and sending would, so timing does not reveal the answer either.
      await verifyAgainstDecoy(address)
      return
    }
    await this.db.transaction().execute(async (trx) => {
      const token = await issueLinkToken(trx, account.id, 'reset-password')
      await this.messenger.send(trx, {
        key: `password-reset:${randomUUID()}`,
        channel: 'email',
        to: account.email,
        language: account.language,
        template: 'password-reset',
        params: { link: `${this.publicUrl}/password/reset/${token}`, minutes: LINK_MINUTES['reset-password'] },
      })
      await audit(trx, { action: 'password.reset-requested', outcome: 'success', subjectType: 'account', subjectId: account.id }, context)
    })
  }

  async status(token: string): Promise<LinkStatus['status']> {
    return (await linkTokenStatus(this.db, token, 'reset-password')).status
  }

  async reset(token: string, password: string, context: RequestContext): Promise<LinkStatus['status']> {
    const link = await linkTokenStatus(this.db, token, 'reset-password')
    if (link.status !== 'ok') return link.status
    const found = await findAccount(this.db, link.accountId)
    const weak = passwordProblem(password, found ? [found.email, found.id_number ?? ''] : [])
    if (weak) throw new Invalid({ password: weak })
    const passwordHash = await hashPassword(password)
    return this.db.transaction().execute(async (trx) => {
      const used = await useLinkToken(trx, token, 'reset-password')
      if (used.status !== 'ok') return used.status
      const account = await setPassword(trx, used.accountId, passwordHash)
      await revokeAccountSessions(trx, account.id)
      const event = randomUUID()
      for (const channel of ['email', 'sms'] as const) {
        await this.messenger.send(trx, {
          key: `password-changed:${channel}:${event}`,
          channel,
          to: channel === 'email' ? account.email : account.phone,
          language: account.language,
          template: 'password-changed',
          params: {},
          inbox: { accountId: account.id, event: `password-changed:${event}` },
        })
      }
      await audit(trx, { action: 'password.reset', outcome: 'success', actorId: account.id, subjectType: 'account', subjectId: account.id }, context)
      return 'ok' as const
    })
  }
}
