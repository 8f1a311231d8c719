import type { Generated } from 'kysely'

/** What staff write to one another about a case (migration 0015). Never shown to the applicant. */
export interface CaseNotesTable {
  id: Generated<string>
  application_id: string
  author_id: string
  body: string
  idempotency_key: string
  created_at: Generated<Date>
}

/** The back-office module's tables, merged into the portal's Database. */
export interface BackofficeTables {
  case_notes: CaseNotesTable
}
