import { sql } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { Account } from './store.js'

/** Whether another account already has this email (any case) or phone as its current one. */
export async function contactTaken(db: Db, accountId: string, contact: { email: string } | { phone: string }): Promise<boolean> {
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .where('id', '<>', accountId)
    .where((eb) => ('email' in contact ? eb(sql`lower(email)`, '=', contact.email.toLowerCase()) : eb('phone', '=', contact.phone)))
    .executeTakeFirst()
  return Boolean(row)
}

export async function setPendingContact(db: Db, accountId: string, pending: { pending_email: string } | { pending_phone: string }): Promise<void> {
  await db.updateTable('accounts').set(pending).where('id', '=', accountId).execute()
}

/**
 * Makes the pending email the account's email (confirmed, since the link proved it) and returns the
 * account as it was before, for telling the old address; undefined when nothing is pending.
 */
export async function applyPendingEmail(db: Db, accountId: string): Promise<{ before: Account; after: Account } | undefined> {
  const before = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).forUpdate().executeTakeFirst()
  if (!before?.pending_email) return undefined
  const after = await db
    .updateTable('accounts')
    .set({ email: before.pending_email, pending_email: null, email_verified_at: sql<Date>`now()` })
    .where('id', '=', accountId)
    .returningAll()
    .executeTakeFirstOrThrow()
  return { before, after }
}

export async function applyPendingPhone(db: Db, accountId: string): Promise<{ before: Account; after: Account } | undefined> {
  const before = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).forUpdate().executeTakeFirst()
  if (!before?.pending_phone) return undefined
  const after = await db
    .updateTable('accounts')
    .set({ phone: before.pending_phone, pending_phone: null, phone_verified_at: sql<Date>`now()` })
    .where('id', '=', accountId)
    .returningAll()
    .executeTakeFirstOrThrow()
  return { before, after }
}

export async function setLanguage(db: Db, accountId: string, language: 'en' | 'sw'): Promise<void> {
  await db.updateTable('accounts').set({ language }).where('id', '=', accountId).execute()
}

export async function linkedBusinessNumbers(db: Db, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('account_businesses')
    .select('registration_number')
    .where('account_id', '=', accountId)
    .orderBy('linked_at')
    .orderBy('registration_number')
    .execute()
  return rows.map((row) => row.registration_number)
}

export async function isBusinessLinked(db: Db, accountId: string, registrationNumber: string): Promise<boolean> {
  const row = await db
    .selectFrom('account_businesses')
    .select('account_id')
    .where('account_id', '=', accountId)
    .where('registration_number', '=', registrationNumber)
    .executeTakeFirst()
  return Boolean(row)
}

/** Links a business; linking one already linked changes nothing (a repeated form post is harmless). */
export async function linkBusiness(db: Db, accountId: string, registrationNumber: string): Promise<void> {
  await db
    .insertInto('account_businesses')
    .values({ account_id: accountId, registration_number: registrationNumber })
    .onConflict((oc) => oc.columns(['account_id', 'registration_number']).doNothing())
    .execute()
}

/** Only the person's own link is ever removed: false when they have no such link. */
export async function unlinkBusiness(db: Db, accountId: string, registrationNumber: string): Promise<boolean> {
  const result = await db
    .deleteFrom('account_businesses')
    .where('account_id', '=', accountId)
    .where('registration_number', '=', registrationNumber)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}
