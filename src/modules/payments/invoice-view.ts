import type { Translate } from '../../platform/i18n/i18n.js'
import type { Language } from '../services/definition.js'
import { formatMoney } from '../services/fees.js'
import { findInvoice, paymentsFor, type Executor } from './store.js'
import { longNairobiDate } from '../../platform/i18n/dates.js'

export interface InvoiceView {
  billReference: string
  status: string
  rows: { text: string; format?: 'numeric' }[][]
  total: string
  paid?: string
  due?: string
  /** Where to pay (the M-Pesa pages), while something is owed. */
  payHref?: string
  /** Whether to show the paybill details (the number itself is the template's `paybillNumber`). */
  paybill: boolean
  receipts: { href: string; text: string }[]
}

/** The invoice as the application page shows it: lines, status, "Pay now" while owed, and receipts. */
export async function invoiceView(db: Executor, applicationId: string, language: Language, t: Translate): Promise<InvoiceView | undefined> {
  const invoice = await findInvoice(db, { applicationId })
  if (!invoice) return undefined
  const money = (cents: number) => formatMoney(cents, invoice.currency, language)
  const payable = (invoice.status === 'pending' || invoice.status === 'partly-paid') && invoice.currency === 'KES'
  const payments = await paymentsFor(db, invoice.id)
  return {
    billReference: invoice.billReference,
    status: t(`payments.status.${invoice.status}`),
    rows: invoice.lines.map((line) => [{ text: line.label[language] }, { text: money(line.amountCents), format: 'numeric' }]),
    total: t('payments.invoice.total', { amount: money(invoice.totalCents) }),
    paid: invoice.paidCents > 0 ? t('payments.invoice.paid', { amount: money(invoice.paidCents) }) : undefined,
    due: payable
      ? t('payments.invoice.due', { date: longNairobiDate(invoice.dueAt, language) })
      : undefined,
    payHref: payable ? `/payments/invoices/${invoice.billReference}` : undefined,
    paybill: payable,
    receipts: payments.map((payment) => ({
      href: `/payments/receipts/${payment.receiptNumber}.pdf`,
      text: t('payments.invoice.receiptLink', { number: payment.receiptNumber, amount: money(payment.amountCents) }),
    })),
  }
}
