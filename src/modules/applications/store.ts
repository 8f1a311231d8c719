import { sql, type Insertable, type Kysely, type Updateable } from 'kysely'
import type { Database } from '../../platform/db/schema.js'
import type { ApplicationEventsTable, ApplicationMessagesTable, ApplicationsTable, ApplicationStatus } from './tables.js'

/** A database or a transaction on it. */
export type Executor = Kysely<Database>

/** An application as the module reads it: the expected date as 'YYYY-MM-DD' text, never a shifted Date. */
export interface Application {
  id: string
  reference: string
  account_id: string
  party_kind: ApplicationsTable['party_kind']
  party_id: string | null
  party_name: string
  service_slug: string
  agency_code: string
  definition_version: number
  answers: Record<string, unknown>
  current_page: string | null
  status: ApplicationStatus
  stage: string | null
  outcome: ApplicationsTable['outcome']
  declaration_accepted_at: Date | null
  submitted_at: Date | null
  expected_by: string | null
  submission_key: string | null
  start_key: string | null
  created_at: Date
  updated_at: Date
  /** While the applicant has it: the stage whose SLA stopped and the working days it had left (status.ts). */
  sla_paused_stage: string | null
  sla_remaining_days: number | null
  sla_paused_at: Date | null
}

const COLUMNS = [
  'id', 'reference', 'account_id', 'party_kind', 'party_id', 'party_name', 'service_slug', 'agency_code', 'definition_version',
  'answers', 'current_page', 'status', 'stage', 'outcome', 'declaration_accepted_at', 'submitted_at', 'submission_key', 'start_key',
  'created_at', 'updated_at', 'sla_paused_stage', 'sla_remaining_days', 'sla_paused_at',
] as const

const expectedBy = sql<string | null>`to_char(expected_by, 'YYYY-MM-DD')`.as('expected_by')

function select(db: Executor) {
  return db.selectFrom('applications').select(COLUMNS).select(expectedBy)
}

/** Only the person's own: anyone else's application is, to them, not there at all. */
export async function findOwnApplication(db: Executor, accountId: string, id: string, lock = false): Promise<Application | undefined> {
  if (!isUuid(id)) return undefined
  const query = select(db).where('id', '=', id).where('account_id', '=', accountId)
  return (await (lock ? query.forUpdate() : query).executeTakeFirst()) as Application | undefined
}

export async function findApplication(db: Executor, id: string): Promise<Application | undefined> {
  if (!isUuid(id)) return undefined
  return (await select(db).where('id', '=', id).executeTakeFirst()) as Application | undefined
}

export async function findByStartKey(db: Executor, key: string): Promise<Application | undefined> {
  return (await select(db).where('start_key', '=', key).executeTakeFirst()) as Application | undefined
}

export async function insertApplication(db: Executor, values: Insertable<ApplicationsTable>): Promise<Application> {
  const row = await db.insertInto('applications').values(values).returning(COLUMNS).returning(expectedBy).executeTakeFirstOrThrow()
  return row as Application
}

/**
 * Changes an application only if it is still as the caller read it (same status and stage): a change
 * racing another finds nothing to update and the caller answers with what happened first.
 */
export async function updateIfUnchanged(
  db: Executor,
  application: Pick<Application, 'id' | 'status' | 'stage'>,
  values: Updateable<ApplicationsTable>,
): Promise<Application | undefined> {
  const row = await db
    .updateTable('applications')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', application.id)
    .where('status', '=', application.status)
    .where(sql<boolean>`stage is not distinct from ${application.stage}`)
    .returning(COLUMNS)
    .returning(expectedBy)
    .executeTakeFirst()
  return row as Application | undefined
}

export async function insertEvent(db: Executor, event: Insertable<ApplicationEventsTable>): Promise<string> {
  const row = await db.insertInto('application_events').values(event).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export interface TimelineEvent {
  id: string
  at: Date
  actor_kind: ApplicationEventsTable['actor_kind']
  event_type: ApplicationEventsTable['event_type']
  stage_from: string | null
  stage_to: string | null
  note: string | null
}

export function listEvents(db: Executor, applicationId: string): Promise<TimelineEvent[]> {
  return db
    .selectFrom('application_events')
    .select(['id', 'at', 'actor_kind', 'event_type', 'stage_from', 'stage_to', 'note'])
    .where('application_id', '=', applicationId)
    .orderBy('at')
    .orderBy('id')
    .execute()
}

/** Writes a message once per key: a repeated cause adds nothing. */
export async function insertMessage(db: Executor, message: Insertable<ApplicationMessagesTable>): Promise<void> {
  await db.insertInto('application_messages').values(message).onConflict((oc) => oc.column('idempotency_key').doNothing()).execute()
}

export function listMessages(db: Executor, accountId: string, applicationId: string) {
  return db
    .selectFrom('application_messages')
    .select(['id', 'title_en', 'title_sw', 'body_en', 'body_sw', 'created_at', 'read_at'])
    .where('account_id', '=', accountId)
    .where('application_id', '=', applicationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

export function findContact(db: Executor, accountId: string) {
  return db.selectFrom('accounts').select(['email', 'phone', 'language', 'kind']).where('id', '=', accountId).executeTakeFirstOrThrow()
}

export async function agencyName(db: Executor, code: string): Promise<{ en: string; sw: string }> {
  const row = await db.selectFrom('agencies').select(['name_en', 'name_sw']).where('code', '=', code).executeTakeFirst()
  return { en: row?.name_en ?? code, sw: row?.name_sw ?? code }
}

export interface DashboardRow {
  id: string
  reference: string
  service_slug: string
  definition_version: number
  party_kind: ApplicationsTable['party_kind']
  party_name: string
  status: ApplicationStatus
  stage: string | null
  outcome: ApplicationsTable['outcome']
  updated_at: Date
  /** updated_at as the database's exact text (microseconds), for the next page's cursor. */
  cursor_at: string
}

/**
 * One page of one dashboard group, newest first: a single range of the applications_dashboard index,
 * starting after the cursor (the last row's updated_at and id).
 */
export function dashboardPage(
  db: Executor,
  accountId: string,
  status: ApplicationStatus,
  limit: number,
  after?: { at: string; id: string },
): Promise<DashboardRow[]> {
  let query = db
    .selectFrom('applications')
    .select(['id', 'reference', 'service_slug', 'definition_version', 'party_kind', 'party_name', 'status', 'stage', 'outcome', 'updated_at'])
    .select(sql<string>`updated_at::text`.as('cursor_at'))
    .where('account_id', '=', accountId)
    .where('status', '=', status)
  if (after) query = query.where(sql<boolean>`(updated_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`)
  return query.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/** A unique index said no: the caller decides whether to retry (a reference) or answer with the first. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string }
  if (e?.code !== '23505') return false
  return !constraint || e.constraint === constraint || Boolean(e.message?.includes(constraint))
}
