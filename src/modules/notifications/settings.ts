/**
 * The settings for sending email and SMS, in the same shape as the portal's other settings. With none
 * of them set, messages stay in the local outbox (the notifications table), shown on /dev/outbox.
 */

import { blank, ModuleSettingError, redact, type Env, type Setting } from '../../platform/module-settings.js'

export interface NotificationSettings {
  smtpUrl: string | undefined
  mailFrom: string | undefined
  atUsername: string | undefined
  atApiKey: string | undefined
  atSenderId: string | undefined
  atBaseUrl: string
}

/** A bad notification setting (the name says which module's). */
export class NotificationSettingError extends ModuleSettingError {}

function invalid(variable: string, reason: string): never {
  throw new NotificationSettingError(variable, reason)
}

function url(variable: string, raw: string, protocols: string[]): string {
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    invalid(variable, `must be a URL (got "${redact(raw)}")`)
  }
  if (!protocols.includes(parsed.protocol)) {
    invalid(variable, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`)
  }
  return raw.trim()
}

/** Both or neither: a username without its key (or the reverse) is a half-done configuration. */
function pairedWith(variable: string, other: string) {
  return (raw: string | undefined, env: Env): string | undefined => {
    if (blank(raw) && blank(env[other])) return undefined
    if (blank(raw)) invalid(variable, `must be set when ${other} is set`)
    return raw?.trim()
  }
}

export const NOTIFICATION_SETTINGS = {
  smtpUrl: {
    variable: 'SMTP_URL',
    description:
      'The mail server for email: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465. Unset: email stays in the local outbox.',
    defaultText: '(unset: local outbox)',
    read: (raw) => (blank(raw) ? undefined : url('SMTP_URL', raw as string, ['smtp:', 'smtps:'])),
  },
  mailFrom: {
    variable: 'MAIL_FROM',
    description: 'The sender of every email, such as "eCitizen <no-reply@ecitizen.go.ke>". Required with SMTP_URL.',
    defaultText: '(unset)',
    read: (raw, env) => {
      if (blank(raw)) {
        if (!blank(env.SMTP_URL)) invalid('MAIL_FROM', 'must be set when SMTP_URL is set')
        return undefined
      }
      const from = (raw as string).trim()
      if (!/^[^\r\n]*@[^\r\n]*$/.test(from)) invalid('MAIL_FROM', `must hold an email address (got "${from}")`)
      return from
    },
  },
  atUsername: {
    variable: 'AT_USERNAME',
    description: "The Africa's Talking application username for SMS (sandbox on the sandbox). Unset: SMS stays in the local outbox.",
    defaultText: '(unset: local outbox)',
    read: pairedWith('AT_USERNAME', 'AT_API_KEY'),
  },
  atApiKey: {
    variable: 'AT_API_KEY',
    description: "The Africa's Talking API key. Required with AT_USERNAME; keep it secret.",
    defaultText: '(unset)',
    read: pairedWith('AT_API_KEY', 'AT_USERNAME'),
  },
  atSenderId: {
    variable: 'AT_SENDER_ID',
    description: "The registered sender id or short code SMS come from. Unset: Africa's Talking's default.",
    defaultText: '(unset)',
    read: (raw) => {
      if (blank(raw)) return undefined
      const id = (raw as string).trim()
      if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,10}$/.test(id)) {
        invalid('AT_SENDER_ID', `must be 1 to 11 letters, digits or spaces (got "${id}")`)
      }
      return id
    },
  },
  atBaseUrl: {
    variable: 'AT_BASE_URL',
    description: "The Africa's Talking API address; https://api.sandbox.africastalking.com for the sandbox.",
    defaultText: 'https://api.africastalking.com',
    read: (raw) => (blank(raw) ? 'https://api.africastalking.com' : url('AT_BASE_URL', raw as string, ['https:', 'http:']).replace(/\/+$/, '')),
  },
} satisfies { [K in keyof NotificationSettings]: Setting<NotificationSettings[K]> }

export function readNotificationSettings(env: Env = process.env): NotificationSettings {
  const settings = {} as Record<string, unknown>
  for (const [key, setting] of Object.entries(NOTIFICATION_SETTINGS) as [keyof NotificationSettings, Setting<unknown>][]) {
    settings[key] = setting.read(env[setting.variable], env)
  }
  return settings as unknown as NotificationSettings
}
