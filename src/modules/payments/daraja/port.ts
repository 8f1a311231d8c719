import type { CreditClaim, CreditOutcome, Invoice, Payability, Prompt, PromptResult, SettleOutcome } from '../model.js'

/**
 * What the M-Pesa routes need of the payments core (PaymentsService in ../service.ts): the routes
 * depend on this much only, so tests can stand a fake in for it.
 */
export interface MpesaPayments {
  findInvoiceByBillReference(billReference: string): Promise<Invoice | undefined>
  isPayable(billReference: string, amountCents?: number): Promise<Payability>
  recordPrompt(invoiceId: string, prompt: { checkoutRequestId: string; merchantRequestId: string; phone: string; amountCents: number }): Promise<void>
  /** A push whose sending timed out: it may still reach the phone, and its late result is matched to this. */
  recordPushTimeout(invoiceId: string, push: { phone: string; amountCents: number }): Promise<void>
  settlePrompt(checkoutRequestId: string, result: PromptResult & { source?: 'stk' | 'query' }): Promise<SettleOutcome>
  latestPrompt(invoiceId: string): Promise<Prompt | undefined>
  pendingPrompts(olderThan: Date, limit?: number, invoiceId?: string): Promise<Prompt[]>
  /** A query that gave no final answer: counted; a prompt M-Pesa does not know is given up after a few. */
  noteQueryAnswer(checkoutRequestId: string, answer: 'pending' | 'unknown'): Promise<void>
  creditPayment(claim: CreditClaim): Promise<CreditOutcome>
}

/** Where the pages link to: the core's receipt page and the application. */
export interface MpesaLinks {
  receipt(invoice: Invoice): string
  application(invoice: Invoice): string
}

export const DEFAULT_LINKS: MpesaLinks = {
  // Receipts are listed, with their PDFs, on the application's page.
  receipt: (invoice) => `/applications/${invoice.applicationId}#payments`,
  application: (invoice) => `/applications/${invoice.applicationId}`,
}
