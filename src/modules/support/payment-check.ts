import type { DarajaClient } from '../payments/daraja/client.js'
import type { MpesaPayments } from '../payments/daraja/port.js'
import { queryPromptWith } from '../payments/jobs.js'
import { reconcile } from '../payments/reconcile.js'

/** What the check found, as the ticket's first message says it. */
export type CheckNotice = 'payment-received' | 'payment-waiting' | 'payment-not-found' | 'payment-unreachable'

export interface CheckResult {
  notice: CheckNotice
  params: Record<string, string | number>
}

export interface PaymentCheckDeps {
  payments: Pick<MpesaPayments, 'findInvoiceByBillReference' | 'latestPrompt' | 'pendingPrompts' | 'settlePrompt' | 'noteQueryAnswer'>
  /** Absent when M-Pesa is not configured: only what has already arrived can be reported. */
  client: DarajaClient | undefined
  shortcode: string
  log: { warn(object: object, message: string): void; info(object: object, message: string): void }
}

/**
 * "Payment made but not showing": the invoice page's own check (`POST /payments/invoices/:bill/check`):
 * every prompt of the invoice still waiting for its result is asked about at once, and a lost callback
 * is credited as the reconciliation job would credit it. Then says where the invoice stands.
 */
export async function checkPayment(deps: PaymentCheckDeps, billReference: string): Promise<CheckResult> {
  const before = await deps.payments.findInvoiceByBillReference(billReference)
  if (!before) throw new Error(`invoice ${billReference} vanished`)
  let errors = 0
  if (deps.client && before.status !== 'paid') {
    const tally = await reconcile(deps.payments, queryPromptWith(deps.client), new Date(), deps.log, before.id)
    deps.log.info({ billReference, ...tally }, 'payment check asked for in a support ticket')
    errors = tally.errors
  }
  const invoice = (await deps.payments.findInvoiceByBillReference(billReference)) ?? before
  const common = { bill: invoice.billReference, currency: invoice.currency }
  if (invoice.paidCents > 0) {
    return { notice: 'payment-received', params: { ...common, amountCents: invoice.paidCents, balanceCents: Math.max(0, invoice.totalCents - invoice.paidCents) } }
  }
  if (errors > 0) return { notice: 'payment-unreachable', params: common }
  const prompt = await deps.payments.latestPrompt(invoice.id)
  if (prompt?.status === 'pending') return { notice: 'payment-waiting', params: common }
  return { notice: 'payment-not-found', params: { ...common, shortcode: deps.shortcode } }
}
