/**
 * Messages to agency staff, in English and Kiswahili; included by templates.ts. The invitation's 72
 * hours is INVITATION_HOURS in agency-admin/invitations.ts (a test there keeps the two in step).
 * GSM characters only.
 */
export const STAFF_TEMPLATES = {
  'staff-invitation': {
    en: {
      subject: 'Invitation to join the staff of {name}',
      text: 'You have been invited to join the staff of {name}. To accept, open this link within 72 hours and choose your password:\n\n{link}\n\nAt your first sign-in you will set up an authenticator app. If you were not expecting this, ignore this message.',
    },
    sw: {
      subject: 'Mwaliko wa kujiunga na wafanyakazi wa {name}',
      text: 'Umealikwa kujiunga na wafanyakazi wa {name}. Ili kukubali, fungua kiungo hiki ndani ya saa 72 na uchague nenosiri lako:\n\n{link}\n\nUtakapoingia mara ya kwanza utaweka programu ya uthibitishaji. Ikiwa hukutarajia ujumbe huu, upuuze.',
    },
  },
} as const
