import type { ColumnType, Generated } from 'kysely'

/** Table types, one interface per table; each module's migrations add theirs here. */
export interface AgenciesTable {
  code: string
  name_en: string
  name_sw: string
  summary_en: ColumnType<string, string | undefined, string>
  summary_sw: ColumnType<string, string | undefined, string>
  created_at: Generated<Date>
}

export interface SchemaMigrationsTable {
  name: string
  checksum: string
  applied_at: Generated<Date>
}

export interface FeedbackTable {
  id: Generated<string>
  idempotency_key: string
  page: string
  what_doing: string
  what_wrong: string
  language: string
  created_at: Generated<Date>
}

export interface AuditLogTable {
  id: Generated<string>
  occurred_at: Generated<Date>
  actor_id: string | null
  actor_role: string | null
  action: string
  subject_type: string | null
  subject_id: string | null
  outcome: 'success' | 'failure' | 'denied'
  ip: string | null
  request_id: string | null
  /** jsonb: written as a JSON string, read back as an object. */
  details: ColumnType<Record<string, unknown>, string, never>
}

export interface Database {
  agencies: AgenciesTable
  audit_log: AuditLogTable
  feedback: FeedbackTable
  schema_migrations: SchemaMigrationsTable
}
