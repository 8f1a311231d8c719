/**
 * The message sent when an incident that interrupted a person's work is resolved: what was wrong, the
 * admins' closing words (often an apology), and the one place to continue. GSM characters only.
 */
export const RESTORATION_TEMPLATES = {
  'service-restored': {
    en: {
      subject: 'Service restored: {incident}',
      text: '{incident}: the service is working again. {closing}\n\nYou can continue where you left off: {what}\n{link}\n\nEverything you saved is still there.',
    },
    sw: {
      subject: 'Huduma imerejea: {incident}',
      text: '{incident}: huduma inafanya kazi tena. {closing}\n\nUnaweza kuendelea ulipoachia: {what}\n{link}\n\nKila ulichohifadhi bado kipo.',
    },
  },
} as const
