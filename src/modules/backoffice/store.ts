import { sql, type CompiledQuery, type RawBuilder, type SelectQueryBuilder } from 'kysely'
import type { Database, Role } from '../../platform/db/schema.js'
import type { Executor } from '../applications/store.js'
import type { ApplicationStatus } from '../applications/tables.js'
import type { IsoDate } from '../services/dates.js'

/**
 * Open cases, written as the literal the queue indexes' predicate has: a parameter in its place would
 * keep the planner from proving a partial index applies.
 */
const OPEN = sql<boolean>`status in ('in-progress', 'action-needed')`
const COMPLETED = sql<boolean>`status = 'completed'`
/** A row's version as the forms carry it: updated_at in microseconds, the same text in any time zone. */
export const VERSION = sql<string>`(extract(epoch from updated_at) * 1000000)::bigint::text`

export interface QueueRow {
  id: string
  reference: string
  service_slug: string
  definition_version: number
  party_name: string
  status: ApplicationStatus
  stage: string
  outcome: 'issued' | 'rejected' | 'withdrawn' | null
  submitted_at: Date
  expected_by: string | null
  assignee_id: string | null
  /** updated_at as exact text: the completed view's cursor. */
  cursor_at: string
}

export interface QueueQuery {
  agency: string
  view: 'open' | 'completed'
  /** Read as one index range per (service, stage), merged; unset: the agency's whole queue. */
  ranges?: { service: string; stage: string }[]
  /** A filter on rows (used with `assignee`, whose index has no service or stage). */
  service?: string
  stages?: string[]
  sla?: 'overdue' | 'due-today'
  assignee?: { id: string } | 'nobody'
  /** Submitted at or after / before these instants (ISO timestamps). */
  submittedFrom?: string
  submittedBefore?: string
  today: IsoDate
  limit: number
}

/** Where the previous page ended: the open queue's (expected_by, id), the completed list's (updated_at, id). */
export type QueueCursor = { due: IsoDate | null; id: string } | { at: string; id: string }

type Branch = SelectQueryBuilder<Database, 'applications', QueueRow>

function base(db: Executor, query: QueueQuery): Branch {
  let q = db
    .selectFrom('applications')
    .select(['id', 'reference', 'service_slug', 'definition_version', 'party_name', 'status', 'outcome', 'assignee_id'])
    .select(sql<string>`stage`.as('stage'))
    .select(sql<Date>`submitted_at`.as('submitted_at'))
    .select(sql<string | null>`to_char(expected_by, 'YYYY-MM-DD')`.as('expected_by'))
    // The date itself, for the merge's order (a text copy would sort the same but hide that from the planner).
    .select(sql<never>`applications.expected_by`.as('due_on'))
    .select(sql<string>`updated_at::text`.as('cursor_at'))
    .where('agency_code', '=', query.agency)
    .where(query.view === 'open' ? OPEN : COMPLETED)
  if (query.service) q = q.where('service_slug', '=', query.service)
  if (query.stages?.length) q = q.where('stage', 'in', query.stages)
  if (query.assignee === 'nobody') q = q.where('assignee_id', 'is', null)
  else if (query.assignee) q = q.where('assignee_id', '=', query.assignee.id)
  if (query.submittedFrom) q = q.where('submitted_at', '>=', new Date(query.submittedFrom))
  if (query.submittedBefore) q = q.where('submitted_at', '<', new Date(query.submittedBefore))
  if (query.view === 'open' && query.sla === 'overdue') q = q.where(sql<boolean>`expected_by < ${query.today}::date`)
  if (query.view === 'open' && query.sla === 'due-today') q = q.where(sql<boolean>`expected_by = ${query.today}::date`)
  return q as unknown as Branch
}

/** The open queue's keyset phases: dated rows after a dated cursor, then the undated ones (nulls sort last). */
type Phase = { after?: { due: IsoDate; id: string } } | { undatedAfter?: string }

function openRange(q: Branch, phase: Phase): Branch {
  if ('after' in phase && phase.after) return q.where(sql<boolean>`(expected_by, id) > (${phase.after.due}::date, ${phase.after.id}::uuid)`)
  if ('undatedAfter' in phase) {
    const undated = q.where(sql<boolean>`applications.expected_by is null`)
    return phase.undatedAfter ? undated.where(sql<boolean>`id > ${phase.undatedAfter}::uuid`) : undated
  }
  return q
}

/**
 * One page of the open queue for a phase: one index range, or one range per (service, stage) merged in
 * order (each range is already sorted, so the merge reads no more than `limit` rows of each).
 */
function openPage(db: Executor, query: QueueQuery, phase: Phase, limit: number): RawBuilder<QueueRow> {
  const ordered = (q: Branch) => openRange(q, phase).orderBy(sql`applications.expected_by`).orderBy('id').limit(limit)
  const parts = query.ranges ? query.ranges.map((range) => ordered(base(db, { ...query, service: range.service, stages: [range.stage] }))) : [ordered(base(db, query))]
  return sql<QueueRow>`select * from (${sql.join(parts, sql` union all `)}) as ranges order by due_on, id limit ${limit}`
}

async function run(db: Executor, query: RawBuilder<QueueRow>): Promise<QueueRow[]> {
  return (await query.execute(db)).rows
}

/** The first statement a queue page runs: what EXPLAIN looks at. */
export function compileQueue(db: Executor, query: QueueQuery): CompiledQuery {
  return query.view === 'completed' ? completedPage(db, query).compile() : openPage(db, query, {}, query.limit).compile(db)
}

function completedPage(db: Executor, query: QueueQuery, after?: { at: string; id: string }): Branch {
  let q = base(db, query)
  if (after) q = q.where(sql<boolean>`(updated_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`)
  return q.orderBy(sql`applications.updated_at`, 'desc').orderBy('id', 'desc').limit(query.limit)
}

/** One page of the queue (query.limit rows at most), after the cursor. */
export async function queueRows(db: Executor, query: QueueQuery, cursor?: QueueCursor): Promise<QueueRow[]> {
  if (query.view === 'completed') return completedPage(db, query, cursor && 'at' in cursor ? cursor : undefined).execute()
  const due = cursor && 'due' in cursor ? cursor : undefined
  if (due && due.due === null) return run(db, openPage(db, query, { undatedAfter: due.id }, query.limit))
  // From the start, one ascending read gives the dated rows and then the undated ones.
  if (!due) return run(db, openPage(db, query, {}, query.limit))
  const dated = await run(db, openPage(db, query, { after: { due: due.due!, id: due.id } }, query.limit))
  if (dated.length === query.limit) return dated
  return [...dated, ...(await run(db, openPage(db, query, { undatedAfter: undefined }, query.limit - dated.length)))]
}

/** Counts stop here: past it the queue says "1,000+", so counting costs the same with a million cases. */
export const COUNT_CAP = 1000

export interface QueueCounts {
  /** Per (service, stage) range, in the order asked: open cases, at most COUNT_CAP + 1. */
  stages: number[]
  overdue: number
  dueToday: number
}

/**
 * How many open cases each (service, stage) holds, and how many of the agency's are overdue or due
 * today: each a bounded index-only read of one range (LIMIT COUNT_CAP + 1), in one statement.
 */
export async function queueCounts(db: Executor, agency: string, ranges: { service: string; stage: string }[], today: IsoDate): Promise<QueueCounts> {
  const result = await countsQuery(agency, ranges, today).execute(db)
  const counts = (result.rows[0]?.counts ?? []).map(Number)
  return { stages: counts.slice(0, ranges.length), overdue: counts[ranges.length] ?? 0, dueToday: counts[ranges.length + 1] ?? 0 }
}

export function countsQuery(agency: string, ranges: { service: string; stage: string }[], today: IsoDate): RawBuilder<{ counts: (number | string)[] }> {
  const capped = (where: RawBuilder<boolean>) =>
    sql<number>`(select count(*) from (select 1 from applications where agency_code = ${agency} and ${OPEN} and ${where} limit ${COUNT_CAP + 1}) as capped)`
  const columns = [
    ...ranges.map((range) => capped(sql<boolean>`service_slug = ${range.service} and stage = ${range.stage}`)),
    capped(sql<boolean>`expected_by < ${today}::date`),
    capped(sql<boolean>`expected_by = ${today}::date`),
  ]
  return sql<{ counts: (number | string)[] }>`select array[${sql.join(columns)}] as counts`
}

/** A submitted application of the agency by reference: its id, assignee and version; optionally locked. */
export async function findCaseRow(db: Executor, agency: string, reference: string, lock = false) {
  const query = db
    .selectFrom('applications')
    .select(['id', 'assignee_id'])
    .select(VERSION.as('version'))
    .where('reference', '=', reference)
    .where('agency_code', '=', agency)
    .where('status', 'in', ['in-progress', 'action-needed', 'completed'])
  return (lock ? query.forUpdate() : query).executeTakeFirst()
}

export interface CaseEvent {
  id: string
  at: Date
  actor_kind: 'applicant' | 'agency' | 'system'
  actor_account_id: string | null
  actor_name: string | null
  actor_role: Role | null
  event_type: string
  stage_from: string | null
  stage_to: string | null
  note: string | null
}

/** The timeline as staff read it: who of the agency did each step, by name and role. */
export function caseEvents(db: Executor, applicationId: string, latestOnly = false): Promise<CaseEvent[]> {
  const query = db
    .selectFrom('application_events as e')
    .leftJoin('accounts as a', (join) => join.onRef('a.id', '=', 'e.actor_account_id').on('e.actor_kind', '=', 'agency'))
    .select(['e.id', 'e.at', 'e.actor_kind', 'e.actor_account_id', 'e.event_type', 'e.stage_from', 'e.stage_to', 'e.note', 'a.role as actor_role'])
    .select(sql<string | null>`a.first_name || ' ' || a.last_name`.as('actor_name'))
    .where('e.application_id', '=', applicationId)
  return latestOnly ? query.orderBy('e.at', 'desc').orderBy('e.id', 'desc').limit(1).execute() : query.orderBy('e.at').orderBy('e.id').execute()
}

/** Who moved the application into this stage last: the first pair of eyes. */
export async function enteredBy(db: Executor, applicationId: string, stage: string): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('application_events')
    .select('actor_account_id')
    .where('application_id', '=', applicationId)
    .where('stage_to', '=', stage)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.actor_account_id
}

export async function insertNote(db: Executor, note: { applicationId: string; authorId: string; body: string; key: string }): Promise<boolean> {
  const row = await db
    .insertInto('case_notes')
    .values({ application_id: note.applicationId, author_id: note.authorId, body: note.body, idempotency_key: note.key })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

export function listNotes(db: Executor, applicationId: string) {
  return db
    .selectFrom('case_notes as n')
    .innerJoin('accounts as a', 'a.id', 'n.author_id')
    .select(['n.id', 'n.body', 'n.created_at', 'a.role as author_role'])
    .select(sql<string>`a.first_name || ' ' || a.last_name`.as('author_name'))
    .where('n.application_id', '=', applicationId)
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id', 'desc')
    .execute()
}

export interface StaffMember {
  id: string
  name: string
  role: Role
  email: string
  language: 'en' | 'sw'
}

const DECIDING_ROLES: Role[] = ['agency_officer', 'agency_supervisor']

/** The agency's staff who may work cases (officers and supervisors, not switched off), by name. */
export function agencyStaff(db: Executor, agency: string, roles: Role[] = DECIDING_ROLES): Promise<StaffMember[]> {
  return db
    .selectFrom('accounts')
    .select(['id', 'role', 'email', 'language'])
    .select(sql<string>`first_name || ' ' || last_name`.as('name'))
    .where('agency_code', '=', agency)
    .where('role', 'in', roles)
    .where('deactivated_at', 'is', null)
    .orderBy('first_name')
    .orderBy('last_name')
    .execute()
}

/** Names of a few accounts by id (a page's assignees). */
export async function namesOf(db: Executor, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('accounts').select(['id', sql<string>`first_name || ' ' || last_name`.as('name')]).where('id', 'in', ids).execute()
  return new Map(rows.map((row) => [row.id, row.name]))
}

/** Sets who works the case; with `onlyIfNobody`, only when nobody does yet (a claim). True when it changed. */
export async function setAssignee(db: Executor, applicationId: string, assigneeId: string | null, onlyIfNobody = false): Promise<boolean> {
  let query = db.updateTable('applications').set({ assignee_id: assigneeId }).where('id', '=', applicationId)
  if (onlyIfNobody) query = query.where('assignee_id', 'is', null)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export interface DueCase {
  reference: string
  service_slug: string
  definition_version: number
  stage: string
  expected_by: string
  assignee_id: string | null
}

/** An agency's open cases due on or before a date, soonest first: a range of the queue index. */
export function dueBy(db: Executor, agency: string, date: IsoDate, limit: number): Promise<DueCase[]> {
  return db
    .selectFrom('applications')
    .select(['reference', 'service_slug', 'definition_version', 'assignee_id'])
    .select(sql<string>`stage`.as('stage'))
    .select(sql<string>`to_char(expected_by, 'YYYY-MM-DD')`.as('expected_by'))
    .where('agency_code', '=', agency)
    .where(OPEN)
    .where(sql<boolean>`expected_by <= ${date}::date`)
    .orderBy(sql`applications.expected_by`)
    .orderBy('id')
    .limit(limit)
    .execute()
}
