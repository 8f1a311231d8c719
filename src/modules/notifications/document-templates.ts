/**
 * Messages about issued documents, in English and Kiswahili; included by templates.ts. The holder is
 * told when the agency revokes their document, with the reason; the link leads to the application.
 * GSM characters only.
 */
export const DOCUMENT_TEMPLATES = {
  'document-revoked': {
    en: {
      subject: 'Document for application {reference} revoked',
      text: 'The document issued for your application {reference} ({service}) has been revoked: {reason}. Details: {link}',
    },
    sw: {
      subject: 'Hati ya maombi {reference} imebatilishwa',
      text: 'Hati iliyotolewa kwa maombi yako {reference} ({service}) imebatilishwa: {reason}. Maelezo: {link}',
    },
  },
} as const
