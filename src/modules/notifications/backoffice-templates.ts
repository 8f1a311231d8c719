/**
 * Messages to agency staff about their queue, in English and Kiswahili; included by templates.ts.
 * GSM characters only (templates.test.ts checks).
 */
export const BACKOFFICE_TEMPLATES = {
  'backoffice-sla-digest': {
    en: {
      subject: '{agency}: {count} applications due by {date}',
      text: '{count} open applications at {agency} are due by {date} or already overdue:\n\n{cases}\n\nOpen the queue: {link}',
    },
    sw: {
      subject: '{agency}: maombi {count} yanapaswa kushughulikiwa kufikia {date}',
      text: 'Maombi {count} yaliyo wazi katika {agency} yanapaswa kushughulikiwa kufikia {date} au muda wake umeshapita:\n\n{cases}\n\nFungua foleni: {link}',
    },
  },
} as const

/** The word beside a case in the digest's list whose deadline has passed. */
export const DIGEST_OVERDUE = { en: 'overdue', sw: 'muda umepita' } as const
