import type { ColumnType, Generated } from 'kysely'
import type { PaymentInboxTables } from './inbox-tables.js'

export type InvoiceStatus = 'pending' | 'partly-paid' | 'paid' | 'cancelled' | 'refunded'
export type InvoiceCurrency = 'KES' | 'USD'
export type PromptStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'timeout' | 'unknown'
export type PaymentSource = 'stk' | 'c2b' | 'query'
/** Why a payment needs a person to look at it: it is credited either way, never lost. */
export type PaymentFlag = 'underpayment' | 'overpayment' | 'amount-mismatch' | 'currency-mismatch' | 'invoice-closed'

/** bigint columns come back from pg as strings: money is read through Number() in the store. */
type Cents = ColumnType<string | number, number, number>

export interface InvoicesTable {
  id: Generated<string>
  application_id: string
  account_id: string
  agency_code: string
  bill_reference: string
  currency: InvoiceCurrency
  total_cents: Cents
  paid_cents: ColumnType<string | number, number | undefined, number>
  refunded_cents: ColumnType<string | number, number | undefined, number>
  status: ColumnType<InvoiceStatus, InvoiceStatus | undefined, InvoiceStatus>
  due_at: Date
  paid_at: Date | null
  created_at: Generated<Date>
}

export interface InvoiceLinesTable {
  id: Generated<string>
  invoice_id: string
  position: number
  kind: 'government' | 'convenience'
  fee_id: string
  label_en: string
  label_sw: string
  amount_cents: Cents
}

export interface MpesaPromptsTable {
  checkout_request_id: string
  merchant_request_id: string
  invoice_id: string
  phone: string
  amount_cents: Cents
  status: ColumnType<PromptStatus, PromptStatus | undefined, PromptStatus>
  result_code: number | null
  result_desc: string | null
  created_at: Generated<Date>
  settled_at: Date | null
  query_attempts: ColumnType<number, number | undefined, number>
  last_queried_at: Date | null
}

export interface PaymentsTable {
  id: Generated<string>
  invoice_id: string
  source: PaymentSource
  /** null only for a payment Daraja's query confirmed: "receipt to follow". */
  mpesa_receipt: string | null
  amount_cents: Cents
  currency: InvoiceCurrency
  phone: string | null
  paid_at: Date
  checkout_request_id: string | null
  bill_reference: string | null
  raw: ColumnType<unknown, string, never>
  receipt_number: string
  overpaid_cents: ColumnType<string | number, number | undefined, number>
  flagged_reason: PaymentFlag | null
  inbox_id: string | null
  created_at: Generated<Date>
}

export interface RefundsTable {
  id: Generated<string>
  invoice_id: string
  amount_cents: Cents
  reason: string
  actor_account_id: string | null
  created_at: Generated<Date>
}

export type LedgerEntryKind = 'payment-received' | 'revenue-recognised' | 'refund' | 'suspense-received' | 'suspense-matched' | 'suspense-refunded'

export interface LedgerEntriesTable {
  id: Generated<string>
  /** null for money held in suspense (suspense_id says which). */
  invoice_id: string | null
  payment_id: string | null
  refund_id: string | null
  suspense_id: ColumnType<string | null, string | null | undefined, never>
  kind: LedgerEntryKind
  created_at: Generated<Date>
}

export interface LedgerLinesTable {
  id: Generated<string>
  entry_id: string
  account: string
  currency: InvoiceCurrency
  debit_cents: ColumnType<string | number, number | undefined, number>
  credit_cents: ColumnType<string | number, number | undefined, number>
}

/** The payments module's tables, merged into the portal's Database. */
export interface PaymentTables extends PaymentInboxTables {
  invoices: InvoicesTable
  invoice_lines: InvoiceLinesTable
  mpesa_prompts: MpesaPromptsTable
  payments: PaymentsTable
  refunds: RefundsTable
  ledger_entries: LedgerEntriesTable
  ledger_lines: LedgerLinesTable
}
