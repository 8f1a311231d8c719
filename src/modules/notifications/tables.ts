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

/** The in-app copy of a message sent to a person, in both languages. */
export interface InboxMessagesTable {
  id: Generated<string>
  account_id: string
  idempotency_key: string
  template: string
  title_en: string
  title_sw: string
  body_en: string
  body_sw: string
  /** Comma-separated channels it also went out on; empty when in-app only. */
  channels: string
  read_at: Date | null
  created_at: Generated<Date>
}

/** Which channels a person wants for one kind of message. */
export interface NotificationPreferencesTable {
  account_id: string
  category: string
  email: boolean
  sms: boolean
  updated_at: Generated<Date>
}

/** The notification module's tables, merged into the portal's Database. */
export interface NotificationTables {
  notifications: NotificationsTable
  inbox_messages: InboxMessagesTable
  notification_preferences: NotificationPreferencesTable
}
