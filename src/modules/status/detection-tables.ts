import type { ColumnType, Generated } from 'kysely'

/** Table types of migration 0022_status_detection (its columns on status_incidents are in tables.ts). */

export interface StatusTrafficTable {
  process_id: string
  source: 'http' | 'gateway'
  component: string
  slot: Date
  requests: number
  failures: number
}

export interface StatusDetectionsTable {
  component: string
  state: 'operational' | 'degraded'
  streak: number
  /** bigint: written as a number, read back as text. */
  round: ColumnType<string, number, number>
  reason_en: string | null
  reason_sw: string | null
  changed_at: Generated<Date>
}

export interface StatusDetectionRoundsTable {
  id: Generated<boolean>
  round: ColumnType<string, number, number>
  claimed_at: Generated<Date>
}

export interface DetectionTables {
  status_traffic: StatusTrafficTable
  status_detections: StatusDetectionsTable
  status_detection_rounds: StatusDetectionRoundsTable
}
