import type { Translate } from '../../platform/i18n/i18n.js'
import { drawQrCode, labelledLine, nairobiDateTime, PDF_MARGIN, renderPdf } from '../../platform/pdf.js'
import type { Language } from '../services/definition.js'
import { formatMoney } from '../services/fees.js'
import type { ReceiptData } from './model.js'

/** The public address that proves a receipt genuine; the QR code on the receipt carries it. */
export function verifyUrl(publicUrl: string, receiptNumber: string): string {
  return `${publicUrl.replace(/\/$/, '')}/verify/${receiptNumber}`
}

/**
 * A receipt as a PDF: what was paid, for which bill and service, the fee split (government fee and
 * convenience fee, as every receipt shows them), and a QR code to /verify.
 */
export async function receiptPdf(data: ReceiptData, options: { publicUrl: string; portalName: string; language: Language; t: Translate }): Promise<Buffer> {
  const { payment, invoice } = data
  const { language, t } = options
  const money = (cents: number) => formatMoney(cents, invoice.currency, language)
  const url = verifyUrl(options.publicUrl, payment.receiptNumber)
  return renderPdf({ title: `${t('payments.receipt.title')} ${payment.receiptNumber}`, author: options.portalName }, (doc) => {
    const row = (label: string, value: string) => labelledLine(doc, label, value)
    doc.font('Helvetica-Bold').fontSize(20).text(options.portalName)
    doc.font('Helvetica').fontSize(12).text(data.agency[language])
    doc.moveDown()
    doc.font('Helvetica-Bold').fontSize(16).text(`${t('payments.receipt.title')} ${payment.receiptNumber}`)
    doc.moveDown(0.5)
    row(t('payments.receipt.service'), data.service[language])
    row(t('payments.receipt.application'), data.applicationReference)
    row(t('payments.receipt.billReference'), invoice.billReference)
    row(t('payments.receipt.mpesaReceipt'), payment.mpesaReceipt ?? t('payments.receipt.receiptToFollow'))
    row(t('payments.receipt.paidAt'), nairobiDateTime(payment.paidAt, language))
    row(t('payments.receipt.amountPaid'), money(payment.amountCents))
    if (payment.overpaidCents > 0) row(t('payments.receipt.overpaid'), money(payment.overpaidCents))
    doc.moveDown()
    doc.font('Helvetica-Bold').fontSize(12).text(t('payments.receipt.invoice'))
    for (const line of invoice.lines) {
      const kind = t(line.kind === 'government' ? 'payments.receipt.governmentFee' : 'payments.receipt.convenienceFee')
      row(`${line.label[language]} (${kind})`, money(line.amountCents))
    }
    row(t('payments.receipt.total'), money(invoice.totalCents))
    row(t('payments.receipt.status'), t(`payments.status.${invoice.status}`))

    const y = doc.y + 20
    const side = drawQrCode(doc, url, { x: PDF_MARGIN, y })
    doc.font('Helvetica').fontSize(10).text(t('payments.receipt.verify', { url }), PDF_MARGIN, y + side + 10)
  })
}
