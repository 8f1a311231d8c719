/**
 * The suspense account: money M-Pesa confirmed that we could not match to what it was meant for, and
 * claims we could not believe. Nothing M-Pesa tells us lives only in a log: each is an item here, for a
 * person to match to an invoice or refund (four eyes), and held money sits in the ledger's suspense
 * account until then.
 */
import { audit } from '../../platform/audit/audit.js'
import { ACCOUNTS } from './ledger.js'
import type { SuspenseReason } from './inbox-tables.js'
import type { Executor } from './store.js'
import { balancedPostings } from './ledger.js'

export const SUSPENSE_ACCOUNT = 'mpesa-suspense'

export interface SuspenseItem {
  reason: SuspenseReason
  /** Money M-Pesa confirmed, held in the suspense account; 0 for a claim that moved nothing. */
  amountCents: number
  held: boolean
  phone?: string | null
  payerName?: string | null
  receipt?: string | null
  billReference?: string | null
  checkoutRequestId?: string | null
  invoiceId?: string | null
  agencyCode?: string | null
  inboxId?: string | null
  paidAt?: Date | null
  details?: Record<string, unknown>
}

export type SuspenseOutcome = { outcome: 'suspense'; suspenseId: string } | { outcome: 'duplicate' }

/**
 * One item in the caller's transaction. Held money claims its receipt first (mpesa_receipts): a receipt
 * already credited or held is a duplicate and adds nothing. The inbox row and reason are unique too, so
 * processing a message twice cannot add a second item.
 */
export async function holdInSuspense(trx: Executor, item: SuspenseItem): Promise<SuspenseOutcome> {
  if (item.held && (!item.receipt || !Number.isSafeInteger(item.amountCents) || item.amountCents <= 0)) {
    throw new RangeError('held money needs its M-Pesa receipt and a positive amount')
  }
  const inserted = await trx
    .insertInto('payment_suspense')
    .values({
      reason: item.reason,
      held: item.held,
      amount_cents: item.held ? item.amountCents : 0,
      phone: item.phone?.slice(0, 20) ?? null,
      payer_name: item.payerName?.slice(0, 200) ?? null,
      mpesa_receipt: item.receipt?.slice(0, 40) ?? null,
      bill_reference: item.billReference?.slice(0, 40) ?? null,
      checkout_request_id: item.checkoutRequestId?.slice(0, 100) ?? null,
      invoice_id: item.invoiceId ?? null,
      agency_code: item.agencyCode ?? null,
      inbox_id: item.inboxId ?? null,
      paid_at: item.paidAt ?? null,
      details: JSON.stringify({ ...(item.details ?? {}), ...(item.held ? {} : { claimedAmountCents: item.amountCents }) }),
    })
    .onConflict((oc) => oc.columns(['inbox_id', 'reason']).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!inserted) return { outcome: 'duplicate' }
  if (item.held) {
    const claimed = await trx
      .insertInto('mpesa_receipts')
      .values({ receipt: item.receipt!, amount_cents: item.amountCents, suspense_id: inserted.id })
      .onConflict((oc) => oc.column('receipt').doNothing())
      .returning('receipt')
      .executeTakeFirst()
    if (!claimed) {
      // Credited or held before: this item is not money of its own.
      await trx.deleteFrom('payment_suspense').where('id', '=', inserted.id).execute()
      return { outcome: 'duplicate' }
    }
    await postSuspense(trx, inserted.id, 'suspense-received', [
      { account: ACCOUNTS.cash, debit: item.amountCents },
      { account: SUSPENSE_ACCOUNT, credit: item.amountCents },
    ])
  }
  await audit(trx, {
    action: item.held ? 'payment.suspense-held' : 'payment.claim-for-review',
    outcome: 'success',
    subjectType: 'payment_suspense',
    subjectId: inserted.id,
    details: { reason: item.reason, amountCents: item.amountCents, receipt: item.receipt ?? null, billReference: item.billReference ?? null, checkoutRequestId: item.checkoutRequestId ?? null },
  })
  return { outcome: 'suspense', suspenseId: inserted.id }
}

/** A balanced ledger entry about a suspense item (no invoice yet). */
export async function postSuspense(
  trx: Executor,
  suspenseId: string,
  kind: 'suspense-received' | 'suspense-matched' | 'suspense-refunded',
  postings: { account: string; debit?: number; credit?: number }[],
  invoiceId: string | null = null,
): Promise<void> {
  const lines = balancedPostings({ kind: 'payment-received', postings })
  const entry = await trx.insertInto('ledger_entries').values({ invoice_id: invoiceId, suspense_id: suspenseId, kind, payment_id: null, refund_id: null }).returning('id').executeTakeFirstOrThrow()
  await trx
    .insertInto('ledger_lines')
    .values(lines.map((line) => ({ entry_id: entry.id, account: line.account, currency: 'KES' as const, debit_cents: line.debit ?? 0, credit_cents: line.credit ?? 0 })))
    .execute()
}
