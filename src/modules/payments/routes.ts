import type { FastifyInstance, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { formatMoney } from '../services/fees.js'
import type { Language } from '../services/definition.js'
import type { Translate } from '../../platform/i18n/i18n.js'
import type { ReceiptData } from './model.js'
import { refundable } from './refund.js'
import { receiptPdf } from './receipt-pdf.js'
import { nairobiDay, settlementReport } from './reconcile.js'
import type { PaymentsService } from './service.js'

export interface PaymentRoutesDeps {
  payments: PaymentsService
  publicUrl: string
  portalName: string
}

const AGENCY_STAFF = new Set(['agency_officer', 'agency_supervisor', 'agency_admin'])

/** The payer, or staff of the invoice's agency: anyone else is told it does not exist (404, not 403). */
function mayRead(request: FastifyRequest, data: ReceiptData): boolean {
  const session = request.session!
  return session.accountId === data.invoice.accountId || (AGENCY_STAFF.has(session.role) && session.agencyCode === data.invoice.agencyCode)
}

/** "1,050" or "1050.50" (shillings, as people type them) to cents; NaN when it is not an amount. */
function parseAmount(text: unknown): number {
  const value = typeof text === 'string' ? text.replace(/[,\s]/g, '').replace(/^KES/i, '') : ''
  return /^\d{1,9}(\.\d{1,2})?$/.test(value) ? Math.round(Number(value) * 100) : Number.NaN
}

/** The page that says whether a receipt is genuine. /verify/:number (the documents module) serves it. */
export const RECEIPT_CHECK_VIEW = 'payments/views/verify.njk'

/**
 * The public check of a receipt number, as RECEIPT_CHECK_VIEW shows it: genuine or not, and what any
 * holder of the receipt may see (never the payer's name or phone). `found` is undefined for no receipt.
 */
export async function receiptCheck(payments: PaymentsService, text: string, language: Language, t: Translate) {
  const number = text.slice(0, 40)
  const data = await payments.receipt(number)
  const found = data && {
    number: data.payment.receiptNumber,
    amount: formatMoney(data.payment.amountCents, data.payment.currency, language),
    paidAt: data.payment.paidAt,
    agency: data.agency[language],
    service: data.service[language],
    billReference: data.invoice.billReference,
    payer: data.payerInitials,
  }
  return { pageTitle: t('payments.verify.title'), found, number }
}

/** Receipts (PDF), the agency's settlement file and refunds. */
export function paymentRoutes(app: FastifyInstance, deps: PaymentRoutesDeps): void {
  const { payments } = deps

  app.get<{ Params: { receiptNumber: string } }>('/payments/receipts/:receiptNumber.pdf', allow('account.own'), async (request, reply) => {
    const data = await payments.receipt(request.params.receiptNumber)
    if (!data || !mayRead(request, data)) throw new NotFound('no such receipt')
    const pdf = await receiptPdf(data, { publicUrl: deps.publicUrl, portalName: deps.portalName, language: request.language(), t: request.t })
    return reply
      .type('application/pdf')
      .header('Content-Disposition', `attachment; filename="receipt-${data.payment.receiptNumber}.pdf"`)
      .header('Cache-Control', 'private, no-store')
      .send(pdf)
  })

  app.get<{ Querystring: { date?: string } }>('/payments/settlement.csv', allow('agency.admin'), async (request, reply) => {
    const agency = request.session!.agencyCode
    if (!agency) throw new NotFound('no agency')
    const date = request.query.date ?? ''
    try {
      nairobiDay(date)
    } catch {
      throw new Invalid({ date: { key: 'payments.settlement.errors.date' } })
    }
    const csv = await settlementReport(payments.deps.db, agency, date)
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="settlement-${agency}-${date}.csv"`)
      .header('Cache-Control', 'private, no-store')
      .send(csv)
  })

  type RefundParams = { Params: { billReference: string } }
  /** The invoice an agency admin may refund: their own agency's, else NotFound. */
  const ownInvoice = async (request: FastifyRequest<RefundParams>) => {
    const invoice = await payments.findInvoiceByBillReference(request.params.billReference)
    if (!invoice || invoice.agencyCode !== request.session!.agencyCode) throw new NotFound('no such invoice')
    return invoice
  }
  const refundPage = async (request: FastifyRequest<RefundParams>, extra: object = {}) => {
    const invoice = await ownInvoice(request)
    const { clearing, revenue } = await refundable(payments.deps.db, invoice)
    const language = request.language()
    return {
      pageTitle: request.t('payments.refund.title'),
      invoice,
      status: request.t(`payments.status.${invoice.status}`),
      paid: formatMoney(invoice.paidCents, invoice.currency, language),
      refunded: formatMoney(invoice.refundedCents, invoice.currency, language),
      refundable: formatMoney(clearing + revenue, invoice.currency, language),
      canRefund: clearing + revenue > 0,
      ...extra,
    }
  }

  app.get<RefundParams & { Querystring: { done?: string } }>('/backoffice/invoices/:billReference/refund', allow('agency.admin'), async (request, reply) => {
    return reply.page('payments/views/refund.njk', await refundPage(request, { done: request.query.done === '1' }))
  })

  app.post<RefundParams & { Body: { amount?: string; reason?: string } }>('/backoffice/invoices/:billReference/refund', allow('agency.admin'), async (request, reply) => {
    const invoice = await ownInvoice(request)
    const session = request.session!
    const form = { amount: String(request.body?.amount ?? '').slice(0, 30), reason: String(request.body?.reason ?? '').slice(0, 1000) }
    try {
      const amountCents = parseAmount(form.amount)
      if (Number.isNaN(amountCents)) throw new Invalid({ amount: { key: 'payments.refund.errors.amountFormat' } })
      await payments.refund(invoice.id, { amountCents, reason: form.reason, actor: { accountId: session.accountId, role: session.role } })
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      return reply.code(400).page('payments/views/refund.njk', await refundPage(request, { errors: errorSummary(error, request.t), form }))
    }
    return reply.redirect(`/backoffice/invoices/${invoice.billReference}/refund?done=1`, 303)
  })
}
