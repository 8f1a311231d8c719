import type { ColumnType, Generated } from 'kysely'

export type NotificationChannel = 'email' | 'sms'
export type NotificationStatus = 'queued' | 'sent' | 'failed'

/** One email or text message: what was (or will be) sent, to whom, and how delivery went. */
export interface NotificationsTable {
  id: Generated<string>
  idempotency_key: string
  channel: NotificationChannel
  recipient: string
  language: 'en' | 'sw'
  template: string
  /** Null for SMS, which has no subject. */
  subject: string | null
  body: string
  status: ColumnType<NotificationStatus, NotificationStatus | undefined, NotificationStatus>
  attempts: Generated<number>
  provider_message_id: string | null
  last_error: string | null
  created_at: Generated<Date>
  sent_at: Date | null
}

/** The notification module's tables, merged into the portal's Database. */
export interface NotificationTables {
  notifications: NotificationsTable
}
