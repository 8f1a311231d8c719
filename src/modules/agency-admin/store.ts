import { sql, type Insertable, type Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { AgencyRole, StaffInvitationsTable } from './tables.js'

export const AGENCY_ROLES: readonly AgencyRole[] = ['agency_officer', 'agency_supervisor', 'agency_admin']

export type StaffInvitation = Selectable<StaffInvitationsTable>

export interface StaffMember {
  id: string
  first_name: string
  last_name: string
  email: string
  role: AgencyRole
  second_factor: string
  deactivated_at: Date | null
  created_at: Date
}

const STAFF_COLUMNS = ['id', 'first_name', 'last_name', 'email', 'role', 'second_factor', 'deactivated_at', 'created_at'] as const

/** The agency's officers, supervisors and admins: active ones first, then by name. */
export async function listAgencyStaff(db: Db, agency: string): Promise<StaffMember[]> {
  const rows = await db
    .selectFrom('accounts')
    .select(STAFF_COLUMNS)
    .where('agency_code', '=', agency)
    .where('role', 'in', AGENCY_ROLES)
    .orderBy(sql`deactivated_at is not null`)
    .orderBy('last_name')
    .orderBy('first_name')
    .orderBy('id')
    .execute()
  return rows as StaffMember[]
}

/** One member of the agency's staff; anyone else (another agency's, a citizen) is not found. */
export async function findAgencyStaff(db: Db, agency: string, id: string): Promise<StaffMember | undefined> {
  const row = await db.selectFrom('accounts').select(STAFF_COLUMNS).where('id', '=', id).where('agency_code', '=', agency).where('role', 'in', AGENCY_ROLES).executeTakeFirst()
  return row as StaffMember | undefined
}

/**
 * Serialises changes to one agency's staff: two admins demoting themselves at once must not leave the
 * agency without one, so each change counts the admins while holding the agency's row.
 */
export async function lockAgency(trx: Db, agency: string): Promise<void> {
  await trx.selectFrom('agencies').select('code').where('code', '=', agency).forUpdate().executeTakeFirst()
}

export async function countActiveAdmins(db: Db, agency: string, except: string): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('agency_code', '=', agency)
    .where('role', '=', 'agency_admin')
    .where('deactivated_at', 'is', null)
    .where('id', '<>', except)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function setRole(db: Db, id: string, role: AgencyRole): Promise<void> {
  await db.updateTable('accounts').set({ role }).where('id', '=', id).execute()
}

export async function setDeactivated(db: Db, id: string, deactivated: boolean): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ deactivated_at: deactivated ? sql<Date>`now()` : null })
    .where('id', '=', id)
    .execute()
}

/** Whether any account (of any kind) already uses this email address or phone number. */
export async function accountUsing(db: Db, by: { email?: string; phone?: string }): Promise<boolean> {
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .where((eb) =>
      eb.or([
        ...(by.email ? [eb(sql`lower(email)`, '=', by.email.toLowerCase())] : []),
        ...(by.phone ? [eb('phone', '=', by.phone)] : []),
      ]),
    )
    .executeTakeFirst()
  return Boolean(row)
}

/** A new invitation replaces the agency's open one to the same address (only the newest link works). */
export async function replaceInvitation(db: Db, invitation: Insertable<StaffInvitationsTable>): Promise<StaffInvitation> {
  await db
    .updateTable('staff_invitations')
    .set({ cancelled_at: sql<Date>`now()` })
    .where('agency_code', '=', invitation.agency_code)
    .where(sql`lower(email)`, '=', invitation.email.toLowerCase())
    .where('accepted_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .execute()
  return db.insertInto('staff_invitations').values(invitation).returningAll().executeTakeFirstOrThrow()
}

/** Invitations not yet accepted or cancelled, newest first; expired ones too, so the admin sees them. */
export function listOpenInvitations(db: Db, agency: string) {
  return db
    .selectFrom('staff_invitations as i')
    .innerJoin('accounts as a', 'a.id', 'i.invited_by')
    .select(['i.id', 'i.email', 'i.role', 'i.expires_at', 'i.created_at', 'a.first_name as invited_by_first', 'a.last_name as invited_by_last'])
    .where('i.agency_code', '=', agency)
    .where('i.accepted_at', 'is', null)
    .where('i.cancelled_at', 'is', null)
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id')
    .execute()
}

export function findAgencyInvitation(db: Db, agency: string, id: string): Promise<StaffInvitation | undefined> {
  return db.selectFrom('staff_invitations').selectAll().where('id', '=', id).where('agency_code', '=', agency).executeTakeFirst()
}

/** Cancels an open invitation; false when it was accepted or cancelled meanwhile. */
export async function cancelInvitation(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('staff_invitations')
    .set({ cancelled_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** The invitation a link's token hash names; `lock` holds it until commit (acceptance). */
export async function findInvitationByHash(db: Db, tokenHash: string, lock = false): Promise<StaffInvitation | undefined> {
  const query = db.selectFrom('staff_invitations').selectAll().where('token_hash', '=', tokenHash)
  return (lock ? query.forUpdate() : query).executeTakeFirst()
}

export function agencyNames(db: Db, code: string) {
  return db.selectFrom('agencies').select(['code', 'name_en', 'name_sw']).where('code', '=', code).executeTakeFirstOrThrow()
}

export async function markAccepted(db: Db, id: string, accountId: string): Promise<void> {
  await db.updateTable('staff_invitations').set({ accepted_at: sql<Date>`now()`, account_id: accountId }).where('id', '=', id).execute()
}
