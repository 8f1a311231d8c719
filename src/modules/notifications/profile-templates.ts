/**
 * Messages about changes to a person's own account (contact details), in English and Kiswahili. Kept
 * beside templates.ts, which includes them, so the profile work does not crowd that file. The same rules
 * hold: GSM characters only, and a text without a link fits one SMS (templates.test.ts checks both).
 */
export const PROFILE_TEMPLATES = {
  'email-change-link': {
    en: {
      subject: 'Confirm your new email address',
      text: 'To use this email address for your account, open this link within {minutes} minutes:\n\n{link}\n\nIf you did not ask for this, ignore this message.',
    },
    sw: {
      subject: 'Thibitisha anwani yako mpya ya barua pepe',
      text: 'Ili kutumia anwani hii ya barua pepe kwenye akaunti yako, fungua kiungo hiki ndani ya dakika {minutes}:\n\n{link}\n\nIkiwa hukuomba hili, puuza ujumbe huu.',
    },
  },
  'email-change-requested': {
    en: {
      subject: 'A new email address was requested',
      text: 'Hello {name}. Someone in your account asked to change its email address. Nothing changes until it is confirmed. Not you? Reset your password now.',
    },
    sw: {
      subject: 'Anwani mpya ya barua pepe imeombwa',
      text: 'Habari {name}. Mtu kwenye akaunti yako ameomba kubadilisha barua pepe. Hakuna kitakachobadilika hadi ithibitishwe. Si wewe? Weka nenosiri jipya sasa.',
    },
  },
  'email-changed': {
    en: {
      subject: 'Your email address was changed',
      text: 'The email address of your account was changed. Messages now go to the new address. If this was not you, sign in now and check your account.',
    },
    sw: {
      subject: 'Anwani yako ya barua pepe imebadilishwa',
      text: 'Barua pepe ya akaunti yako imebadilishwa. Ujumbe sasa utaenda kwa anwani mpya. Ikiwa si wewe, ingia sasa hivi na ukague akaunti yako.',
    },
  },
  'phone-change-code': {
    en: {
      subject: 'Your code to confirm your new phone',
      text: 'Your code to confirm this phone for your account is {code}. It expires in {minutes} minutes. Do not share it with anyone.',
    },
    sw: {
      subject: 'Nambari ya kuthibitisha simu yako mpya',
      text: 'Nambari ya kuthibitisha simu hii kwa akaunti yako ni {code}. Muda wake utaisha baada ya dakika {minutes}. Usimpe mtu yeyote.',
    },
  },
  'phone-changed': {
    en: {
      subject: 'Your phone number was changed',
      text: 'The phone number of your account was changed. This number will no longer get its messages. If this was not you, sign in now and check your account.',
    },
    sw: {
      subject: 'Nambari yako ya simu imebadilishwa',
      text: 'Nambari ya simu ya akaunti yako imebadilishwa. Nambari hii haitapokea tena ujumbe wake. Ikiwa si wewe, ingia sasa hivi na ukague akaunti yako.',
    },
  },
  'contact-in-use': {
    en: {
      subject: 'Someone tried to use your contact details',
      text: 'Someone asked to add this email address or phone number to another account. It already belongs to an account, so nothing changed.',
    },
    sw: {
      subject: 'Mtu alijaribu kutumia maelezo yako ya mawasiliano',
      text: 'Mtu aliomba kuongeza barua pepe au nambari hii ya simu kwenye akaunti nyingine. Tayari ni ya akaunti iliyopo, kwa hivyo hakuna kilichobadilika.',
    },
  },
} as const
