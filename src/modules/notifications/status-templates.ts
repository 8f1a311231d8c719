/**
 * Messages to subscribers of status updates, in English and Kiswahili; included by templates.ts.
 * {link} is the message's own link (confirm, or unsubscribe); {statusPage} the status page's address.
 * GSM characters only; the code message fits one SMS.
 */
export const STATUS_TEMPLATES = {
  'status-subscription-link': {
    en: {
      subject: 'Confirm your status updates',
      text: 'To get email about problems and planned maintenance on the portal, confirm within {hours} hours by opening this link:\n\n{link}\n\nIf you did not ask for this, ignore this message: nothing will be sent.',
    },
    sw: {
      subject: 'Thibitisha taarifa za hali ya huduma',
      text: 'Ili kupokea barua pepe kuhusu matatizo na matengenezo yaliyopangwa kwenye tovuti, thibitisha ndani ya saa {hours} kwa kufungua kiungo hiki:\n\n{link}\n\nIkiwa hukuomba hili, puuza ujumbe huu: hakuna kitakachotumwa.',
    },
  },
  'status-subscription-code': {
    en: {
      subject: 'Your code for status updates',
      text: 'Your code to get status updates by SMS is {code}. It expires in {hours} hours. If you did not ask for it, ignore this message.',
    },
    sw: {
      subject: 'Nambari yako ya taarifa za hali ya huduma',
      text: 'Nambari yako ya kupokea taarifa za hali ya huduma kwa SMS ni {code}. Muda wake utaisha baada ya saa {hours}. Ikiwa hukuiomba, puuza ujumbe huu.',
    },
  },
  'status-incident-email': {
    en: {
      subject: '{incident}: {status}',
      text: '{incident}\n\n{status}: {update}\n\nAffected: {affected}\n\nFollow it on the status page: {statusPage}\n\nYou get these messages because you subscribed to status updates. To stop them, open this link:\n{link}',
    },
    sw: {
      subject: '{incident}: {status}',
      text: '{incident}\n\n{status}: {update}\n\nKinachoathirika: {affected}\n\nFuatilia kwenye ukurasa wa hali ya huduma: {statusPage}\n\nUnapokea ujumbe huu kwa sababu ulijiandikisha kupokea taarifa za hali ya huduma. Ili kuzisimamisha, fungua kiungo hiki:\n{link}',
    },
  },
  'status-incident-sms': {
    en: { subject: '{incident}: {status}', text: '{incident}: {status}. {statusPage} Stop: {link}' },
    sw: { subject: '{incident}: {status}', text: '{incident}: {status}. {statusPage} Kusitisha: {link}' },
  },
  'status-maintenance-email': {
    en: {
      subject: 'Planned maintenance {window}',
      text: 'Planned maintenance {window}.\n\n{update}\n\nAffected: {affected}\n\nDetails on the status page: {statusPage}\n\nYou get these messages because you subscribed to status updates. To stop them, open this link:\n{link}',
    },
    sw: {
      subject: 'Matengenezo yaliyopangwa {window}',
      text: 'Matengenezo yaliyopangwa {window}.\n\n{update}\n\nKinachoathirika: {affected}\n\nMaelezo kwenye ukurasa wa hali ya huduma: {statusPage}\n\nUnapokea ujumbe huu kwa sababu ulijiandikisha kupokea taarifa za hali ya huduma. Ili kuzisimamisha, fungua kiungo hiki:\n{link}',
    },
  },
  'status-maintenance-sms': {
    en: { subject: 'Planned maintenance {window}', text: 'Planned maintenance {window}: {affected} {statusPage} Stop: {link}' },
    sw: { subject: 'Matengenezo yaliyopangwa {window}', text: 'Matengenezo yaliyopangwa {window}: {affected} {statusPage} Kusitisha: {link}' },
  },
} as const
