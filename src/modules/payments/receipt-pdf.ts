import PDFDocument from 'pdfkit'
import QRCode from 'qrcode'
import type { Translate } from '../../platform/i18n/i18n.js'
import type { Language } from '../services/definition.js'
import { formatMoney } from '../services/fees.js'
import type { ReceiptData } from './model.js'

/** The public address that proves a receipt genuine; the QR code on the receipt carries it. */
export function verifyUrl(publicUrl: string, receiptNumber: string): string {
  return `${publicUrl.replace(/\/$/, '')}/verify/${receiptNumber}`
}

const nairobi = (date: Date, language: Language) =>
  new Intl.DateTimeFormat(language === 'sw' ? 'sw-KE' : 'en-KE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Africa/Nairobi' }).format(date)

/**
 * A receipt as a PDF: what was paid, for which bill and service, the fee split (government fee and
 * convenience fee, as every receipt shows them), and a QR code to /verify. Built-in PDF fonts only
 * (WinAnsi), which cover English and Kiswahili; nothing is fetched.
 */
export async function receiptPdf(data: ReceiptData, options: { publicUrl: string; portalName: string; language: Language; t: Translate }): Promise<Buffer> {
  const { payment, invoice } = data
  const { language, t } = options
  const money = (cents: number) => formatMoney(cents, invoice.currency, language)
  const url = verifyUrl(options.publicUrl, payment.receiptNumber)
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `${t('payments.receipt.title')} ${payment.receiptNumber}`, Author: options.portalName } })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })

  doc.font('Helvetica-Bold').fontSize(20).text(options.portalName)
  doc.font('Helvetica').fontSize(12).text(data.agency[language])
  doc.moveDown()
  doc.font('Helvetica-Bold').fontSize(16).text(`${t('payments.receipt.title')} ${payment.receiptNumber}`)
  doc.moveDown(0.5)
  const row = (label: string, value: string) => {
    doc.font('Helvetica-Bold').fontSize(11).text(`${label}: `, { continued: true }).font('Helvetica').text(value)
  }
  row(t('payments.receipt.service'), data.service[language])
  row(t('payments.receipt.application'), data.applicationReference)
  row(t('payments.receipt.billReference'), invoice.billReference)
  row(t('payments.receipt.mpesaReceipt'), payment.mpesaReceipt)
  row(t('payments.receipt.paidAt'), nairobi(payment.paidAt, language))
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

  // The QR code, drawn module by module as vector squares: sharp at any print size.
  const cell = 3
  const x0 = 56
  const y0 = doc.y + 20
  for (let r = 0; r < qr.size; r++) {
    for (let c = 0; c < qr.size; c++) if (qr.get(r, c)) doc.rect(x0 + c * cell, y0 + r * cell, cell, cell)
  }
  doc.fill('#000000')
  doc.font('Helvetica').fontSize(10).text(t('payments.receipt.verify', { url }), x0, y0 + qr.size * cell + 10)
  doc.end()
  return done
}
