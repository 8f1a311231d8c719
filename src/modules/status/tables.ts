import type { Generated } from 'kysely'

/** Table types of migration 0018_status. */

export type Impact = 'degraded' | 'partial-outage' | 'major-outage'
export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved'

export interface StatusIncidentsTable {
  id: Generated<string>
  impact: Impact
  title_en: string
  title_sw: string
  status: IncidentStatus
  started_at: Generated<Date>
  resolved_at: Date | null
  opened_by: string | null
  /** Migration 0022: opened by automatic detection and not yet published (hidden from the public). */
  draft: Generated<boolean>
  /** Migration 0022: the component detection opened the incident for; null for incidents staff open. */
  detected_for: Generated<string | null>
}

export interface StatusIncidentComponentsTable {
  incident_id: string
  component: string
}

export interface StatusIncidentUpdatesTable {
  id: Generated<string>
  incident_id: string
  status: IncidentStatus
  message_en: string
  message_sw: string
  posted_by: string | null
  posted_at: Generated<Date>
}

export interface StatusMaintenanceTable {
  id: Generated<string>
  message_en: string
  message_sw: string
  starts_at: Date
  ends_at: Date
  cancelled_at: Date | null
  scheduled_by: string | null
  created_at: Generated<Date>
}

export interface StatusMaintenanceComponentsTable {
  maintenance_id: string
  component: string
}

/** Migration 0019_maintenance_mode: the row exists while maintenance mode is on. */
export interface StatusMaintenanceModeTable {
  id: Generated<boolean>
  message_en: string
  message_sw: string
  switched_on_by: string | null
  switched_on_at: Generated<Date>
}

/** The status module's tables, merged into the portal's Database. */
export interface StatusTables {
  status_incidents: StatusIncidentsTable
  status_incident_components: StatusIncidentComponentsTable
  status_incident_updates: StatusIncidentUpdatesTable
  status_maintenance: StatusMaintenanceTable
  status_maintenance_components: StatusMaintenanceComponentsTable
  status_maintenance_mode: StatusMaintenanceModeTable
}
