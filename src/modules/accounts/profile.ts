import { randomUUID } from 'node:crypto'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid, type FieldError } from '../../platform/http/errors.js'
import type { Language } from '../../platform/i18n/i18n.js'
import { markReauthenticated, revokeAccountSessions, type SessionRecord } from '../../platform/sessions/store.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { checkCode, CODE_MINUTES, issueCode, issueLinkToken, LINK_MINUTES, useLinkToken, type CodeCheck, type LinkStatus } from './codes.js'
import type { Messenger } from './messenger.js'
import { hashPassword, passwordProblem } from './password.js'
import { applyPendingEmail, applyPendingPhone, contactTaken, setLanguage, setPendingContact } from './profile-store.js'
import { checkOwnPassword, ownPasswordError } from './reauthentication.js'
import { findAccount, setPassword, type Account } from './store.js'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const CODE = /^\s*\d{3}\s?\d{3}\s*$/

export type EmailChangeStatus = LinkStatus['status'] | 'taken'
export type PhoneChangeCheck = CodeCheck | 'taken'

/**
 * The person's own contact details, password and language. A new email or phone is held as pending
 * and only replaces the current one once its link or code comes back, so a typo never locks anyone out.
 * A value that belongs to another account is treated like any other on the page (the same "check your
 * email" or "enter the code" step), but its owner gets a notice instead of a link or code: like
 * registration, this never reveals which details have an account, and the change can never complete.
 */
export class ProfileService {
  constructor(
    private readonly db: Db,
    private readonly messenger: Messenger,
    private readonly publicUrl: string,
  ) {}

  async account(accountId: string): Promise<Account> {
    const account = await findAccount(this.db, accountId)
    if (!account) throw new Error('signed-in account not found')
    return account
  }

  async requestEmailChange(accountId: string, typed: string, context: RequestContext): Promise<string> {
    const email = typed.trim()
    if (!EMAIL.test(email) || email.length > 254) throw new Invalid({ email: { key: 'register.errors.email' } })
    const account = await this.account(accountId)
    if (email.toLowerCase() === account.email.toLowerCase()) throw new Invalid({ email: { key: 'profile.errors.sameEmail' } })
    const taken = await contactTaken(this.db, accountId, { email })
    await this.db.transaction().execute(async (trx) => {
      await setPendingContact(trx, accountId, { pending_email: email })
      const token = await issueLinkToken(trx, accountId, 'change-email')
      await this.#send(trx, account, 'email', email, taken ? 'contact-in-use' : 'email-change-link', taken ? {} : { link: `${this.publicUrl}/account/email/confirm/${token}`, minutes: LINK_MINUTES['change-email'] })
      await this.#send(trx, account, 'email', account.email, 'email-change-requested', { name: account.first_name }, randomUUID(), true)
      await audit(trx, { action: 'account.email-change-requested', outcome: 'success', actorId: accountId, subjectType: 'account', subjectId: accountId }, context)
    })
    return email
  }

  /** Opened from the new address, perhaps on another device: the token alone proves the address. */
  async confirmEmailChange(token: string, context: RequestContext): Promise<EmailChangeStatus> {
    return this.db.transaction().execute(async (trx) => {
      const link = await useLinkToken(trx, token, 'change-email')
      if (link.status !== 'ok') return link.status
      const pending = (await findAccount(trx, link.accountId))?.pending_email
      if (!pending) return 'used'
      if (await contactTaken(trx, link.accountId, { email: pending })) {
        await trx.updateTable('accounts').set({ pending_email: null }).where('id', '=', link.accountId).execute()
        await audit(trx, { action: 'account.email-change', outcome: 'denied', actorId: link.accountId, subjectType: 'account', subjectId: link.accountId, details: { reason: 'taken' } }, context)
        return 'taken'
      }
      const changed = await applyPendingEmail(trx, link.accountId)
      if (!changed) return 'used'
      await this.#send(trx, changed.after, 'email', changed.before.email, 'email-changed', {}, randomUUID(), true)
      await audit(trx, { action: 'account.email-change', outcome: 'success', actorId: link.accountId, subjectType: 'account', subjectId: link.accountId }, context)
      return 'ok'
    })
  }

  /** Returns the new number in E.164; the code goes to it by SMS. */
  async requestPhoneChange(accountId: string, typed: string, context: RequestContext): Promise<string> {
    const phone = toE164(typed)
    if (!phone) throw new Invalid({ phone: { key: 'register.errors.phone' } })
    const account = await this.account(accountId)
    if (phone === account.phone) throw new Invalid({ phone: { key: 'profile.errors.samePhone' } })
    const taken = await contactTaken(this.db, accountId, { phone })
    await this.db.transaction().execute(async (trx) => {
      await setPendingContact(trx, accountId, { pending_phone: phone })
      const code = await issueCode(trx, accountId, 'change-phone', 'sms')
      await this.#send(trx, account, 'sms', phone, taken ? 'contact-in-use' : 'phone-change-code', taken ? {} : { code, minutes: CODE_MINUTES })
      await audit(trx, { action: 'account.phone-change-requested', outcome: 'success', actorId: accountId, subjectType: 'account', subjectId: accountId }, context)
    })
    return phone
  }

  /** A new code to the pending number (the old one stops working); false when nothing is pending. */
  async resendPhoneCode(accountId: string, context: RequestContext): Promise<boolean> {
    const account = await this.account(accountId)
    if (!account.pending_phone) return false
    await this.requestPhoneChange(accountId, account.pending_phone, context)
    return true
  }

  async confirmPhoneChange(accountId: string, code: string, context: RequestContext): Promise<PhoneChangeCheck> {
    const result = CODE.test(code) ? await checkCode(this.db, accountId, 'change-phone', code) : 'wrong'
    if (result !== 'ok') {
      await audit(this.db, { action: 'account.phone-change', outcome: 'failure', actorId: accountId, subjectType: 'account', subjectId: accountId, details: { result } }, context)
      return result
    }
    return this.db.transaction().execute(async (trx) => {
      const pending = (await findAccount(trx, accountId))?.pending_phone
      if (!pending) return 'used'
      if (await contactTaken(trx, accountId, { phone: pending })) {
        await trx.updateTable('accounts').set({ pending_phone: null }).where('id', '=', accountId).execute()
        await audit(trx, { action: 'account.phone-change', outcome: 'denied', actorId: accountId, subjectType: 'account', subjectId: accountId, details: { reason: 'taken' } }, context)
        return 'taken'
      }
      const changed = await applyPendingPhone(trx, accountId)
      if (!changed) return 'used'
      await this.#send(trx, changed.after, 'sms', changed.before.phone, 'phone-changed', {}, randomUUID(), true)
      await audit(trx, { action: 'account.phone-change', outcome: 'success', actorId: accountId, subjectType: 'account', subjectId: accountId }, context)
      return 'ok'
    })
  }

  /**
   * The current password is the re-authentication here. Every other session ends (whoever else was
   * signed in is signed out); this one stays, and the person is told by email and SMS.
   */
  async changePassword(session: SessionRecord, current: string, next: string, context: RequestContext): Promise<void> {
    const account = await this.account(session.accountId)
    const errors: Record<string, FieldError> = {}
    if (!current) errors.currentPassword = { key: 'signIn.errors.passwordRequired' }
    else {
      const check = await checkOwnPassword(this.db, this.messenger, account.id, current, context)
      if (check !== 'ok') Object.assign(errors, ownPasswordError('currentPassword', check).fields)
    }
    const weak = passwordProblem(next, [account.email, account.id_number ?? ''])
    if (weak) errors.newPassword = weak
    if (Object.keys(errors).length) throw new Invalid(errors)
    const passwordHash = await hashPassword(next)
    await this.db.transaction().execute(async (trx) => {
      await setPassword(trx, account.id, passwordHash)
      await revokeAccountSessions(trx, account.id, session.tokenHash)
      await markReauthenticated(trx, session.tokenHash)
      const event = randomUUID()
      await this.#send(trx, account, 'email', account.email, 'password-changed', {}, event, true)
      await this.#send(trx, account, 'sms', account.phone, 'password-changed', {}, event, true)
      await audit(trx, { action: 'account.password-change', outcome: 'success', actorId: account.id, subjectType: 'account', subjectId: account.id }, context)
    })
  }

  async setLanguage(accountId: string, language: Language, context: RequestContext): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await setLanguage(trx, accountId, language)
      await audit(trx, { action: 'account.language-change', outcome: 'success', actorId: accountId, subjectType: 'account', subjectId: accountId, details: { language } }, context)
    })
  }

  /**
   * Every message here is about one event: a fresh key each time, in the account's language. `filed`
   * messages (no secret in them, sent about the account's own addresses) also go in the inbox.
   */
  async #send(trx: Db, account: Account, channel: 'sms' | 'email', to: string, template: string, params: Record<string, string | number>, id = randomUUID(), filed = false): Promise<void> {
    const inbox = filed ? { accountId: account.id, event: `${template}:${id}` } : undefined
    await this.messenger.send(trx, { key: `${template}:${channel}:${id}`, channel, to, language: account.language, template, params, inbox })
  }
}
