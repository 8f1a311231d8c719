import type { ColumnType, Generated } from 'kysely'

/** What came to which callback address. */
export type InboxKind = 'stk-result' | 'c2b-validation' | 'c2b-confirmation' | 'transaction-status'

/** Why money (or a claim) waits for a person instead of crediting an invoice. */
export type SuspenseReason =
  | 'unknown-reference'
  | 'unknown-prompt'
  | 'late-result'
  | 'amount-mismatch'
  | 'overpayment'
  | 'invoice-closed'
  | 'currency-mismatch'
  | 'conflicting-result'
  | 'unconfirmed-claim'
  | 'not-our-shortcode'

export type SuspenseStatus = 'open' | 'proposed' | 'matched' | 'refunded' | 'dismissed'

type Cents = ColumnType<string | number, number, number>

export interface MpesaInboxTable {
  id: Generated<string>
  kind: InboxKind
  path: string
  source_ip: string
  body: ColumnType<unknown, string, never>
  received_at: Generated<Date>
  refused_reason: string | null
  processed_at: Date | null
  outcome: string | null
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: Date | null
}

export interface PaymentSuspenseTable {
  id: Generated<string>
  reason: SuspenseReason
  held: boolean
  amount_cents: Cents
  currency: ColumnType<'KES' | 'USD', 'KES' | 'USD' | undefined, 'KES' | 'USD'>
  phone: string | null
  payer_name: string | null
  mpesa_receipt: string | null
  bill_reference: string | null
  checkout_request_id: string | null
  invoice_id: string | null
  agency_code: string | null
  inbox_id: string | null
  paid_at: Date | null
  details: ColumnType<unknown, string | null | undefined, string | null>
  status: ColumnType<SuspenseStatus, SuspenseStatus | undefined, SuspenseStatus>
  proposed_action: 'match' | 'refund' | 'dismiss' | null
  proposed_invoice_id: string | null
  proposed_by: string | null
  proposed_at: Date | null
  proposal_note: string | null
  resolved_by: string | null
  resolved_at: Date | null
  created_at: Generated<Date>
}

export interface MpesaReceiptsTable {
  receipt: string
  amount_cents: Cents
  payment_id: string | null
  suspense_id: string | null
  created_at: Generated<Date>
}

export interface MpesaPushTimeoutsTable {
  id: Generated<string>
  invoice_id: string
  phone: string
  amount_cents: Cents
  sent_at: Generated<Date>
  matched_checkout_request_id: string | null
}

export interface MpesaStatusChecksTable {
  originator_conversation_id: string
  conversation_id: string | null
  inbox_id: string
  receipt: string
  status: ColumnType<'pending' | 'confirmed' | 'refuted', 'pending' | 'confirmed' | 'refuted' | undefined, 'pending' | 'confirmed' | 'refuted'>
  asked_at: Generated<Date>
  answered_at: Date | null
}

export interface MpesaStatementImportsTable {
  id: Generated<string>
  file_name: string
  day: ColumnType<Date | string | null, string | null, string | null>
  rows_read: number
  differences: number
  imported_by: string | null
  created_at: Generated<Date>
}

export type StatementDifferenceKind = 'not-credited' | 'not-in-statement' | 'amount-differs' | 'receipt-completed'

export interface MpesaStatementDifferencesTable {
  id: Generated<string>
  import_id: string
  kind: StatementDifferenceKind
  receipt: string | null
  statement_amount_cents: ColumnType<string | number | null, number | null, number | null>
  credited_amount_cents: ColumnType<string | number | null, number | null, number | null>
  payment_id: string | null
  suspense_id: string | null
  details: ColumnType<unknown, string | null | undefined, string | null>
}

/** The inbox, suspense and reconciliation tables, merged into PaymentTables. */
export interface PaymentInboxTables {
  mpesa_inbox: MpesaInboxTable
  payment_suspense: PaymentSuspenseTable
  mpesa_receipts: MpesaReceiptsTable
  mpesa_push_timeouts: MpesaPushTimeoutsTable
  mpesa_status_checks: MpesaStatusChecksTable
  mpesa_statement_imports: MpesaStatementImportsTable
  mpesa_statement_differences: MpesaStatementDifferencesTable
}
