import type { Translate } from '../../platform/i18n/i18n.js'
import { drawQrCode, labelledLine, nairobiDateTime, PDF_MARGIN, renderPdf } from '../../platform/pdf.js'
import { formatDate } from '../services/dates.js'
import type { Language } from '../services/definition.js'
import type { DocumentRow } from './store.js'

/** The public check of a document. With the credential, the check also proves the printed page genuine. */
export function documentVerifyUrl(publicUrl: string, number: string, credential?: string): string {
  const base = `${publicUrl.replace(/\/$/, '')}/verify/${number}`
  return credential ? `${base}?c=${credential}` : base
}

/**
 * An issued document as a PDF, in the reader's language: the number, the agency, the title, each field,
 * the validity, and a QR code whose address carries the signed credential, so a phone scanning it is
 * told at once whether this page is genuine, still valid, expired or revoked.
 */
export function documentPdf(
  document: DocumentRow,
  options: { publicUrl: string; portalName: string; agency: string; language: Language; t: Translate },
): Promise<Buffer> {
  const { language, t } = options
  const title = language === 'sw' ? document.title_sw : document.title_en
  return renderPdf({ title: `${title} ${document.number}`, author: options.agency }, (doc) => {
    doc.font('Helvetica-Bold').fontSize(20).text(options.agency)
    doc.font('Helvetica').fontSize(11).text(t('documents.pdf.issuedThrough', { portal: options.portalName }))
    doc.moveDown()
    doc.font('Helvetica-Bold').fontSize(18).text(title)
    doc.moveDown(0.5)
    labelledLine(doc, t('documents.fields.number'), document.number)
    labelledLine(doc, t('documents.fields.holder'), document.holder_name)
    for (const field of document.fields) labelledLine(doc, field.label[language], field.value?.[language] ?? '-')
    doc.moveDown(0.5)
    labelledLine(doc, t('documents.fields.issuedAt'), nairobiDateTime(document.issued_at, language))
    labelledLine(doc, t('documents.fields.validFrom'), formatDate(document.valid_from))
    labelledLine(doc, t('documents.fields.validUntil'), document.valid_until ? formatDate(document.valid_until) : t('documents.fields.noExpiry'))

    const y = doc.y + 20
    const side = drawQrCode(doc, documentVerifyUrl(options.publicUrl, document.number, document.credential), { x: PDF_MARGIN, y, cell: 2.5 })
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(t('documents.pdf.verify', { url: documentVerifyUrl(options.publicUrl, document.number) }), PDF_MARGIN, y + side + 10)
  })
}
