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
  /** The secret path segment of every callback address; the previous one still works while rotating. */
  mpesaCallbackSecret: string
  mpesaCallbackSecretPrevious: string | undefined
  /** Confirm each paybill confirmation with Daraja's Transaction Status API before it pays an invoice. */
  mpesaC2bStatusCheck: boolean
  mpesaInitiatorName: string | undefined
  mpesaSecurityCredential: string | undefined
  /** How long a call to Daraja may take before it counts as timed out. */
  mpesaTimeoutMs: number
}

/**
 * Safaricom's published addresses that Daraja's callbacks come from: the allow-list in production unless
 * MPESA_ALLOWED_IPS names others (or `any`, for a proxy in front that checks them itself).
 */
export const SAFARICOM_CALLBACK_IPS = [
  '196.201.214.200', '196.201.214.206', '196.201.213.114', '196.201.214.207', '196.201.214.208', '196.201.213.44',
  '196.201.212.127', '196.201.212.138', '196.201.212.129', '196.201.212.136', '196.201.212.74', '196.201.212.69',
] as const

/** Outside production only: the callback secret when none is set. Never accepted in production. */
export const DEVELOPMENT_CALLBACK_SECRET = 'development-only-callback-secret-0000'

const SECRET = /^[A-Za-z0-9_-]{32,128}$/

function secret(variable: string, raw: string): string {
  const value = raw.trim()
  if (!SECRET.test(value)) invalid(variable, 'must be 32 to 128 letters, digits, _ or - (make one with `openssl rand -base64 32 | tr +/ -_ | tr -d =`)')
  return value
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
    description: "Comma-separated addresses M-Pesa callbacks may come from; others get 403 and are recorded. `any` turns the check off.",
    defaultText: "production: Safaricom's published callback addresses; elsewhere any",
    read: (raw, env) => {
      if (blank(raw)) return env.NODE_ENV === 'production' ? [...SAFARICOM_CALLBACK_IPS] : []
      if ((raw as string).trim() === 'any') return []
      const ips = (raw as string).split(',').map((ip) => ip.trim()).filter(Boolean)
      for (const ip of ips) if (!isIP(ip)) invalid('MPESA_ALLOWED_IPS', `must list IP addresses separated by commas (got "${ip}")`)
      return ips
    },
  },
  mpesaCallbackSecret: {
    variable: 'MPESA_CALLBACK_SECRET',
    description: 'The secret path segment of the callback addresses (/payments/mpesa/<secret>/...): 32+ random characters. Required in production.',
    defaultText: '(production: required; elsewhere a development value)',
    read: (raw, env) => {
      if (blank(raw)) {
        if (env.NODE_ENV === 'production') invalid('MPESA_CALLBACK_SECRET', 'must be set in production')
        return DEVELOPMENT_CALLBACK_SECRET
      }
      const value = secret('MPESA_CALLBACK_SECRET', raw as string)
      if (env.NODE_ENV === 'production' && value === DEVELOPMENT_CALLBACK_SECRET) invalid('MPESA_CALLBACK_SECRET', 'must not be the development value')
      return value
    },
  },
  mpesaCallbackSecretPrevious: {
    variable: 'MPESA_CALLBACK_SECRET_PREVIOUS',
    description: 'While rotating: the secret before MPESA_CALLBACK_SECRET, still accepted for results of prompts sent before the change. Remove it a day later.',
    defaultText: '(unset)',
    read: (raw) => (blank(raw) ? undefined : secret('MPESA_CALLBACK_SECRET_PREVIOUS', raw as string)),
  },
  mpesaC2bStatusCheck: {
    variable: 'MPESA_C2B_STATUS_CHECK',
    description: "`on`: each paybill confirmation is confirmed with Daraja's Transaction Status API before it pays an invoice (needs MPESA_INITIATOR_NAME and MPESA_SECURITY_CREDENTIAL).",
    defaultText: 'off',
    read: (raw, env) => {
      const value = blank(raw) ? 'off' : (raw as string).trim()
      if (value !== 'on' && value !== 'off') invalid('MPESA_C2B_STATUS_CHECK', 'must be on or off')
      if (value === 'on' && !blank(env.MPESA_CONSUMER_KEY) && (blank(env.MPESA_INITIATOR_NAME) || blank(env.MPESA_SECURITY_CREDENTIAL))) {
        invalid('MPESA_C2B_STATUS_CHECK', 'needs MPESA_INITIATOR_NAME and MPESA_SECURITY_CREDENTIAL')
      }
      return value === 'on'
    },
  },
  mpesaInitiatorName: {
    variable: 'MPESA_INITIATOR_NAME',
    description: "The API operator's name for the Transaction Status API (with MPESA_C2B_STATUS_CHECK=on).",
    defaultText: '(unset)',
    read: (raw) => (blank(raw) ? undefined : (raw as string).trim()),
  },
  mpesaSecurityCredential: {
    variable: 'MPESA_SECURITY_CREDENTIAL',
    description: "The operator's password encrypted with Safaricom's certificate, for the Transaction Status API; keep it secret.",
    defaultText: '(unset)',
    read: (raw) => (blank(raw) ? undefined : (raw as string).trim()),
  },
  mpesaTimeoutMs: {
    variable: 'MPESA_TIMEOUT_MS',
    description: 'How long a call to Daraja may take, in milliseconds, before it counts as timed out (a timed-out prompt may still reach the phone).',
    defaultText: '15000',
    read: (raw) => {
      if (blank(raw)) return 15_000
      const value = Number((raw as string).trim())
      if (!Number.isInteger(value) || value < 100 || value > 60_000) invalid('MPESA_TIMEOUT_MS', `must be a whole number of milliseconds from 100 to 60000 (got "${redact(raw as string)}")`)
      return value
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
