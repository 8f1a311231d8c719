import { createHash, randomBytes } from 'node:crypto'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid, NotFound, type FieldError } from '../../platform/http/errors.js'
import type { Language } from '../../platform/i18n/i18n.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { hashPassword, passwordProblem } from '../accounts/password.js'
import { insertAccount } from '../accounts/store.js'
import { isUniqueViolation } from '../applications/store.js'
import { notify } from '../notifications/service.js'
import { isAgencyRole, isUuid, type AdminActor } from './staff.js'
import { accountUsing, agencyNames, cancelInvitation, findAgencyInvitation, findInvitationByHash, lockAgency, markAccepted, replaceInvitation, type StaffInvitation } from './store.js'

/** How long an invitation link works: long enough to span a weekend (the email's text says 72 hours). */
export const INVITATION_HOURS = 72

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const NAME_MAX = 100

export type InvitationStatus = 'ok' | 'unknown' | 'cancelled' | 'expired' | 'used' | 'taken'

export interface InvitationForm {
  email: string
  role: string
}

export interface AcceptanceForm {
  firstName: string
  lastName: string
  phone: string
  password: string
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

function statusOf(invitation: StaffInvitation | undefined): InvitationStatus {
  if (!invitation) return 'unknown'
  if (invitation.accepted_at) return 'used'
  if (invitation.cancelled_at) return 'cancelled'
  if (invitation.expires_at.getTime() <= Date.now()) return 'expired'
  return 'ok'
}

/**
 * Invitations to an agency's staff: the admin names an email address and a role, the invitee gets a
 * single-use link (only its hash is stored) and chooses their name, phone and password. The new account
 * starts with an emailed code as its second factor, so at its first sign-in the access rules make the
 * person set up an authenticator app or a passkey before anything else, as for accounts made at the
 * command line.
 */
export class InvitationService {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    private readonly publicUrl: string,
  ) {}

  async invite(actor: AdminActor, form: InvitationForm, language: Language, context: RequestContext): Promise<void> {
    const email = form.email.trim()
    const errors: Record<string, FieldError> = {}
    if (!EMAIL.test(email) || email.length > 320) errors.email = { key: 'register.errors.email' }
    else if (await accountUsing(this.db, { email })) errors.email = { key: 'agencyAdmin.invite.errors.emailTaken' }
    if (!isAgencyRole(form.role)) errors.role = { key: 'agencyAdmin.invite.errors.role' }
    if (Object.keys(errors).length > 0) throw new Invalid(errors)
    const token = randomBytes(32).toString('base64url')
    await this.db.transaction().execute(async (trx: Db) => {
      // Two sends of the same form at once: the second replaces the first instead of failing on the index.
      await lockAgency(trx, actor.agency)
      const agency = await agencyNames(trx, actor.agency)
      const invitation = await replaceInvitation(trx, {
        agency_code: actor.agency,
        email,
        role: form.role as StaffInvitation['role'],
        token_hash: digest(token),
        invited_by: actor.accountId,
        expires_at: new Date(Date.now() + INVITATION_HOURS * 3_600_000),
      })
      await notify(trx, this.jobs, {
        key: `staff-invitation:${invitation.id}`,
        channel: 'email',
        to: email,
        language,
        template: 'staff-invitation',
        params: { name: language === 'sw' ? agency.name_sw : agency.name_en, link: `${this.publicUrl}/staff-invitation/${token}` },
      })
      await audit(
        trx,
        { action: 'staff.invited', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'staff-invitation', subjectId: invitation.id, details: { email, role: invitation.role, agency: actor.agency } },
        context,
      )
    })
  }

  async cancel(actor: AdminActor, id: string, context: RequestContext): Promise<void> {
    const invitation = isUuid(id) ? await findAgencyInvitation(this.db, actor.agency, id) : undefined
    if (!invitation) throw new NotFound('no such invitation')
    await this.db.transaction().execute(async (trx) => {
      if (!(await cancelInvitation(trx, id))) return
      await audit(
        trx,
        { action: 'staff.invitation-cancelled', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'staff-invitation', subjectId: id, details: { email: invitation.email, agency: actor.agency } },
        context,
      )
    })
  }

  /** What the link leads to: the invitation's agency and role when it can still be accepted. */
  async look(token: string) {
    const invitation = token.length <= 100 ? await findInvitationByHash(this.db, digest(token)) : undefined
    const status = statusOf(invitation)
    if (status !== 'ok' || !invitation) return { status }
    return { status, invitation, agency: await agencyNames(this.db, invitation.agency_code) }
  }

  async accept(token: string, form: AcceptanceForm, language: Language, context: RequestContext): Promise<InvitationStatus> {
    const found = await this.look(token)
    if (found.status !== 'ok' || !found.invitation) return found.status
    const email = found.invitation.email
    const phone = toE164(form.phone)
    const errors: Record<string, FieldError> = {}
    const firstName = form.firstName.trim()
    const lastName = form.lastName.trim()
    if (!firstName || firstName.length > NAME_MAX) errors.firstName = { key: firstName ? 'agencyAdmin.accept.errors.tooLong' : 'register.errors.firstName', params: { max: NAME_MAX } }
    if (!lastName || lastName.length > NAME_MAX) errors.lastName = { key: lastName ? 'agencyAdmin.accept.errors.tooLong' : 'register.errors.lastName', params: { max: NAME_MAX } }
    if (!phone) errors.phone = { key: 'register.errors.phone' }
    else if (await accountUsing(this.db, { phone })) errors.phone = { key: 'agencyAdmin.accept.errors.phoneTaken' }
    const weak = passwordProblem(form.password, [email])
    if (weak) errors.password = weak
    if (Object.keys(errors).length > 0) throw new Invalid(errors)
    // An account made since the invitation was sent (another agency's invitation, say) keeps its address.
    if (await accountUsing(this.db, { email })) return 'taken'
    // Hashing is slow on purpose: done before the transaction, so the invitation is not held meanwhile.
    const passwordHash = await hashPassword(form.password)
    try {
      return await this.create(token, { firstName, lastName, email, phone: phone!, passwordHash }, language, context)
    } catch (error) {
      // Another account took the address or number in the last moment: the same answer as above.
      if (isUniqueViolation(error)) return 'taken'
      throw error
    }
  }

  private create(token: string, person: { firstName: string; lastName: string; email: string; phone: string; passwordHash: string }, language: Language, context: RequestContext) {
    const { firstName, lastName, email, phone, passwordHash } = person
    return this.db.transaction().execute(async (trx): Promise<InvitationStatus> => {
      const invitation = await findInvitationByHash(trx, digest(token), true)
      const status = statusOf(invitation)
      if (status !== 'ok' || !invitation) return status
      const account = await insertAccount(trx, {
        kind: 'staff',
        role: invitation.role,
        agency_code: invitation.agency_code,
        first_name: firstName,
        last_name: lastName,
        email,
        phone,
        password_hash: passwordHash,
        second_factor: 'email',
        language,
        // The link reached this address; the phone number is the person's word until they confirm it.
        email_verified_at: new Date(),
        phone_verified_at: null,
      })
      await markAccepted(trx, invitation.id, account.id)
      await audit(
        trx,
        {
          action: 'account.create-staff',
          outcome: 'success',
          actorId: account.id,
          subjectType: 'account',
          subjectId: account.id,
          details: { role: invitation.role, agency: invitation.agency_code, by: 'invitation', invitation: invitation.id, invitedBy: invitation.invited_by },
        },
        context,
      )
      return 'ok'
    })
  }
}
