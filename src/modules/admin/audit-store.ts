import type { Db } from '../../platform/db/database.js'

export interface AuditFilter {
  /** An action or the start of one: "sign-in" finds sign-in.password and sign-in.second-factor. */
  action?: string
  /** The account (or other id) that acted or was acted on. */
  who?: string
  outcome?: 'success' | 'failure' | 'denied'
  /** Keyset: entries older than this id. */
  before?: string
}

export const AUDIT_PAGE_SIZE = 50

/** Newest first, one page at a time by id (keyset): as fast on the millionth entry as on the first. */
export async function findAuditEntries(db: Db, filter: AuditFilter) {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'occurred_at', 'actor_id', 'actor_role', 'action', 'subject_type', 'subject_id', 'outcome', 'ip', 'request_id', 'details'])
    .orderBy('id', 'desc')
    .limit(AUDIT_PAGE_SIZE + 1)
  if (filter.action) query = query.where((eb) => eb.or([eb('action', '=', filter.action!), eb('action', 'like', `${filter.action!.replace(/[%_\\]/g, '')}.%`)]))
  if (filter.who) query = query.where((eb) => eb.or([eb('actor_id', '=', filter.who!), eb('subject_id', '=', filter.who!)]))
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome)
  if (filter.before && /^\d{1,18}$/.test(filter.before)) query = query.where('id', '<', filter.before)
  const rows = await query.execute()
  return { entries: rows.slice(0, AUDIT_PAGE_SIZE), older: rows.length > AUDIT_PAGE_SIZE ? rows[AUDIT_PAGE_SIZE - 1]!.id : undefined }
}
