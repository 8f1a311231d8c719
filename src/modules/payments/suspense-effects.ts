/**
 * What an approved suspense proposal does to money, in the approval's transaction (suspense-review.ts):
 * held money matched to an invoice becomes a payment on it, or is moved to refunds-payable. The cash
 * came in when the item was held (suspense-received: mpesa-paybill → mpesa-suspense), so nothing here
 * posts cash again, which is why creditTarget (credit.ts), that does, is not used.
 */
import { randomUUID } from 'node:crypto'
import { AppError } from '../../platform/http/errors.js'
import { findContact } from '../applications/store.js'
import { sendToAccount } from '../notifications/inbox.js'
import { formatMoney } from '../services/fees.js'
import { newReference } from '../services/reference.js'
import { governmentCents, invoiceLink, noticePayer, RECEIPT_PREFIX, submitPaidApplication } from './credit.js'
import { ACCOUNTS, post } from './ledger.js'
import type { Invoice, PaymentFlag } from './model.js'
import type { PaymentsDeps } from './service.js'
import { findInvoice, lockCreditTarget, type Executor } from './store.js'
import { postSuspense, SUSPENSE_ACCOUNT } from './suspense.js'
import type { SuspenseRow } from './suspense-review.js'

type AuditDetails = Record<string, string | number | boolean | null>

/** An action this item does not allow now: against four eyes (403), or overtaken by someone else (409). */
export class SuspenseRefused extends AppError {
  constructor(
    status: 403 | 409,
    /** A locale key under payments.suspense.refused. */
    readonly reason: 'ownProposal' | 'changed' | 'notAllowed' | 'invoiceNotOpen',
    readonly params: Record<string, string> = {},
  ) {
    super(status, `suspense action refused: ${reason}`)
  }
}

/** Owed now on an open invoice (total less what was paid net of refunds); 0 on any other. */
export function owedOn(invoice: Invoice): number {
  const open = invoice.status === 'pending' || invoice.status === 'partly-paid'
  return open ? Math.max(0, invoice.totalCents - (invoice.paidCents - invoice.refundedCents)) : 0
}

/** A receipt number of our own, drawn again on the rare clash (credit.ts does the same). */
async function insertPayment(trx: Executor, values: Omit<Parameters<typeof insertRow>[1], 'receipt_number'>): Promise<string> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const receiptNumber = newReference(RECEIPT_PREFIX)
    if (await insertRow(trx, { ...values, receipt_number: receiptNumber })) return receiptNumber
  }
  throw new Error('could not draw a free receipt number')
}

async function insertRow(
  trx: Executor,
  values: {
    id: string
    invoice_id: string
    source: 'c2b' | 'stk'
    mpesa_receipt: string
    amount_cents: number
    phone: string | null
    paid_at: Date
    bill_reference: string | null
    raw: string
    receipt_number: string
    overpaid_cents: number
    flagged_reason: PaymentFlag | null
    inbox_id: string | null
  },
): Promise<boolean> {
  const row = await trx
    .insertInto('payments')
    .values({ ...values, currency: 'KES' })
    .onConflict((oc) => oc.column('receipt_number').doNothing())
    .returning('id')
    .executeTakeFirst()
  return Boolean(row)
}

/**
 * Held money to the proposed invoice: a payment with the item's M-Pesa receipt (its mpesa_receipts row
 * now names the payment, and still the item), suspense → customer clearing, and, when that pays the
 * invoice in full, its revenue recognised exactly as creditTarget does; the invoice counts it, the
 * application waiting for payment is submitted, and the payer gets their receipt.
 */
export async function matchHeld(trx: Executor, deps: PaymentsDeps, row: SuspenseRow): Promise<AuditDetails> {
  const chosen = await findInvoice(trx, { id: row.proposed_invoice_id! })
  const target = chosen && (await lockCreditTarget(trx, { billReference: chosen.billReference }))
  const invoice = target?.invoice
  // Paid or closed since the proposal (another payment came): nothing is moved; reject and propose again.
  if (!invoice || invoice.currency !== row.currency || owedOn(invoice) === 0) {
    throw new SuspenseRefused(409, 'invoiceNotOpen', { bill: chosen?.billReference ?? '' })
  }
  const amount = Number(row.amount_cents)
  const owed = owedOn(invoice)
  const applied = Math.min(amount, owed)
  const overpaid = amount - applied
  const becomesPaid = applied === owed
  const status = becomesPaid ? 'paid' : 'partly-paid'
  const paymentId = randomUUID()
  const receiptNumber = await insertPayment(trx, {
    id: paymentId,
    invoice_id: invoice.id,
    // A bill reference means the payer used the paybill (C2B); without one it was a prompt's result.
    source: row.bill_reference ? 'c2b' : 'stk',
    mpesa_receipt: row.mpesa_receipt!,
    amount_cents: amount,
    phone: row.phone,
    paid_at: row.paid_at ?? row.created_at,
    bill_reference: row.bill_reference,
    raw: JSON.stringify({ suspenseId: row.id, reason: row.reason, details: row.details ?? null }),
    overpaid_cents: overpaid,
    flagged_reason: overpaid > 0 ? 'overpayment' : applied < owed ? 'underpayment' : null,
    inbox_id: row.inbox_id,
  })
  await trx.updateTable('mpesa_receipts').set({ payment_id: paymentId }).where('receipt', '=', row.mpesa_receipt!).where('suspense_id', '=', row.id).execute()
  await postSuspense(trx, row.id, 'suspense-matched', [{ account: SUSPENSE_ACCOUNT, debit: amount }, { account: ACCOUNTS.clearing, credit: amount }], invoice.id)
  if (becomesPaid) {
    const government = governmentCents(invoice)
    await post(trx, {
      invoiceId: invoice.id,
      paymentId,
      kind: 'revenue-recognised',
      currency: invoice.currency,
      postings: [
        { account: ACCOUNTS.clearing, debit: invoice.totalCents },
        { account: ACCOUNTS.agencyRevenue(invoice.agencyCode), credit: government },
        { account: ACCOUNTS.convenience, credit: invoice.totalCents - government },
      ],
    })
  }
  await trx
    .updateTable('invoices')
    .set({ paid_cents: invoice.paidCents + amount, status, ...(becomesPaid ? { paid_at: new Date() } : {}) })
    .where('id', '=', invoice.id)
    .execute()
  if (becomesPaid) await submitPaidApplication(trx, deps, invoice)
  await noticePayer(trx, deps, invoice, target.payer, { amountCents: amount, mpesa: row.mpesa_receipt, receiptNumber, balanceCents: owed - applied })
  return { billReference: invoice.billReference, receiptNumber, invoiceStatus: status, overpaidCents: overpaid }
}

/**
 * Held money owed back to whoever paid it: suspense → refunds-payable (paying it out, M-Pesa B2C, is not
 * built). The payer of an item with no invoice has no account to be told through: the audit entry says
 * so. An item meant for an invoice tells that invoice's account holder.
 */
export async function refundHeld(trx: Executor, deps: PaymentsDeps, row: SuspenseRow): Promise<AuditDetails> {
  const amount = Number(row.amount_cents)
  // No invoice on the entry: the money never reached one, and the invoice's own ledger stays as it was.
  await postSuspense(trx, row.id, 'suspense-refunded', [{ account: SUSPENSE_ACCOUNT, debit: amount }, { account: ACCOUNTS.refunds, credit: amount }])
  const invoice = row.invoice_id ? await findInvoice(trx, { id: row.invoice_id }) : undefined
  if (!invoice) return { payerTold: false, phone: row.phone ? `…${row.phone.slice(-3)}` : null }
  const contact = await findContact(trx, invoice.accountId)
  const reason = (row.proposal_note ?? '').slice(0, 200)
  await sendToAccount(trx, deps.jobs, {
    key: `suspense-refund:${row.id}`,
    accountId: invoice.accountId,
    language: contact.language,
    email: contact.email,
    phone: contact.phone,
    template: 'payment-refunded',
    params: (lang) => ({ amount: formatMoney(amount, 'KES', lang), bill: invoice.billReference, reason, link: invoiceLink(deps.publicUrl, invoice) }),
  })
  return { payerTold: true, billReference: invoice.billReference }
}
