import { randomUUID } from 'node:crypto'
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
    if (locked || !matches) {
      const reason = locked ? 'locked' : 'wrong-password'
      await audit(this.db, { action: 'sign-in.password', outcome: 'failure', actorId: account.id, subjectType: 'account', subjectId: account.id, details: { reason } }, context)
      if (!locked) {
        const updated = await recordFailedSignIn(this.db, account.id, FREE_ATTEMPTS)
        if (updated.failed_sign_ins === FREE_ATTEMPTS + 1) await this.#warnOfLock(updated)
      }
      throw REFUSED
    }
    if (account.failed_sign_ins > 0 || account.locked_until) await clearFailedSignIns(this.db, account.id)
    await audit(this.db, { action: 'sign-in.password', outcome: 'success', actorId: account.id, subjectType: 'account', subjectId: account.id }, context)
    return account
  }

  /** Sends a sign-in code by the account's channel (SMS unless they chose email); an app needs none. */
  async sendCode(account: Account): Promise<'sms' | 'email' | 'totp'> {
    if (account.second_factor === 'totp') return 'totp'
    const channel = account.second_factor === 'email' ? 'email' : 'sms'
    await this.db.transaction().execute(async (trx) => {
      const code = await issueCode(trx, account.id, 'sign-in', channel)
      await this.messenger.send(trx, {
        key: `sign-in-code:${randomUUID()}`,
        channel,
        to: channel === 'email' ? account.email : account.phone,
        language: account.language,
        template: 'sign-in-code',
        params: { code, minutes: CODE_MINUTES },
      })
    })
    return channel
  }

  async checkCode(accountId: string, code: string, context: RequestContext): Promise<CodeCheck> {
    const account = await findAccount(this.db, accountId)
    let result: CodeCheck
    if (account?.second_factor === 'totp') {
      result = (await this.authenticator.verify(accountId, code)) ? 'ok' : 'wrong'
      // Wrong app codes count like wrong passwords: the same growing lock stops guessing.
      if (result === 'wrong') {
        const updated = await recordFailedSignIn(this.db, accountId, FREE_ATTEMPTS)
        if (updated.locked_until && updated.locked_until.getTime() > Date.now()) result = 'too-many'
      } else if (account.failed_sign_ins > 0) await clearFailedSignIns(this.db, accountId)
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

  async #warnOfLock(account: Account): Promise<void> {
    await this.messenger.send(this.db, {
      key: `account-locked:${account.id}:${account.locked_until?.toISOString()}`,
      channel: 'email',
      to: account.email,
      language: account.language,
      template: 'account-locked',
      params: { name: account.first_name },
    })
  }
}
