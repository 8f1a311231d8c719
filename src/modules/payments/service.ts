import { Invalid } from '../../platform/http/errors.js'
import type { Db } from '../../platform/db/database.js'
import type { Application } from '../applications/store.js'
import { agencyName } from '../applications/store.js'
import { pinnedDefinition } from '../applications/status.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { creditIn, creditTarget, RECEIPT_PREFIX, type CreditDeps } from './credit.js'
import { normaliseBillReference, raiseInvoiceFor } from './invoices.js'
import type { CreditClaim, CreditOutcome, Invoice, Payability, Prompt, PromptResult, ReceiptData, RefundRequest, SettleOutcome } from './model.js'
import { refundIn } from './refund.js'
import { findInvoice, findPayment, findPrompt, isUuid, lockCreditTarget, toPrompt, type Executor } from './store.js'
import type { PromptStatus } from './tables.js'
import { normaliseReference } from '../services/reference.js'

export type * from './model.js'

export interface PaymentsDeps extends CreditDeps {
  db: Db
  now?: () => Date
}

/** Answers of "no such prompt" before a prompt is marked unknown and no longer asked about. */
export const UNKNOWN_PROMPT_TRIES = 3
/** Queries still "being processed" before giving up (the job asks every minute: about an hour). */
export const PENDING_PROMPT_TRIES = 60

/** How a failed STK result code reads on the prompt (Daraja's table of result codes). */
function failedStatus(resultCode: number): PromptStatus {
  if (resultCode === 1032) return 'cancelled'
  if (resultCode === 1037 || resultCode === 1019) return 'timeout'
  return 'failed'
}

/**
 * Invoices, M-Pesa prompts, payments, refunds and their ledger. Every way money arrives (STK callback,
 * STK query, C2B confirmation) ends in creditPayment, which credits each M-Pesa receipt at most once.
 */
export class PaymentsService {
  constructor(readonly deps: PaymentsDeps) {}

  private get db(): Db {
    return this.deps.db
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date()
  }

  /** In the caller's transaction, when an application starts waiting for payment. Idempotent. */
  raiseInvoice(trx: Executor, application: Application): Promise<Invoice> {
    return raiseInvoiceFor(trx, this.deps.catalogue, application, this.now())
  }

  invoiceForApplication(applicationId: string): Promise<Invoice | undefined> {
    return findInvoice(this.db, { applicationId })
  }

  /** Accepts the reference however typed: lower case, spaces, dashes. */
  async findInvoiceByBillReference(text: string): Promise<Invoice | undefined> {
    const reference = normaliseBillReference(text)
    return reference ? findInvoice(this.db, { billReference: reference }) : undefined
  }

  /**
   * For C2B validation: may this bill reference be paid now? A paid invoice is refused (a second payment
   * would only have to be refunded), as are cancelled and refunded ones. A USD invoice cannot take
   * M-Pesa's shillings: 'unknown' to M-Pesa. The amount is not checked: a part payment is accepted.
   */
  async isPayable(billReference: string, _amountCents?: number): Promise<Payability> {
    const invoice = await this.findInvoiceByBillReference(billReference)
    if (!invoice || invoice.currency !== 'KES') return { ok: false, reason: 'unknown' }
    if (invoice.status === 'paid') return { ok: false, reason: 'paid' }
    if (invoice.status === 'cancelled' || invoice.status === 'refunded') return { ok: false, reason: 'cancelled' }
    return { ok: true, invoice }
  }

  /** A prompt Daraja accepted; recording the same CheckoutRequestID again does nothing. */
  async recordPrompt(invoiceId: string, prompt: { checkoutRequestId: string; merchantRequestId: string; phone: string; amountCents: number }): Promise<void> {
    if (!isUuid(invoiceId)) throw new RangeError('no such invoice')
    if (!Number.isSafeInteger(prompt.amountCents) || prompt.amountCents <= 0) throw new RangeError('a prompt amount is a positive number of cents')
    await this.db
      .insertInto('mpesa_prompts')
      .values({
        checkout_request_id: prompt.checkoutRequestId,
        merchant_request_id: prompt.merchantRequestId,
        invoice_id: invoiceId,
        phone: toE164(prompt.phone) ?? prompt.phone,
        amount_cents: prompt.amountCents,
      })
      .onConflict((oc) => oc.column('checkout_request_id').doNothing())
      .execute()
  }

  /**
   * A prompt's result, from the callback or from a query: both may arrive, in any order, more than
   * once. A success is credited (once: by receipt, and by prompt); a failure settles the prompt. A
   * success that comes after the prompt was settled as failed or timed out is still credited: the
   * money arrived.
   */
  async settlePrompt(checkoutRequestId: string, result: PromptResult & { source?: 'stk' | 'query' }): Promise<SettleOutcome> {
    return this.db.transaction().execute((trx) => this.settlePromptIn(trx, checkoutRequestId, result))
  }

  /**
   * settlePrompt in the caller's transaction (the inbox processor's, which marks its message processed in
   * the same one). A query's success carries no receipt: the payment is "confirmed, receipt to follow",
   * and the callback or the statement completes it.
   */
  async settlePromptIn(trx: Executor, checkoutRequestId: string, result: PromptResult & { source?: 'stk' | 'query'; inboxId?: string }): Promise<SettleOutcome> {
    const unknown = () => {
      this.deps.log?.warn({ checkoutRequestId, resultCode: result.resultCode }, 'result for an STK prompt we never sent')
      return { outcome: 'unknown-prompt' as const }
    }
    const settled = { result_code: result.resultCode, result_desc: result.resultDesc.slice(0, 500), settled_at: this.now() }
    if (result.resultCode !== 0) {
      // `for no key update`: payments referencing the prompt take a key-share lock, which this lets through.
      const row = await trx.selectFrom('mpesa_prompts').select('status').where('checkout_request_id', '=', checkoutRequestId).forNoKeyUpdate().executeTakeFirst()
      if (!row) return unknown()
      if (row.status !== 'pending') return { outcome: 'already-settled' as const }
      await trx.updateTable('mpesa_prompts').set({ ...settled, status: failedStatus(result.resultCode) }).where('checkout_request_id', '=', checkoutRequestId).execute()
      return { outcome: 'failed' as const }
    }
    // A success: the prompt and its invoice locked in one read; the prompt is settled with the payment.
    const target = await lockCreditTarget(trx, { checkoutRequestId })
    if (!target?.prompt) return unknown()
    const source = result.source ?? 'stk'
    if (source !== 'query' && !result.receipt) throw new RangeError('a callback success carries its M-Pesa receipt')
    const claim: CreditClaim = {
      source,
      receipt: result.receipt ?? null,
      amountCents: result.amountCents ?? target.prompt.amountCents,
      currency: 'KES',
      phone: (result.phone && toE164(result.phone)) ?? target.prompt.phone,
      paidAt: result.paidAt ?? this.now(),
      checkoutRequestId,
      raw: result.raw,
      inboxId: result.inboxId,
    }
    return creditTarget(trx, this.deps, claim, target, { checkoutRequestId, resultCode: 0, resultDesc: settled.result_desc, settledAt: settled.settled_at })
  }

  /** Prompts still waiting for their result since before `olderThan`, oldest first: the reconciliation's work. */
  async pendingPrompts(olderThan: Date, limit = 200, invoiceId?: string): Promise<Prompt[]> {
    if (invoiceId !== undefined && !isUuid(invoiceId)) return []
    let query = this.db.selectFrom('mpesa_prompts').selectAll().where('status', '=', 'pending').where('created_at', '<', olderThan)
    if (invoiceId !== undefined) query = query.where('invoice_id', '=', invoiceId)
    const rows = await query.orderBy('created_at').limit(limit).execute()
    return rows.map(toPrompt)
  }

  async recordPushTimeout(invoiceId: string, push: { phone: string; amountCents: number }): Promise<void> {
    if (!isUuid(invoiceId)) throw new RangeError('no such invoice')
    await this.db.insertInto('mpesa_push_timeouts').values({ invoice_id: invoiceId, phone: toE164(push.phone) ?? push.phone, amount_cents: push.amountCents }).execute()
  }

  async noteQueryAnswer(checkoutRequestId: string, answer: 'pending' | 'unknown'): Promise<void> {
    const row = await this.db
      .updateTable('mpesa_prompts')
      .set((eb) => ({ query_attempts: eb('query_attempts', '+', 1), last_queried_at: this.now() }))
      .where('checkout_request_id', '=', checkoutRequestId)
      .where('status', '=', 'pending')
      .returning('query_attempts')
      .executeTakeFirst()
    if (!row) return
    const giveUp = answer === 'unknown' ? row.query_attempts >= UNKNOWN_PROMPT_TRIES : row.query_attempts >= PENDING_PROMPT_TRIES
    if (!giveUp) return
    // Never asked about again; the person is told M-Pesa has no record of it (nothing was charged by it).
    await this.db
      .updateTable('mpesa_prompts')
      .set({ status: 'unknown', settled_at: this.now(), result_desc: answer === 'unknown' ? 'M-Pesa does not know this prompt' : 'M-Pesa never gave a final answer' })
      .where('checkout_request_id', '=', checkoutRequestId)
      .where('status', '=', 'pending')
      .execute()
    this.deps.log?.warn({ checkoutRequestId, answer, tries: row.query_attempts }, 'M-Pesa prompt given up: no longer asked about')
  }

  async latestPrompt(invoiceId: string): Promise<Prompt | undefined> {
    if (!isUuid(invoiceId)) return undefined
    const row = await this.db.selectFrom('mpesa_prompts').selectAll().where('invoice_id', '=', invoiceId).orderBy('created_at', 'desc').limit(1).executeTakeFirst()
    return row && toPrompt(row)
  }

  /**
   * Credits a payment in one transaction: the payment (unique M-Pesa receipt: a repeat is 'duplicate'
   * and changes nothing), the ledger, the invoice's paid amount and status, the application's
   * submission once paid, the payer's receipt message and an audit entry. A claim for no bill reference
   * or prompt of ours credits nothing ('unknown-reference'). What was paid is what is credited: a part
   * payment or an overpayment is flagged for a person to look at, never refused.
   */
  creditPayment(claim: CreditClaim): Promise<CreditOutcome> {
    return this.db.transaction().execute((trx) => creditIn(trx, this.deps, claim))
  }

  /** creditPayment in the caller's transaction (the inbox processor's). */
  creditIn(trx: Executor, claim: CreditClaim): Promise<CreditOutcome> {
    return creditIn(trx, this.deps, claim)
  }

  async refund(invoiceId: string, request: RefundRequest): Promise<void> {
    if (!isUuid(invoiceId)) throw new Invalid({ amount: { key: 'payments.refund.errors.amount' } })
    await this.db.transaction().execute((trx) => refundIn(trx, this.deps, invoiceId, request))
  }

  /** What a receipt shows, by payment id or by our receipt number (any case, spaces). */
  async receipt(idOrNumber: string): Promise<ReceiptData | undefined> {
    const number = normaliseReference(idOrNumber)
    const payment = isUuid(idOrNumber)
      ? await findPayment(this.db, { id: idOrNumber })
      : number?.startsWith(`${RECEIPT_PREFIX}-`)
        ? await findPayment(this.db, { receiptNumber: number })
        : undefined
    if (!payment) return undefined
    const invoice = (await findInvoice(this.db, { id: payment.invoiceId }))!
    const application = await this.db
      .selectFrom('applications')
      .innerJoin('accounts', 'accounts.id', 'applications.account_id')
      .select(['applications.reference', 'applications.service_slug', 'applications.definition_version', 'accounts.first_name', 'accounts.last_name'])
      .where('applications.id', '=', invoice.applicationId)
      .executeTakeFirstOrThrow()
    const definition = pinnedDefinition(this.deps.catalogue, application)
    const agency = await agencyName(this.db, invoice.agencyCode)
    const initial = (name: string) => (name.trim()[0] ? `${name.trim()[0]!.toUpperCase()}.` : '')
    return {
      payment,
      invoice,
      agency: { code: invoice.agencyCode, ...agency },
      service: definition.name,
      applicationReference: application.reference,
      payerInitials: [initial(application.first_name), initial(application.last_name)].filter(Boolean).join(' '),
    }
  }

  /** The prompt, for the "check your phone" page and tests. */
  prompt(checkoutRequestId: string): Promise<Prompt | undefined> {
    return findPrompt(this.db, checkoutRequestId)
  }
}
