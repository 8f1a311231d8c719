import { sql, type Insertable, type Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { AccountsTable, OneTimeCodesTable } from '../../platform/db/schema.js'

export type Account = Selectable<AccountsTable>
export type OneTimeCode = Selectable<OneTimeCodesTable>

/** By email (any case) or ID number: the two names people sign in with. */
export function findAccountBySignInName(db: Db, name: string): Promise<Account | undefined> {
  const trimmed = name.trim()
  return db
    .selectFrom('accounts')
    .selectAll()
    .where((eb) => eb.or([eb(sql`lower(email)`, '=', trimmed.toLowerCase()), eb('id_number', '=', trimmed)]))
    .executeTakeFirst()
}

export function findAccount(db: Db, id: string): Promise<Account | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertAccount(db: Db, account: Insertable<AccountsTable>): Promise<Account> {
  return db.insertInto('accounts').values(account).returningAll().executeTakeFirstOrThrow()
}

/** Which of these identifiers already belong to an account (for one-account-per-identifier). */
export async function takenIdentifiers(
  db: Db,
  ids: { idNumber?: string; passport?: { number: string; nationality: string }; email: string; phone: string },
) {
  const rows = await db
    .selectFrom('accounts')
    .select(['id_number', 'passport_number', 'nationality', 'email', 'phone'])
    .where((eb) =>
      eb.or([
        eb(sql`lower(email)`, '=', ids.email.toLowerCase()),
        eb('phone', '=', ids.phone),
        ...(ids.idNumber ? [eb('id_number', '=', ids.idNumber)] : []),
        ...(ids.passport ? [eb.and([eb('passport_number', '=', ids.passport.number), eb('nationality', '=', ids.passport.nationality)])] : []),
      ]),
    )
    .execute()
  const { idNumber, passport } = ids
  return {
    document: rows.some(
      (row) =>
        (idNumber && row.id_number === idNumber) ||
        (passport && row.passport_number === passport.number && row.nationality === passport.nationality),
    ),
    email: rows.some((row) => row.email.toLowerCase() === ids.email.toLowerCase()),
    phone: rows.some((row) => row.phone === ids.phone),
  }
}

/** Counts a failed password and, past the free attempts, locks the account for a growing time. */
export async function recordFailedSignIn(db: Db, accountId: string, freeAttempts: number): Promise<Account> {
  return db
    .updateTable('accounts')
    .set((eb) => ({
      failed_sign_ins: eb('failed_sign_ins', '+', 1),
      locked_until: sql<Date | null>`case when failed_sign_ins + 1 > ${freeAttempts}
        then now() + least(power(2, failed_sign_ins + 1 - ${freeAttempts}), 3600) * interval '1 second'
        else locked_until end`,
    }))
    .where('id', '=', accountId)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function clearFailedSignIns(db: Db, accountId: string): Promise<void> {
  await db.updateTable('accounts').set({ failed_sign_ins: 0, locked_until: null }).where('id', '=', accountId).execute()
}

export async function markVerified(db: Db, accountId: string, what: 'email' | 'phone'): Promise<void> {
  await db
    .updateTable('accounts')
    .set(what === 'email' ? { email_verified_at: sql<Date>`now()` } : { phone_verified_at: sql<Date>`now()` })
    .where('id', '=', accountId)
    .execute()
}

/** Runs `work` in the caller's transaction, or in a new one. */
function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}

/** A new code replaces any open one for the same purpose: only the latest works. */
export async function replaceCode(db: Db, code: Insertable<OneTimeCodesTable>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('one_time_codes')
      .set({ used_at: sql<Date>`now()` })
      .where('account_id', '=', code.account_id)
      .where('purpose', '=', code.purpose)
      .where('used_at', 'is', null)
      .execute()
    await trx.insertInto('one_time_codes').values(code).execute()
  })
}

export function findOpenCode(db: Db, accountId: string, purpose: OneTimeCode['purpose']): Promise<OneTimeCode | undefined> {
  return db
    .selectFrom('one_time_codes')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst()
}

export function findCodeBySecret(db: Db, secretHash: string): Promise<OneTimeCode | undefined> {
  return db.selectFrom('one_time_codes').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst()
}

/** Marks a code used; false when another request used it first (single use under concurrency). */
export async function useCode(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('one_time_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

export async function countCodeAttempt(db: Db, id: string): Promise<number> {
  const row = await db
    .updateTable('one_time_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .returning('attempts')
    .executeTakeFirstOrThrow()
  return row.attempts
}

export async function setPassword(db: Db, accountId: string, passwordHash: string): Promise<Account> {
  return db
    .updateTable('accounts')
    .set({ password_hash: passwordHash, failed_sign_ins: 0, locked_until: null })
    .where('id', '=', accountId)
    .returningAll()
    .executeTakeFirstOrThrow()
}
