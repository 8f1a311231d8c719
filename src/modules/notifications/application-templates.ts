/**
 * Messages about a person's applications, in English and Kiswahili; included by templates.ts. Each
 * carries a link to the application, where the whole story is: the text only says what changed.
 * GSM characters only (templates.test.ts checks).
 */
export const APPLICATION_TEMPLATES = {
  'application-submitted': {
    en: {
      subject: 'Application {reference} received',
      text: 'We received your application {reference}: {service}. Follow it here: {link}',
    },
    sw: {
      subject: 'Maombi {reference} yamepokelewa',
      text: 'Tumepokea maombi yako {reference}: {service}. Yafuatilie hapa: {link}',
    },
  },
  'application-awaiting-payment': {
    en: {
      subject: 'Pay to submit application {reference}',
      text: 'Your application {reference}: {service} is saved. It goes to the agency once it is paid. See what to pay: {link}',
    },
    sw: {
      subject: 'Lipa ili kuwasilisha maombi {reference}',
      text: 'Maombi yako {reference}: {service} yamehifadhiwa. Yatatumwa kwa idara yakishalipiwa. Angalia kiasi cha kulipa: {link}',
    },
  },
  'application-status-changed': {
    en: {
      subject: 'Application {reference}: {stage}',
      text: 'Your application {reference} ({service}) is now: {stage}. Details: {link}',
    },
    sw: {
      subject: 'Maombi {reference}: {stage}',
      text: 'Maombi yako {reference} ({service}) sasa yako katika hatua: {stage}. Maelezo: {link}',
    },
  },
} as const
