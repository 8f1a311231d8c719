/**
 * A paybill confirmation, as a claim: the shortcode must be ours, and where the operator turns it on,
 * Daraja's Transaction Status API confirms the receipt before it pays an invoice (its answer comes back to
 * the result address as an inbox message of its own). The daily statement reconciliation catches the rest.
 */
import { readC2bPayment, readTransactionStatusResult } from '../daraja/protocol.js'
import type { PaymentsService } from '../service.js'
import type { Executor } from '../store.js'
import { holdInSuspense } from '../suspense.js'
import { type Step } from './steps.js'
import type { InboxRow } from './store.js'

export interface C2bDeps {
  payments: PaymentsService
  shortcode: string
  /** Asks Daraja's Transaction Status API about a receipt; undefined when the check is off. */
  askStatus: ((receipt: string) => Promise<{ originatorConversationId: string; conversationId: string }>) | undefined
}

export async function confirmationStep(deps: C2bDeps, row: InboxRow): Promise<Step> {
  const payment = readC2bPayment(row.body)
  const claim = () => ({
    source: 'c2b' as const,
    receipt: payment.transId,
    amountCents: payment.amountCents,
    currency: 'KES' as const,
    phone: payment.phone,
    paidAt: payment.transTime,
    billReference: payment.billReference,
    raw: row.body,
    inboxId: row.id,
    payerName: payment.firstName,
  })
  const forReview = (trx: Executor, reason: 'not-our-shortcode' | 'unconfirmed-claim', why: string) =>
    holdInSuspense(trx, {
      reason,
      held: false,
      amountCents: payment.amountCents,
      receipt: payment.transId,
      phone: payment.phone,
      payerName: payment.firstName,
      billReference: payment.billReference,
      inboxId: row.id,
      paidAt: payment.transTime,
      details: { why, shortcode: payment.shortcode, sourceIp: row.sourceIp },
    }).then(() => reason)
  if (payment.shortcode !== deps.shortcode) return { apply: (trx) => forReview(trx, 'not-our-shortcode', 'paid to another shortcode') }
  if (deps.askStatus) {
    const check = await deps.payments.deps.db.selectFrom('mpesa_status_checks').select('status').where('inbox_id', '=', row.id).executeTakeFirst()
    if (check?.status === 'refuted') return { apply: (trx) => forReview(trx, 'unconfirmed-claim', 'M-Pesa does not confirm this receipt') }
    if (check?.status !== 'confirmed') {
      if (!check) {
        const asked = await deps.askStatus(payment.transId)
        await deps.payments.deps.db
          .insertInto('mpesa_status_checks')
          .values({ originator_conversation_id: asked.originatorConversationId, conversation_id: asked.conversationId, inbox_id: row.id, receipt: payment.transId })
          .onConflict((oc) => oc.doNothing())
          .execute()
      }
      return { retry: 'awaiting-transaction-status', giveUp: (trx) => forReview(trx, 'unconfirmed-claim', 'M-Pesa never answered the status check') }
    }
  }
  return { apply: async (trx) => (await deps.payments.creditIn(trx, claim())).outcome }
}

/**
 * Daraja's Transaction Status answer: the check it answers is marked, and the confirmation that waited for
 * it is processed next (the processor is told which, by the returned id).
 */
export function transactionStatusStep(deps: C2bDeps, row: InboxRow): { step: Step; resumes: Promise<string | undefined> } {
  const result = readTransactionStatusResult(row.body)
  let resumes: (id: string | undefined) => void = () => {}
  const promise = new Promise<string | undefined>((resolve) => (resumes = resolve))
  const step: Step = {
    apply: async (trx) => {
      const check = await trx.selectFrom('mpesa_status_checks').select(['inbox_id', 'receipt', 'status']).where('originator_conversation_id', '=', result.originatorConversationId).forUpdate().executeTakeFirst()
      if (!check || check.status !== 'pending') {
        resumes(undefined)
        return check ? 'already-answered' : 'unknown-check'
      }
      const confirmed = result.resultCode === 0 && result.receipt === check.receipt && (result.status === undefined || /completed/i.test(result.status))
      await trx.updateTable('mpesa_status_checks').set({ status: confirmed ? 'confirmed' : 'refuted', answered_at: new Date() }).where('originator_conversation_id', '=', result.originatorConversationId).execute()
      // The confirmation is asked again now, not when its retry falls due.
      await trx.updateTable('mpesa_inbox').set({ next_attempt_at: null }).where('id', '=', check.inbox_id).execute()
      resumes(String(check.inbox_id))
      return confirmed ? 'confirmed' : 'refuted'
    },
  }
  return { step, resumes: promise }
}
