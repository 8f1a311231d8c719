import { randomUUID } from 'node:crypto'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid, type FieldError } from '../../platform/http/errors.js'
import type { Language } from '../../platform/i18n/i18n.js'
import { isCountryCode } from '../../platform/i18n/countries.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { cleanIdentifier, type PopulationRegistry } from '../registry/registry.js'
import { issueCode, issueLinkToken } from './codes.js'
import type { Messenger } from './messenger.js'
import { hashPassword, passwordProblem } from './password.js'
import { insertAccount, takenIdentifiers, type Account } from './store.js'

/** Who the person proved to be on the first page: carried (signed) to the second. */
export type ProvenIdentity =
  | { kind: 'citizen' | 'resident'; idNumber: string; firstName: string; lastName: string }
  /** Visitors are not in the population register: their passport is checked at the border, not here. */
  | { kind: 'visitor'; passportNumber: string; nationality: string; firstName: string; lastName: string }

export interface VisitorForm {
  passportNumber: string
  nationality: string
  firstName: string
  lastName: string
}

export interface IdentityForm {
  kind: string
  idNumber: string
  firstName: string
  yearOfBirth: string
}

export interface DetailsForm {
  email: string
  phone: string
  password: string
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export class RegistrationService {
  constructor(
    private readonly db: Db,
    private readonly registry: PopulationRegistry,
    private readonly messenger: Messenger,
    private readonly publicUrl: string,
  ) {}

  /** Checks the claim against the population register; one message for every mismatch. */
  async proveIdentity(form: IdentityForm): Promise<ProvenIdentity> {
    const errors: Record<string, FieldError> = {}
    if (form.kind !== 'citizen' && form.kind !== 'resident') errors.kind = { key: 'register.errors.kind' }
    if (!/^\d{6,9}$/.test(form.idNumber.replace(/\s/g, ''))) errors.idNumber = { key: 'register.errors.idNumber' }
    if (!form.firstName.trim()) errors.firstName = { key: 'register.errors.firstName' }
    const year = Number(form.yearOfBirth)
    if (!/^\d{4}$/.test(form.yearOfBirth.trim()) || year < 1900 || year > new Date().getFullYear()) {
      errors.yearOfBirth = { key: 'register.errors.yearOfBirth' }
    }
    if (Object.keys(errors).length) throw new Invalid(errors)
    const person = await this.registry.matchIdentity({ idNumber: form.idNumber, firstName: form.firstName, yearOfBirth: year })
    const kindMatches = person && (form.kind === 'resident' ? person.kind === 'resident' : person.kind === 'citizen')
    if (!person || !kindMatches || !person.idNumber) throw new Invalid({ idNumber: { key: 'register.errors.noMatch' } })
    return { kind: form.kind as 'citizen' | 'resident', idNumber: person.idNumber, firstName: person.firstName, lastName: person.lastName }
  }

  /** A visitor's passport details: checked for form only (the register holds no foreign passports). */
  proveVisitor(form: VisitorForm): ProvenIdentity {
    const errors: Record<string, FieldError> = {}
    const passportNumber = cleanIdentifier(form.passportNumber)
    if (!/^[A-Z0-9]{6,12}$/.test(passportNumber)) errors.passportNumber = { key: 'register.errors.passportNumber' }
    if (!isCountryCode(form.nationality)) errors.nationality = { key: 'register.errors.nationality' }
    // Kenyans register with their national ID, which the register can confirm.
    else if (form.nationality === 'KE') errors.nationality = { key: 'register.errors.kenyanVisitor' }
    const firstName = form.firstName.trim().replace(/\s+/g, ' ')
    const lastName = form.lastName.trim().replace(/\s+/g, ' ')
    if (!firstName || firstName.length > 100) errors.firstName = { key: 'register.errors.firstName' }
    if (!lastName || lastName.length > 100) errors.lastName = { key: 'register.errors.lastName' }
    if (Object.keys(errors).length) throw new Invalid(errors)
    return { kind: 'visitor', passportNumber, nationality: form.nationality, firstName, lastName }
  }

  /**
   * Creates the account and sends the email link and the phone code. When an identifier already has an
   * account, nothing is created: the owner is told by email, and the person sees the same next page, so
   * registration never reveals who has an account.
   */
  async register(identity: ProvenIdentity, form: DetailsForm, language: Language, context: RequestContext): Promise<Account | null> {
    const errors: Record<string, FieldError> = {}
    const email = form.email.trim()
    const phone = toE164(form.phone)
    if (!EMAIL.test(email) || email.length > 254) errors.email = { key: 'register.errors.email' }
    if (!phone) errors.phone = { key: 'register.errors.phone' }
    const weak = passwordProblem(form.password, [email, identity.kind === 'visitor' ? identity.passportNumber : identity.idNumber])
    if (weak) errors.password = weak
    if (Object.keys(errors).length || !phone) throw new Invalid(errors)

    const document =
      identity.kind === 'visitor' ? { passport: { number: identity.passportNumber, nationality: identity.nationality } } : { idNumber: identity.idNumber }
    // Hashed whether or not the account can be made: both answers then take the same time.
    const passwordHash = await hashPassword(form.password)
    const taken = await takenIdentifiers(this.db, { ...document, email, phone })
    if (taken.document || taken.email || taken.phone) {
      await this.#tellOwnerOfAttempt(email, language)
      await audit(this.db, { action: 'register', outcome: 'denied', details: { reason: 'identifier-taken' } }, context)
      return null
    }
    return this.db.transaction().execute(async (trx) => {
      const account = await insertAccount(trx, {
        kind: identity.kind,
        ...(identity.kind === 'visitor'
          ? { passport_number: identity.passportNumber, nationality: identity.nationality }
          : { id_number: identity.idNumber }),
        first_name: identity.firstName,
        last_name: identity.lastName,
        email,
        phone,
        password_hash: passwordHash,
        language,
      })
      await this.sendEmailLink(trx, account)
      await this.sendPhoneCode(trx, account)
      await audit(trx, { action: 'register', outcome: 'success', actorId: account.id, subjectType: 'account', subjectId: account.id }, context)
      return account
    })
  }

  async sendEmailLink(executor: Db, account: Account): Promise<void> {
    const token = await issueLinkToken(executor, account.id, 'verify-email')
    await this.messenger.send(executor, {
      key: `verify-email:${randomUUID()}`,
      channel: 'email',
      to: account.email,
      language: account.language,
      template: 'email-verification',
      params: { link: `${this.publicUrl}/account/verify-email/${token}` },
    })
  }

  async sendPhoneCode(executor: Db, account: Account): Promise<void> {
    const code = await issueCode(executor, account.id, 'verify-phone', 'sms')
    await this.messenger.send(executor, {
      key: `verify-phone:${randomUUID()}`,
      channel: 'sms',
      to: account.phone,
      language: account.language,
      template: 'phone-verification',
      params: { code },
    })
  }

  async #tellOwnerOfAttempt(email: string, language: Language): Promise<void> {
    if (!EMAIL.test(email)) return
    await this.messenger.send(this.db, {
      key: `registration-attempt:${randomUUID()}`,
      channel: 'email',
      to: email,
      language,
      template: 'registration-attempt',
      params: { link: `${this.publicUrl}/sign-in` },
    })
  }
}
