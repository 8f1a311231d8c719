import type { Generated } from 'kysely'

/** Migration 0024_restoration_notices: requests that were refused, for the notice sent on restoration. */
export interface StatusInterruptionsTable {
  id: Generated<string>
  account_id: string
  component: string
  work: 'payment' | 'submission'
  subject: string | null
  resume_path: string
  occurred_at: Generated<Date>
}

export interface RestorationTables {
  status_interruptions: StatusInterruptionsTable
}
