import type { Language } from '../../platform/i18n/i18n.js'
import { PROFILE_TEMPLATES } from './profile-templates.js'
import { APPLICATION_TEMPLATES } from './application-templates.js'
import { PAYMENT_TEMPLATES } from './payment-templates.js'
import { BACKOFFICE_TEMPLATES } from './backoffice-templates.js'
import { STAFF_TEMPLATES } from './staff-templates.js'
import { DOCUMENT_TEMPLATES } from './document-templates.js'
import { RESTORATION_TEMPLATES } from './restoration-templates.js'
import { SUPPORT_TEMPLATES } from './support-templates.js'
import { STATUS_TEMPLATES } from './status-templates.js'

/**
 * What each message says, in English and Kiswahili. `{name}` marks a parameter the sender supplies.
 * The texts serve email and SMS alike, so the ones that carry a code fit one 160-character GSM SMS
 * (straight quotes only; a test checks). The sender is named by the email From and SMS sender id.
 */
export const TEMPLATES = {
  ...PROFILE_TEMPLATES,
  ...APPLICATION_TEMPLATES,
  ...PAYMENT_TEMPLATES,
  ...BACKOFFICE_TEMPLATES,
  ...STAFF_TEMPLATES,
  ...DOCUMENT_TEMPLATES,
  ...RESTORATION_TEMPLATES,
  ...SUPPORT_TEMPLATES,
  ...STATUS_TEMPLATES,
  'email-verification': {
    en: {
      subject: 'Confirm your email address',
      text: 'Confirm your email address by opening this link:\n\n{link}\n\nIf you did not create an account, ignore this message.',
    },
    sw: {
      subject: 'Thibitisha anwani yako ya barua pepe',
      text: 'Thibitisha anwani yako ya barua pepe kwa kufungua kiungo hiki:\n\n{link}\n\nIkiwa hukufungua akaunti, puuza ujumbe huu.',
    },
  },
  'phone-verification': {
    en: {
      subject: 'Your phone verification code',
      text: 'Your phone verification code is {code}. Do not share it with anyone.',
    },
    sw: {
      subject: 'Nambari yako ya kuthibitisha simu',
      text: 'Nambari yako ya kuthibitisha simu ni {code}. Usimpe mtu yeyote.',
    },
  },
  'sign-in-code': {
    en: {
      subject: 'Your sign-in code',
      text: 'Your sign-in code is {code}. It expires in {minutes} minutes. Do not share it with anyone, not even government staff.',
    },
    sw: {
      subject: 'Nambari yako ya kuingia',
      text: 'Nambari yako ya kuingia ni {code}. Muda wake utaisha baada ya dakika {minutes}. Usimpe mtu yeyote, hata mfanyakazi wa serikali.',
    },
  },
  'password-reset': {
    en: {
      subject: 'Reset your password',
      text: 'To choose a new password, open this link within {minutes} minutes:\n\n{link}\n\nIf you did not ask for this, ignore this message: your password has not changed.',
    },
    sw: {
      subject: 'Weka nenosiri jipya',
      text: 'Ili kuchagua nenosiri jipya, fungua kiungo hiki ndani ya dakika {minutes}:\n\n{link}\n\nIkiwa hukuomba hili, puuza ujumbe huu: nenosiri lako halijabadilika.',
    },
  },
  'password-changed': {
    en: {
      subject: 'Your password was changed',
      text: 'Your password was changed. If this was not you, reset your password now.',
    },
    sw: {
      subject: 'Nenosiri lako limebadilishwa',
      text: 'Nenosiri lako limebadilishwa. Ikiwa si wewe, weka nenosiri jipya sasa hivi.',
    },
  },
  'account-locked': {
    en: {
      subject: 'Sign-in paused on your account',
      text: 'Hello {name}. After several wrong passwords, sign-in to your account is paused for a short time. If this was not you, reset your password.',
    },
    sw: {
      subject: 'Kuingia kwenye akaunti yako kumesitishwa',
      text: 'Habari {name}. Baada ya manenosiri kadhaa yasiyo sahihi, kuingia kwenye akaunti yako kumesitishwa kwa muda mfupi. Ikiwa si wewe, weka nenosiri jipya.',
    },
  },
  'registration-attempt': {
    en: {
      subject: 'Someone tried to create an account',
      text: 'Someone tried to create an account with details that already belong to an account. If it was you, sign in instead:\n\n{link}\n\nIf it was not you, you do not need to do anything.',
    },
    sw: {
      subject: 'Mtu alijaribu kufungua akaunti',
      text: 'Mtu alijaribu kufungua akaunti kwa maelezo ambayo tayari ni ya akaunti iliyopo. Ikiwa ni wewe, ingia badala yake:\n\n{link}\n\nIkiwa si wewe, huhitaji kufanya chochote.',
    },
  },
} as const satisfies Record<string, Record<Language, { subject: string; text: string }>>

export type TemplateName = keyof typeof TEMPLATES

/** The `{name}` placeholders in a string type, as a union of names. */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never

type TemplateStrings<N extends TemplateName> = (typeof TEMPLATES)[N][Language]['subject' | 'text']

/** The parameters a template needs, worked out from its texts: a missing or unknown one does not compile. */
export type TemplateParams<N extends TemplateName> = { [P in Placeholders<TemplateStrings<N>>]: string | number }

export interface RenderedMessage {
  subject: string
  text: string
}

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(TEMPLATES, name)
}

/** Fills a template's placeholders. A placeholder without a value is a programming error, never sent. */
export function renderTemplate<N extends TemplateName>(name: N, language: Language, params: TemplateParams<N>): RenderedMessage {
  const values = params as Record<string, string | number | undefined>
  const fill = (text: string) =>
    text.replace(/\{(\w+)\}/g, (_match, key: string) => {
      const value = values[key]
      if (value === undefined || value === '') throw new Error(`template ${name} needs a value for {${key}}`)
      return String(value)
    })
  const texts: { subject: string; text: string } = TEMPLATES[name][language]
  return { subject: fill(texts.subject), text: fill(texts.text) }
}
