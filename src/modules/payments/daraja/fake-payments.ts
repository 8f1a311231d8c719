/**
 * An in-memory stand-in for the payments core, for the M-Pesa page tests. (Callbacks are processed by
 * the real core through the inbox, whatever stands in here: test them on PaymentsService.)
 */
import { randomUUID } from 'node:crypto'
import type { CreditClaim, CreditOutcome, Invoice, Payability, Prompt, PromptResult, SettleOutcome } from '../model.js'
import { PENDING_PROMPT_TRIES, UNKNOWN_PROMPT_TRIES } from '../service.js'
import type { MpesaPayments } from './port.js'

export class FakePayments implements MpesaPayments {
  readonly invoices = new Map<string, Invoice>()
  readonly prompts = new Map<string, Prompt>()
  readonly credits: CreditClaim[] = []
  readonly settled: { checkoutRequestId: string; result: PromptResult }[] = []
  /** Pushes whose sending timed out (they may still reach the phone). */
  readonly pushTimeouts: { invoiceId: string; phone: string; amountCents: number }[] = []
  /** Money for no invoice here, held as the core holds it in suspense. */
  readonly suspense: (CreditClaim & { suspenseId: string })[] = []
  /** Queries without a final answer, by CheckoutRequestID. */
  readonly queryAnswers = new Map<string, number>()

  addInvoice(fields: Partial<Invoice> & { accountId: string; billReference: string }): Invoice {
    const invoice: Invoice = {
      id: randomUUID(),
      applicationId: randomUUID(),
      agencyCode: 'DIS',
      currency: 'KES',
      totalCents: 105_000,
      paidCents: 0,
      refundedCents: 0,
      status: 'pending',
      dueAt: new Date(Date.now() + 30 * 86_400_000),
      paidAt: null,
      createdAt: new Date(),
      lines: [
        { kind: 'government', feeId: 'fee', label: { en: 'Passport fee', sw: 'Ada ya pasipoti' }, amountCents: 100_000 },
        { kind: 'convenience', feeId: 'convenience', label: { en: 'Convenience fee', sw: 'Ada ya huduma' }, amountCents: 5_000 },
      ],
      ...fields,
    }
    this.invoices.set(invoice.billReference, invoice)
    return invoice
  }

  async findInvoiceByBillReference(billReference: string): Promise<Invoice | undefined> {
    return this.invoices.get(billReference)
  }

  async isPayable(billReference: string): Promise<Payability> {
    const invoice = this.invoices.get(billReference)
    if (!invoice) return { ok: false, reason: 'unknown' }
    if (invoice.status === 'paid') return { ok: false, reason: 'paid' }
    if (invoice.status === 'cancelled' || invoice.status === 'refunded') return { ok: false, reason: 'cancelled' }
    return { ok: true, invoice }
  }

  async recordPrompt(invoiceId: string, prompt: { checkoutRequestId: string; merchantRequestId: string; phone: string; amountCents: number }): Promise<void> {
    this.prompts.set(prompt.checkoutRequestId, { ...prompt, invoiceId, status: 'pending', resultCode: null, resultDesc: null, createdAt: new Date(), settledAt: null })
  }

  async recordPushTimeout(invoiceId: string, push: { phone: string; amountCents: number }): Promise<void> {
    this.pushTimeouts.push({ invoiceId, ...push })
  }

  /** As the core: a prompt M-Pesa keeps not knowing (or never finishes) is given up as 'unknown'. */
  async noteQueryAnswer(checkoutRequestId: string, answer: 'pending' | 'unknown'): Promise<void> {
    const prompt = this.prompts.get(checkoutRequestId)
    if (prompt?.status !== 'pending') return
    const tries = (this.queryAnswers.get(checkoutRequestId) ?? 0) + 1
    this.queryAnswers.set(checkoutRequestId, tries)
    if (tries >= (answer === 'unknown' ? UNKNOWN_PROMPT_TRIES : PENDING_PROMPT_TRIES)) Object.assign(prompt, { status: 'unknown', settledAt: new Date() })
  }

  async settlePrompt(checkoutRequestId: string, result: PromptResult & { source?: 'stk' | 'query' }): Promise<SettleOutcome> {
    this.settled.push({ checkoutRequestId, result })
    const prompt = this.prompts.get(checkoutRequestId)
    if (!prompt) return { outcome: 'unknown-prompt' }
    if (prompt.status !== 'pending') return { outcome: 'already-settled' }
    const status = ({ 0: 'succeeded', 1032: 'cancelled', 1037: 'timeout' } as Record<number, Prompt['status']>)[result.resultCode] ?? 'failed'
    Object.assign(prompt, { status, resultCode: result.resultCode, resultDesc: result.resultDesc, settledAt: new Date() })
    if (result.resultCode !== 0) return { outcome: 'failed' }
    const invoice = [...this.invoices.values()].find((i) => i.id === prompt.invoiceId)!
    // A query's success carries no receipt: credited, "receipt to follow", for the prompt's own amount.
    return this.creditPayment({
      source: result.source ?? 'stk',
      receipt: result.receipt ?? null,
      amountCents: result.amountCents ?? prompt.amountCents,
      currency: 'KES',
      phone: result.phone,
      paidAt: result.paidAt ?? new Date(),
      billReference: invoice.billReference,
      checkoutRequestId,
      raw: result.raw,
    })
  }

  async latestPrompt(invoiceId: string): Promise<Prompt | undefined> {
    return [...this.prompts.values()].filter((p) => p.invoiceId === invoiceId).at(-1)
  }

  async pendingPrompts(olderThan: Date, limit = 200, invoiceId?: string): Promise<Prompt[]> {
    return [...this.prompts.values()]
      .filter((p) => p.status === 'pending' && p.createdAt < olderThan && (invoiceId === undefined || p.invoiceId === invoiceId))
      .slice(0, limit)
  }

  async creditPayment(claim: CreditClaim): Promise<CreditOutcome> {
    if (claim.receipt !== null && [...this.credits, ...this.suspense].some((c) => c.receipt === claim.receipt)) return { outcome: 'duplicate' }
    const invoice = claim.billReference ? this.invoices.get(claim.billReference) : undefined
    if (!invoice || invoice.currency !== claim.currency) {
      if (claim.receipt === null) return { outcome: 'unknown-reference' }
      const suspenseId = randomUUID()
      this.suspense.push({ ...claim, suspenseId })
      return { outcome: 'suspense', suspenseId }
    }
    this.credits.push(claim)
    invoice.paidCents += claim.amountCents
    invoice.status = invoice.paidCents >= invoice.totalCents ? 'paid' : 'partly-paid'
    if (invoice.status === 'paid') invoice.paidAt = claim.paidAt
    return { outcome: 'credited', invoiceId: invoice.id, invoiceStatus: invoice.status }
  }
}
