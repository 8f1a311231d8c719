/**
 * Messages from the support desk, in English and Kiswahili; included by templates.ts. The reply itself
 * stays on the portal (behind sign-in): the message only says there is one and where. GSM characters only.
 */
export const SUPPORT_TEMPLATES = {
  'support-reply': {
    en: {
      subject: 'Support replied to your request {reference}',
      text: 'Our support team replied to your request {reference}. Read the reply and answer it here: {link}',
    },
    sw: {
      subject: 'Huduma kwa wateja imejibu ombi lako {reference}',
      text: 'Timu yetu ya huduma kwa wateja imejibu ombi lako {reference}. Soma jibu na ujibu hapa: {link}',
    },
  },
} as const
