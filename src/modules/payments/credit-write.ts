import { sql } from 'kysely'
import { balancedPostings, type Entry } from './ledger.js'
import type { Payment } from './model.js'
import type { InvoiceStatus, PaymentFlag } from './tables.js'
import type { Executor } from './store.js'

/** What crediting one payment writes (credit.ts decides it, with the invoice locked). */
export interface CreditWrite {
  payment: Omit<Payment, 'flaggedReason'> & {
    checkoutRequestId: string | null
    inboxId: string | null
    billReference: string | null
    raw: unknown
    flag: PaymentFlag | null
  }
  invoice: { paidCents: number; status: InvoiceStatus; paidAt: Date | null }
  /** Their payment is the one inserted here. */
  entries: Pick<Entry, 'kind' | 'postings'>[]
  /** An STK prompt whose success this is: marked succeeded (even when the payment is a duplicate). */
  settle?: { checkoutRequestId: string; resultCode: number; resultDesc: string; settledAt: Date }
}

/**
 * The writes of a credit in one statement, in the caller's transaction: the prompt settled, the payment,
 * and, only if the payment was inserted, the invoice's paid amount and status and the ledger entries with
 * their lines. The payment insert does nothing when the M-Pesa receipt or the prompt was credited before
 * (or our random receipt number is taken): the unique constraints decide, in this transaction, and then
 * nothing else is written. One round trip where there were six. Returns the payment's id, if inserted.
 */
export async function writeCredit(trx: Executor, write: CreditWrite): Promise<string | undefined> {
  const { payment, invoice, settle } = write
  const entries = write.entries.map((entry) => ({ kind: entry.kind, postings: balancedPostings(entry) }))
  const lines = entries.flatMap((entry) => entry.postings.map((posting) => ({ kind: entry.kind, ...posting })))
  const settled = settle
    ? sql`settled as (
        update mpesa_prompts set status = 'succeeded', result_code = ${settle.resultCode}, result_desc = ${settle.resultDesc}, settled_at = ${settle.settledAt}
        where checkout_request_id = ${settle.checkoutRequestId} and status <> 'succeeded'
        returning 1
      ),`
    : sql``
  const result = await sql<{ id: string }>`
    with ${settled} paid as (
      insert into payments (id, invoice_id, source, mpesa_receipt, amount_cents, currency, phone, paid_at, checkout_request_id,
        bill_reference, raw, receipt_number, overpaid_cents, flagged_reason, inbox_id)
      values (${payment.id}, ${payment.invoiceId}, ${payment.source}, ${payment.mpesaReceipt}, ${payment.amountCents}, ${payment.currency}, ${payment.phone},
        ${payment.paidAt}, ${payment.checkoutRequestId}, ${payment.billReference}, ${JSON.stringify(payment.raw ?? null)}::jsonb,
        ${payment.receiptNumber}, ${payment.overpaidCents}, ${payment.flag}, ${payment.inboxId})
      on conflict do nothing
      returning id
    ), invoice as (
      update invoices set paid_cents = ${invoice.paidCents}, status = ${invoice.status}, paid_at = coalesce(${invoice.paidAt}::timestamptz, paid_at)
      where id = ${payment.invoiceId} and exists (select 1 from paid)
      returning 1
    ), entries as (
      insert into ledger_entries (invoice_id, kind, payment_id)
      select ${payment.invoiceId}, e.kind, paid.id from paid cross join unnest(${entries.map((entry) => entry.kind)}::text[]) as e(kind)
      returning id, kind
    ), lines as (
      insert into ledger_lines (entry_id, account, currency, debit_cents, credit_cents)
      select entries.id, l.account, ${payment.currency}, l.debit, l.credit
      from entries join unnest(
        ${lines.map((line) => line.kind)}::text[], ${lines.map((line) => line.account)}::text[],
        ${lines.map((line) => line.debit ?? 0)}::bigint[], ${lines.map((line) => line.credit ?? 0)}::bigint[]
      ) as l(kind, account, debit, credit) on l.kind = entries.kind
      returning 1
    )
    select id from paid`.execute(trx)
  return result.rows[0]?.id
}

/** Only the prompt settled as succeeded: for a success whose invoice cannot take it (see creditTarget). */
export async function writeSettled(trx: Executor, settle: NonNullable<CreditWrite['settle']>): Promise<void> {
  await trx
    .updateTable('mpesa_prompts')
    .set({ status: 'succeeded', result_code: settle.resultCode, result_desc: settle.resultDesc, settled_at: settle.settledAt })
    .where('checkout_request_id', '=', settle.checkoutRequestId)
    .where('status', '<>', 'succeeded')
    .execute()
}
