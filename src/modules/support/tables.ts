import type { ColumnType, Generated } from 'kysely'

/** Table types of migration 0021_support. */

export const TOPICS = ['payment-not-showing', 'application', 'account', 'document', 'other'] as const
export type Topic = (typeof TOPICS)[number]
export type TicketStatus = 'open' | 'closed'
export type Author = 'person' | 'agent' | 'system'

export interface SupportTicketsTable {
  id: Generated<string>
  reference: string
  account_id: string
  topic: Topic
  application_id: string | null
  invoice_id: string | null
  status: ColumnType<TicketStatus, TicketStatus | undefined, TicketStatus>
  idempotency_key: string
  created_at: Generated<Date>
  first_response_due_at: Date
  first_responded_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  closed_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  closed_by: ColumnType<string | null, string | null | undefined, string | null>
}

export interface SupportMessagesTable {
  id: Generated<string>
  ticket_id: string
  author: Author
  author_id: string | null
  body: ColumnType<string, string | undefined, never>
  notice: ColumnType<string | null, string | null | undefined, never>
  /** jsonb: written as a JSON string, read back as an object. */
  notice_params: ColumnType<Record<string, unknown>, string | undefined, never>
  created_at: Generated<Date>
  /** bigint identity: read back as text. */
  seq: ColumnType<string, never, never>
}

export interface SupportAttachmentsTable {
  id: Generated<string>
  message_id: string
  original_name: string
  safe_name: string
  media_type: 'application/pdf' | 'image/jpeg' | 'image/png'
  size_bytes: number
  sha256: string
  storage_key: string
  created_at: Generated<Date>
}

export interface SupportTables {
  support_tickets: SupportTicketsTable
  support_messages: SupportMessagesTable
  support_attachments: SupportAttachmentsTable
}
