import { randomBytes } from 'node:crypto'
import { audit } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import type { Role } from '../../platform/db/schema.js'
import { revokeAccountSessions } from '../../platform/sessions/store.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { hashPassword } from './password.js'
import { insertAccount, takenIdentifiers, type Account } from './store.js'

export const AGENCY_ROLES: readonly Role[] = ['agency_officer', 'agency_supervisor', 'agency_admin', 'agency_finance']
export const STAFF_ACCOUNT_ROLES: readonly Role[] = [...AGENCY_ROLES, 'support_agent', 'platform_admin']

/** A mistake in what an operator asked for, said plainly: the CLI prints it and exits non-zero. */
export class StaffAccountError extends Error {}

export interface NewStaffAccount {
  role: string
  agencyCode?: string
  email: string
  phone: string
  firstName: string
  lastName: string
}

/** Who made the change: an operator at the command line, or a signed-in administrator. */
export interface Actor {
  accountId?: string
  description: string
}

async function checkRoleAndAgency(db: Db, role: string, agencyCode: string | undefined): Promise<{ role: Role; agencyCode: string | null }> {
  if (!(STAFF_ACCOUNT_ROLES as readonly string[]).includes(role)) {
    throw new StaffAccountError(`role must be one of ${STAFF_ACCOUNT_ROLES.join(', ')}`)
  }
  const bound = AGENCY_ROLES.includes(role as Role)
  if (bound && !agencyCode) throw new StaffAccountError(`role ${role} belongs to one agency: give --agency CODE`)
  if (!bound && agencyCode) throw new StaffAccountError(`role ${role} is not bound to an agency: leave out --agency`)
  if (agencyCode) {
    const agency = await db.selectFrom('agencies').select('code').where('code', '=', agencyCode.toUpperCase()).executeTakeFirst()
    if (!agency) throw new StaffAccountError(`no agency with code ${agencyCode}`)
    return { role: role as Role, agencyCode: agency.code }
  }
  return { role: role as Role, agencyCode: null }
}

/**
 * Creates a staff account with a one-off random password, returned once for the operator to hand over.
 * The account's second factor starts as an emailed code; staff are made to set up an authenticator app or
 * a passkey at their first sign-in before anything else works.
 */
export async function createStaffAccount(db: Db, input: NewStaffAccount, actor: Actor): Promise<{ account: Account; password: string }> {
  const { role, agencyCode } = await checkRoleAndAgency(db, input.role, input.agencyCode)
  const email = input.email.trim()
  const phone = toE164(input.phone)
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new StaffAccountError('give a valid --email')
  if (!phone) throw new StaffAccountError('give a valid --phone, like 0712345678 or +254712345678')
  if (!input.firstName.trim() || !input.lastName.trim()) throw new StaffAccountError('give --name "First Last"')
  const taken = await takenIdentifiers(db, { email, phone })
  if (taken.email || taken.phone) throw new StaffAccountError('an account already uses that email or phone')
  const password = randomBytes(15).toString('base64url')
  const passwordHash = await hashPassword(password)
  const account = await db.transaction().execute(async (trx) => {
    const created = await insertAccount(trx, {
      kind: 'staff',
      role,
      agency_code: agencyCode,
      first_name: input.firstName.trim(),
      last_name: input.lastName.trim(),
      email,
      phone,
      password_hash: passwordHash,
      second_factor: 'email',
      // The operator vouches for the address and number they were given.
      email_verified_at: new Date(),
      phone_verified_at: new Date(),
    })
    await audit(trx, {
      action: 'account.create-staff',
      outcome: 'success',
      actorId: actor.accountId ?? null,
      subjectType: 'account',
      subjectId: created.id,
      details: { role, agency: agencyCode, by: actor.description },
    })
    return created
  })
  return { account, password }
}

/**
 * Changes a person's role. Their sessions end: a privilege change takes effect at the next sign-in, with
 * a new session id.
 */
export async function changeRole(db: Db, email: string, newRole: string, newAgency: string | undefined, actor: Actor): Promise<Account> {
  const { role, agencyCode } =
    newRole === 'citizen' ? { role: 'citizen' as Role, agencyCode: null } : await checkRoleAndAgency(db, newRole, newAgency)
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('accounts').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase())).executeTakeFirst()
    if (!before) throw new StaffAccountError(`no account with email ${email}`)
    if (role === 'citizen' && before.kind === 'staff') throw new StaffAccountError('a staff account cannot become a citizen account')
    const after = await trx.updateTable('accounts').set({ role, agency_code: agencyCode }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow()
    await revokeAccountSessions(trx, before.id)
    await audit(trx, {
      action: 'account.role-change',
      outcome: 'success',
      actorId: actor.accountId ?? null,
      subjectType: 'account',
      subjectId: before.id,
      details: { from: before.role, to: role, fromAgency: before.agency_code, toAgency: agencyCode, by: actor.description },
    })
    return after
  })
}
