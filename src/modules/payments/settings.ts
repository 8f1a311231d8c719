/**
 * The M-Pesa (Daraja) settings, in the same shape as the portal's other settings. With no consumer
 * key set, a development or test process talks to the in-process Daraja simulator instead
 * (src/modules/payments/daraja/simulator.ts); production then has no M-Pesa at all.
 */
import { isIP } from 'node:net'
import { blank, ModuleSettingError, redact, type Env, type Setting } from '../../platform/module-settings.js'


export interface MpesaSettings {
  mpesaBaseUrl: string
  mpesaConsumerKey: string | undefined
  mpesaConsumerSecret: string | undefined
  mpesaShortcode: string
  mpesaPasskey: string | undefined
  mpesaCallbackUrl: string
  mpesaAllowedIps: string[]
}

/** A bad M-Pesa setting (the name says which module's). */
export class MpesaSettingError extends ModuleSettingError {}

function invalid(variable: string, reason: string): never {
  throw new MpesaSettingError(variable, reason)
}

function url(variable: string, raw: string): string {
  let parsed: URL
  try {
    parsed = new URL(raw.trim())
  } catch {
    invalid(variable, `must be a URL (got "${redact(raw)}")`)
  }
  if (!['https:', 'http:'].includes(parsed.protocol)) invalid(variable, 'must start with https:// or http://')
  return raw.trim().replace(/\/+$/, '')
}

const CREDENTIALS = ['MPESA_CONSUMER_KEY', 'MPESA_CONSUMER_SECRET', 'MPESA_PASSKEY'] as const

/** All three credentials or none: a key without its secret or passkey is a half-done configuration. */
function credential(variable: (typeof CREDENTIALS)[number]) {
  return (raw: string | undefined, env: Env): string | undefined => {
    const others = CREDENTIALS.filter((name) => name !== variable && !blank(env[name]))
    if (blank(raw)) {
      if (others.length > 0) invalid(variable, `must be set when ${others[0]} is set`)
      return undefined
    }
    return raw?.trim()
  }
}

export const MPESA_SETTINGS = {
  mpesaBaseUrl: {
    variable: 'MPESA_BASE_URL',
    description: "Daraja's address: https://api.safaricom.co.ke in production. Used only with MPESA_CONSUMER_KEY.",
    defaultText: 'https://sandbox.safaricom.co.ke',
    read: (raw) => (blank(raw) ? 'https://sandbox.safaricom.co.ke' : url('MPESA_BASE_URL', raw as string)),
  },
  mpesaConsumerKey: {
    variable: 'MPESA_CONSUMER_KEY',
    description: 'The Daraja app consumer key. Unset: the built-in M-Pesa simulator (not in production), tried at /dev/phone.',
    defaultText: '(unset: simulator)',
    read: credential('MPESA_CONSUMER_KEY'),
  },
  mpesaConsumerSecret: {
    variable: 'MPESA_CONSUMER_SECRET',
    description: 'The Daraja app consumer secret. Required with MPESA_CONSUMER_KEY; keep it secret.',
    defaultText: '(unset)',
    read: credential('MPESA_CONSUMER_SECRET'),
  },
  mpesaShortcode: {
    variable: 'MPESA_SHORTCODE',
    description: 'The paybill number people pay into (and the STK push BusinessShortCode).',
    defaultText: '222222',
    read: (raw) => {
      if (blank(raw)) return '222222'
      const code = (raw as string).trim()
      if (!/^\d{5,7}$/.test(code)) invalid('MPESA_SHORTCODE', `must be a paybill number of 5 to 7 digits (got "${code}")`)
      return code
    },
  },
  mpesaPasskey: {
    variable: 'MPESA_PASSKEY',
    description: 'The Lipa na M-Pesa Online passkey of the shortcode. Required with MPESA_CONSUMER_KEY; keep it secret.',
    defaultText: '(unset)',
    read: credential('MPESA_PASSKEY'),
  },
  mpesaCallbackUrl: {
    variable: 'MPESA_CALLBACK_URL',
    description: 'The public https address Daraja posts results to; /payments/mpesa/... is added to it.',
    defaultText: 'PUBLIC_URL',
    read: (raw, env) => {
      if (!blank(raw)) return url('MPESA_CALLBACK_URL', raw as string)
      return blank(env.PUBLIC_URL) ? `http://localhost:${env.PORT || 3000}` : (env.PUBLIC_URL as string).trim().replace(/\/+$/, '')
    },
  },
  mpesaAllowedIps: {
    variable: 'MPESA_ALLOWED_IPS',
    description: "Comma-separated addresses M-Pesa callbacks may come from (Safaricom's published list); others get 403. Unset: any.",
    defaultText: '(unset: any address)',
    read: (raw) => {
      if (blank(raw)) return []
      const ips = (raw as string).split(',').map((ip) => ip.trim()).filter(Boolean)
      for (const ip of ips) if (!isIP(ip)) invalid('MPESA_ALLOWED_IPS', `must list IP addresses separated by commas (got "${ip}")`)
      return ips
    },
  },
} satisfies { [K in keyof MpesaSettings]: Setting<MpesaSettings[K]> }

export function readMpesaSettings(env: Env = process.env): MpesaSettings {
  const settings = {} as Record<string, unknown>
  for (const [key, setting] of Object.entries(MPESA_SETTINGS) as [keyof MpesaSettings, Setting<unknown>][]) {
    settings[key] = setting.read(env[setting.variable], env)
  }
  return settings as unknown as MpesaSettings
}
