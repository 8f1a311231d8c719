import type { ColumnType, Generated } from 'kysely'
import type { Answers } from '../services/answers.js'

export type PartyKind = 'self' | 'dependant' | 'business'
/** The dashboard's groups. The workflow's own state is the stage. */
export type ApplicationStatus = 'draft' | 'awaiting-payment' | 'in-progress' | 'action-needed' | 'completed'
export type Outcome = 'issued' | 'rejected' | 'withdrawn'
export type ActorKind = 'applicant' | 'agency' | 'system'
export type EventType = 'started' | 'submitted' | 'awaiting-payment' | 'stage-changed' | 'withdrawn'

export interface ApplicationsTable {
  id: Generated<string>
  reference: string
  account_id: string
  party_kind: PartyKind
  party_id: string | null
  party_name: string
  service_slug: string
  agency_code: string
  definition_version: number
  answers: ColumnType<Answers, string | undefined, string>
  current_page: string | null
  status: ColumnType<ApplicationStatus, ApplicationStatus | undefined, ApplicationStatus>
  stage: string | null
  outcome: Outcome | null
  declaration_accepted_at: Date | null
  submitted_at: Date | null
  /** A date column: read back as 'YYYY-MM-DD' text by the store. */
  expected_by: ColumnType<string | null, string | null | undefined, string | null>
  submission_key: string | null
  start_key: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
  /** Migration 0015: the staff member working the case, null while nobody has it. */
  assignee_id: ColumnType<string | null, string | null | undefined, string | null>
  /** Migration 0015: while the applicant has it, the stage whose SLA stopped, its working days left, and since when. */
  sla_paused_stage: ColumnType<string | null, string | null | undefined, string | null>
  sla_remaining_days: ColumnType<number | null, number | null | undefined, number | null>
  sla_paused_at: ColumnType<Date | null, Date | null | undefined, Date | null>
}

export interface ApplicationEventsTable {
  id: Generated<string>
  application_id: string
  at: Generated<Date>
  actor_kind: ActorKind
  actor_account_id: string | null
  event_type: EventType
  stage_from: string | null
  stage_to: string | null
  note: string | null
}

export interface ApplicationMessagesTable {
  id: Generated<string>
  account_id: string
  application_id: string | null
  idempotency_key: string
  title_en: string
  title_sw: string
  body_en: string
  body_sw: string
  created_at: Generated<Date>
  read_at: Date | null
}

/** The applications module's tables, merged into the portal's Database. */
export interface ApplicationTables {
  applications: ApplicationsTable
  application_events: ApplicationEventsTable
  application_messages: ApplicationMessagesTable
}
