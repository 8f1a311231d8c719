import type { InvoiceCurrency, InvoiceStatus, PaymentFlag, PaymentSource, PromptStatus } from './tables.js'

export type { InvoiceCurrency, InvoiceStatus, PaymentFlag, PaymentSource, PromptStatus } from './tables.js'

export interface InvoiceLine {
  kind: 'government' | 'convenience'
  feeId: string
  label: { en: string; sw: string }
  amountCents: number
}

export interface Invoice {
  id: string
  applicationId: string
  accountId: string
  agencyCode: string
  /** What the payer types as the paybill account number: compact, upper case, ≤ 12 characters. */
  billReference: string
  currency: InvoiceCurrency
  totalCents: number
  /** Everything received for this invoice, overpayments included. */
  paidCents: number
  refundedCents: number
  status: InvoiceStatus
  dueAt: Date
  paidAt: Date | null
  createdAt: Date
  lines: InvoiceLine[]
}

export interface CreditClaim {
  source: PaymentSource
  /**
   * M-Pesa receipt / TransID: credits at most once (mpesa_receipts, same transaction). null only for a
   * success Daraja's query confirmed: "receipt to follow", completed when the callback or statement brings it.
   */
  receipt: string | null
  amountCents: number
  currency: 'KES'
  /** E.164 */
  phone?: string
  paidAt: Date
  /** C2B BillRefNumber. */
  billReference?: string
  /** STK: must match a prompt we sent. */
  checkoutRequestId?: string
  /** Stored for audit (jsonb). */
  raw: unknown
  /** The inbox message this claim came in. */
  inboxId?: string
  /** As M-Pesa names the payer (C2B FirstName…), for the suspense item when it cannot be matched. */
  payerName?: string
}

export type CreditOutcome = {
  /** suspense: held in the suspense account for a person (unknown reference, closed or foreign-currency invoice). */
  outcome: 'credited' | 'duplicate' | 'unknown-reference' | 'suspense' | 'receipt-completed'
  suspenseId?: string
  invoiceId?: string
  paymentId?: string
  invoiceStatus?: InvoiceStatus
  overpaidCents?: number
}

export interface Prompt {
  checkoutRequestId: string
  merchantRequestId: string
  invoiceId: string
  phone: string
  amountCents: number
  status: PromptStatus
  resultCode: number | null
  resultDesc: string | null
  createdAt: Date
  settledAt: Date | null
}

export interface PromptResult {
  resultCode: number
  resultDesc: string
  receipt?: string
  amountCents?: number
  phone?: string
  paidAt?: Date
  raw: unknown
}

export type SettleOutcome = CreditOutcome | { outcome: 'failed' | 'unknown-prompt' | 'already-settled' }

export type Payability = { ok: true; invoice: Invoice } | { ok: false; reason: 'unknown' | 'paid' | 'cancelled' }

export interface Payment {
  id: string
  invoiceId: string
  source: PaymentSource
  /** M-Pesa's receipt; null while a payment Daraja's query confirmed waits for it ("receipt to follow"). */
  mpesaReceipt: string | null
  amountCents: number
  currency: InvoiceCurrency
  phone: string | null
  paidAt: Date
  receiptNumber: string
  overpaidCents: number
  flaggedReason: PaymentFlag | null
}

/** What a receipt (PDF, /verify, the application page) shows. */
export interface ReceiptData {
  payment: Payment
  invoice: Invoice
  agency: { code: string; en: string; sw: string }
  service: { en: string; sw: string }
  applicationReference: string
  /** "W. K.": the payer's initials only, for the public check. */
  payerInitials: string
}

export interface RefundRequest {
  amountCents: number
  reason: string
  actor: { accountId: string; role?: string }
}
