import { audit } from '../../platform/audit/audit.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import { findContact } from '../applications/store.js'
import { sendToAccount } from '../notifications/inbox.js'
import { formatMoney } from '../services/fees.js'
import { invoiceLink, type CreditDeps } from './credit.js'
import { ACCOUNTS, post } from './ledger.js'
import type { Invoice, RefundRequest } from './model.js'
import { findInvoice, ledgerBalances, type Executor } from './store.js'

/**
 * What can still be refunded: money held in customer clearing for the invoice (payments towards an
 * unpaid invoice, or overpayments), then, once paid, the agency's government fee. The convenience fee
 * is the platform's and is not refunded by an agency.
 */
export async function refundable(trx: Executor, invoice: Invoice): Promise<{ clearing: number; revenue: number }> {
  const balances = await ledgerBalances(trx, invoice.id)
  // Liability and revenue accounts carry credit balances: debits − credits is negative.
  const clearing = 0 - (balances.get(ACCOUNTS.clearing) ?? 0)
  const revenue = invoice.status === 'paid' || invoice.status === 'refunded' ? 0 - (balances.get(ACCOUNTS.agencyRevenue(invoice.agencyCode)) ?? 0) : 0
  return { clearing, revenue }
}

/**
 * Approves a refund in one transaction: the ledger moves the amount to refunds-payable (from clearing
 * first, then from the agency's revenue), the invoice counts it, and the payer is told. Paying it out
 * (M-Pesa B2C) is not built: refunds-payable is what is owed.
 */
export async function refundIn(trx: Executor, deps: CreditDeps, invoiceId: string, request: RefundRequest): Promise<void> {
  const reason = request.reason.trim()
  if (!reason) throw new Invalid({ reason: { key: 'payments.refund.errors.reason' } })
  if (reason.length > 1000) throw new Invalid({ reason: { key: 'payments.refund.errors.reasonLength' } })
  const invoice = await findInvoice(trx, { id: invoiceId }, true)
  if (!invoice) throw new NotFound(`no invoice ${invoiceId}`)
  const { clearing, revenue } = await refundable(trx, invoice)
  const amount = request.amountCents
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > clearing + revenue) {
    throw new Invalid({ amount: { key: 'payments.refund.errors.amount', params: { max: formatMoney(clearing + revenue, invoice.currency) } } })
  }
  const fromClearing = Math.min(amount, clearing)
  const fromRevenue = amount - fromClearing
  const { id: refundId } = await trx
    .insertInto('refunds')
    .values({ invoice_id: invoice.id, amount_cents: amount, reason, actor_account_id: request.actor.accountId })
    .returning('id')
    .executeTakeFirstOrThrow()
  await post(trx, {
    invoiceId: invoice.id,
    refundId,
    kind: 'refund',
    currency: invoice.currency,
    postings: [
      { account: ACCOUNTS.clearing, debit: fromClearing },
      { account: ACCOUNTS.agencyRevenue(invoice.agencyCode), debit: fromRevenue },
      { account: ACCOUNTS.refunds, credit: amount },
    ],
  })
  const refunded = invoice.refundedCents + amount
  const net = invoice.paidCents - refunded
  let status = invoice.status
  if (invoice.status === 'paid' && fromRevenue > 0 && fromRevenue === revenue) status = 'refunded'
  else if (invoice.status === 'pending' || invoice.status === 'partly-paid') status = net > 0 ? 'partly-paid' : 'pending'
  await trx.updateTable('invoices').set({ refunded_cents: refunded, status }).where('id', '=', invoice.id).execute()
  await audit(trx, {
    action: 'payment.refunded',
    outcome: 'success',
    actorId: request.actor.accountId,
    actorRole: request.actor.role ?? null,
    subjectType: 'invoice',
    subjectId: invoice.id,
    details: { amountCents: amount, fromClearingCents: fromClearing, fromRevenueCents: fromRevenue, status },
  })
  const contact = await findContact(trx, invoice.accountId)
  await sendToAccount(trx, deps.jobs, {
    key: `refund:${refundId}`,
    accountId: invoice.accountId,
    language: contact.language,
    email: contact.email,
    phone: contact.phone,
    template: 'payment-refunded',
    params: (lang) => ({ amount: formatMoney(amount, invoice.currency, lang), bill: invoice.billReference, reason: reason.slice(0, 200), link: invoiceLink(deps.publicUrl, invoice) }),
  })
}
