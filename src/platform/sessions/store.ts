import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import type { Role, SecondFactor, SessionsTable } from '../db/schema.js'

export interface SessionRecord {
  tokenHash: string
  accountId: string
  stage: SessionsTable['stage']
  lastSeenAt: Date
  role: Role
  agencyCode: string | null
  firstName: string
  secondFactor: SecondFactor
  /** Email and phone both confirmed. */
  verified: boolean
  /** When the person last typed their password in this session (sign-in or confirm-password). */
  reauthenticatedAt: Date | null
}

/** One indexed query: the live session for a token hash, with what every page needs of its account. */
export async function findLiveSession(db: Db, tokenHash: string, idleMinutes: number): Promise<SessionRecord | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select(['s.token_hash', 's.account_id', 's.stage', 's.last_seen_at', 'a.role', 'a.agency_code', 'a.first_name', 'a.second_factor', 's.reauthenticated_at'])
    .select(sql<boolean>`a.email_verified_at is not null and a.phone_verified_at is not null`.as('verified'))
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    // Deactivating signs an account out everywhere; this also catches a sign-in that raced it.
    .where('a.deactivated_at', 'is', null)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('s.last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${idleMinutes})`)
    .executeTakeFirst()
  return (
    row && {
      tokenHash: row.token_hash,
      accountId: row.account_id,
      stage: row.stage,
      lastSeenAt: row.last_seen_at,
      role: row.role,
      agencyCode: row.agency_code,
      firstName: row.first_name,
      secondFactor: row.second_factor,
      verified: row.verified,
      reauthenticatedAt: row.reauthenticated_at,
    }
  )
}

export async function insertSession(
  db: Db,
  session: { tokenHash: string; accountId: string; stage: SessionsTable['stage']; maxHours: number; ip?: string; userAgent?: string },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      token_hash: session.tokenHash,
      account_id: session.accountId,
      stage: session.stage,
      expires_at: sql<Date>`now() + make_interval(hours => ${session.maxHours})`,
      ip: session.ip ?? null,
      user_agent: session.userAgent?.slice(0, 300) ?? null,
      // Reaching 'signed-in' means the password (and second factor) were just given: that counts as a
      // recent authentication, so nobody is asked for their password again right after signing in.
      reauthenticated_at: session.stage === 'signed-in' ? sql<Date>`now()` : null,
    })
    .execute()
}

/** Records that the person has just proved it is them again (confirm-password, password change). */
export async function markReauthenticated(db: Db, tokenHash: string): Promise<void> {
  await db.updateTable('sessions').set({ reauthenticated_at: sql<Date>`now()` }).where('token_hash', '=', tokenHash).execute()
}

export async function touchSession(db: Db, tokenHash: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: sql<Date>`now()` }).where('token_hash', '=', tokenHash).execute()
}

export async function revokeSession(db: Db, tokenHash: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: sql<Date>`now()` }).where('token_hash', '=', tokenHash).execute()
}

export async function revokeAccountSessions(db: Db, accountId: string, except?: string): Promise<void> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()` })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
  if (except) query = query.where('token_hash', '<>', except)
  await query.execute()
}

export function listAccountSessions(db: Db, accountId: string) {
  return db
    .selectFrom('sessions')
    .select(['token_hash', 'stage', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('last_seen_at', 'desc')
    .execute()
}
