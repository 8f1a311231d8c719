import PDFDocument from 'pdfkit'
import QRCode from 'qrcode'
import type { Language } from './i18n/i18n.js'

/**
 * What the portal's PDFs (payment receipts, issued documents) share: an A4 page collected into a
 * Buffer, "label: value" lines, a QR code drawn as vector squares, and times in Nairobi. Built-in PDF
 * fonts only (WinAnsi), which cover English and Kiswahili; nothing is fetched.
 */
export type Pdf = InstanceType<typeof PDFDocument>

export const PDF_MARGIN = 56

/** Draws on a new A4 document and returns its bytes once pdfkit has written them all. */
export function renderPdf(info: { title: string; author: string }, draw: (doc: Pdf) => void): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: PDF_MARGIN, info: { Title: info.title, Author: info.author } })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  draw(doc)
  doc.end()
  return done
}

/** One "Label: value" line, the label in bold. */
export function labelledLine(doc: Pdf, label: string, value: string): void {
  doc.font('Helvetica-Bold').fontSize(11).text(`${label}: `, { continued: true }).font('Helvetica').text(value)
}

/**
 * A QR code for `text`, module by module as vector squares (sharp at any print size), its top left at
 * (x, y). Returns its side in points.
 */
export function drawQrCode(doc: Pdf, text: string, at: { x: number; y: number; cell?: number }): number {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules
  const cell = at.cell ?? 3
  for (let r = 0; r < qr.size; r++) {
    for (let c = 0; c < qr.size; c++) if (qr.get(r, c)) doc.rect(at.x + c * cell, at.y + r * cell, cell, cell)
  }
  doc.fill('#000000')
  return qr.size * cell
}

const NAIROBI = {
  en: new Intl.DateTimeFormat('en-KE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Africa/Nairobi' }),
  sw: new Intl.DateTimeFormat('sw-KE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Africa/Nairobi' }),
}

/** A moment as people in Kenya read it, in their language ("12 March 2025 at 14:05"). */
export function nairobiDateTime(date: Date, language: Language): string {
  return NAIROBI[language].format(date)
}
