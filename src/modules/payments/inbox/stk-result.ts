/**
 * An STK push result, verified before money moves. A result is credited as it stands only when it is for
 * a prompt we sent and names the amount and the phone that prompt asked for; anything else is asked of
 * Daraja's STK query, the authoritative answer, and a claim the query does not bear out is kept for
 * review, never credited. A forged or mismatched claim therefore never blocks the genuine result.
 */
import type { StkQueryAnswer } from '../daraja/client.js'
import { readStkCallback, type StkResult } from '../daraja/protocol.js'
import type { PaymentsService } from '../service.js'
import { findPrompt, lockCreditTarget, type Executor } from '../store.js'
import { holdInSuspense } from '../suspense.js'
import type { Step } from './steps.js'
import type { InboxRow } from './store.js'

export interface StkResultDeps {
  payments: PaymentsService
  /** Daraja's STK query; undefined without M-Pesa (then nothing unverified is ever credited). */
  query: ((checkoutRequestId: string) => Promise<StkQueryAnswer>) | undefined
  now?: () => Date
}

/** A timed-out push is matched to a late result only within this window. */
export const LATE_RESULT_WINDOW_MS = 24 * 3_600_000

export async function stkResultStep(deps: StkResultDeps, row: InboxRow): Promise<Step> {
  const result = readStkCallback(row.body)
  const { payments } = deps
  const checkoutRequestId = result.checkoutRequestId
  if (result.resultCode !== 0) {
    // A failure moves no money: it settles a pending prompt (a forged one costs the payer a retry, nothing more).
    return {
      apply: async (trx) =>
        (await payments.settlePromptIn(trx, checkoutRequestId, { resultCode: result.resultCode, resultDesc: result.resultDesc, raw: row.body, inboxId: row.id })).outcome,
    }
  }
  const paid = result.paid!
  const prompt = await findPrompt(payments.deps.db, checkoutRequestId)
  if (prompt && prompt.amountCents === paid.amountCents && prompt.phone === paid.phone) {
    return { apply: (trx) => creditCallback(trx, deps, row, result) }
  }
  // Not what we asked for, or for no prompt we know: Daraja's query decides.
  if (!deps.query) return { apply: (trx) => keepForReview(trx, row, result, 'unconfirmed-claim', { why: 'no M-Pesa gateway to confirm with' }) }
  const answer = await deps.query(checkoutRequestId)
  const giveUp = (trx: Executor) => keepForReview(trx, row, result, 'unconfirmed-claim', { why: 'M-Pesa never confirmed it' })
  if (answer.state === 'pending') return { retry: 'awaiting-query', giveUp }
  if (answer.state === 'unknown') return { apply: (trx) => keepForReview(trx, row, result, 'unconfirmed-claim', { why: 'M-Pesa does not know this prompt' }) }
  if (answer.resultCode !== 0) {
    return {
      apply: async (trx) => {
        await payments.settlePromptIn(trx, checkoutRequestId, { resultCode: answer.resultCode, resultDesc: answer.resultDesc, raw: answer.raw, source: 'query' })
        return keepForReview(trx, row, result, 'unconfirmed-claim', { why: `M-Pesa says the prompt failed (${answer.resultCode})` })
      },
    }
  }
  if (prompt) {
    // The prompt was paid, but not as this claim says: its own amount is credited, receipt to follow,
    // and the claim is kept for a person to look at.
    return {
      apply: async (trx) => {
        const settled = await payments.settlePromptIn(trx, checkoutRequestId, { resultCode: 0, resultDesc: answer.resultDesc, raw: answer.raw, source: 'query' })
        await keepForReview(trx, row, result, 'amount-mismatch', { promptAmountCents: prompt.amountCents, promptPhone: prompt.phone, settled: settled.outcome })
        return `query-confirmed:${settled.outcome}`
      },
    }
  }
  return { apply: (trx) => lateResult(trx, deps, row, result) }
}

/** A trusted result: credited with its receipt (or completing a query-confirmed payment's receipt). */
async function creditCallback(trx: Executor, deps: StkResultDeps, row: InboxRow, result: StkResult): Promise<string> {
  const paid = result.paid!
  const settled = await deps.payments.settlePromptIn(trx, result.checkoutRequestId, {
    resultCode: 0,
    resultDesc: result.resultDesc,
    receipt: paid.receipt,
    amountCents: paid.amountCents,
    phone: paid.phone,
    paidAt: paid.paidAt,
    raw: row.body,
    inboxId: row.id,
  })
  if (settled.outcome !== 'duplicate') return settled.outcome
  // The prompt was paid before under another receipt, or this receipt paid something else: two claims
  // of one payment cannot both be true, so a person decides (the statement tells which is real).
  const before = 'paymentId' in settled && settled.paymentId ? await trx.selectFrom('payments').select(['mpesa_receipt', 'checkout_request_id']).where('id', '=', settled.paymentId).executeTakeFirst() : undefined
  // The same result again (Daraja resends): nothing to do.
  if (before?.mpesa_receipt === paid.receipt && before.checkout_request_id === result.checkoutRequestId) return 'duplicate'
  await keepForReview(trx, row, result, 'conflicting-result', { creditedReceipt: before?.mpesa_receipt ?? null })
  return 'conflicting-result'
}

/**
 * M-Pesa confirms a payment for a prompt we never recorded: a push whose sending timed out. Matched when
 * the phone and amount fit exactly one recent such push; otherwise held in suspense for a person.
 */
async function lateResult(trx: Executor, deps: StkResultDeps, row: InboxRow, result: StkResult): Promise<string> {
  const paid = result.paid!
  const since = new Date((deps.now?.() ?? new Date()).getTime() - LATE_RESULT_WINDOW_MS)
  const candidates = await trx
    .selectFrom('mpesa_push_timeouts')
    .select(['id', 'invoice_id', 'sent_at'])
    .where('phone', '=', paid.phone)
    .where('amount_cents', '=', paid.amountCents)
    .where('matched_checkout_request_id', 'is', null)
    .where('sent_at', '>=', since)
    .forUpdate()
    .execute()
  if (candidates.length === 1) {
    const push = candidates[0]!
    await trx
      .insertInto('mpesa_prompts')
      .values({ checkout_request_id: result.checkoutRequestId, merchant_request_id: result.merchantRequestId, invoice_id: push.invoice_id, phone: paid.phone, amount_cents: paid.amountCents, created_at: push.sent_at })
      .onConflict((oc) => oc.column('checkout_request_id').doNothing())
      .execute()
    await trx.updateTable('mpesa_push_timeouts').set({ matched_checkout_request_id: result.checkoutRequestId }).where('id', '=', push.id).execute()
    if (!(await lockCreditTarget(trx, { checkoutRequestId: result.checkoutRequestId }))) return 'unknown-prompt'
    return `late-result:${await creditCallback(trx, deps, row, result)}`
  }
  const held = await holdInSuspense(trx, {
    reason: 'late-result',
    held: true,
    amountCents: paid.amountCents,
    receipt: paid.receipt,
    phone: paid.phone,
    checkoutRequestId: result.checkoutRequestId,
    inboxId: row.id,
    paidAt: paid.paidAt,
    details: { candidates: candidates.length },
  })
  return held.outcome
}

/** A claim that moved no money, kept with what it said for a person to look at. */
async function keepForReview(trx: Executor, row: InboxRow, result: StkResult, reason: 'unconfirmed-claim' | 'amount-mismatch' | 'conflicting-result', details: Record<string, unknown>): Promise<string> {
  const prompt = await trx.selectFrom('mpesa_prompts as p').innerJoin('invoices as i', 'i.id', 'p.invoice_id').select(['i.id', 'i.agency_code', 'i.bill_reference']).where('p.checkout_request_id', '=', result.checkoutRequestId).executeTakeFirst()
  await holdInSuspense(trx, {
    reason,
    held: false,
    amountCents: result.paid?.amountCents ?? 0,
    receipt: result.paid?.receipt,
    phone: result.paid?.phone,
    checkoutRequestId: result.checkoutRequestId,
    invoiceId: prompt?.id,
    agencyCode: prompt?.agency_code,
    billReference: prompt?.bill_reference,
    inboxId: row.id,
    paidAt: result.paid?.paidAt,
    details: { ...details, sourceIp: row.sourceIp },
  })
  return reason
}

