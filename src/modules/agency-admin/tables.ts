import type { ColumnType, Generated } from 'kysely'

/**
 * Table and column types of migration 0017_staff_invitations. The account column is added to the table
 * declared in platform/db/schema.ts (which extends this interface), so this module owns its part of it.
 */

/** accounts: when an agency admin switched the account off; null while it may sign in. */
export interface AccountDeactivationColumns {
  deactivated_at: ColumnType<Date | null, Date | null | undefined, Date | null>
}

export type AgencyRole = 'agency_officer' | 'agency_supervisor' | 'agency_admin'

export interface StaffInvitationsTable {
  id: Generated<string>
  agency_code: string
  email: string
  role: AgencyRole
  token_hash: string
  invited_by: string
  expires_at: Date
  accepted_at: Date | null
  account_id: string | null
  cancelled_at: Date | null
  created_at: Generated<Date>
}

/** Written by a trigger each time an application leaves a stage that had a deadline: the deadline then. */
export interface SlaMovesTable {
  id: Generated<string>
  application_id: string
  agency_code: string
  service_slug: string
  stage_from: string
  stage_to: string | null
  /** A date column: read as 'YYYY-MM-DD' text by the reports. */
  expected_by: string
  outcome: string | null
  moved_at: Generated<Date>
}

/** The agency administration module's tables, merged into the portal's Database. */
export interface AgencyAdminTables {
  staff_invitations: StaffInvitationsTable
  sla_moves: SlaMovesTable
}
