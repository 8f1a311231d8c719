/**
 * Every setting of the program, read from environment variables, validated once. Importing this module
 * does nothing; `loadConfig(env)` does the work, so tests pass their own environment.
 */
import path from 'node:path'
import { ModuleSettingError } from './platform/module-settings.js'
import { MPESA_SETTINGS, type MpesaSettings } from './modules/payments/settings.js'
import { NOTIFICATION_SETTINGS, type NotificationSettings } from './modules/notifications/settings.js'
import { DOCUMENT_SETTINGS, type DocumentSettings } from './modules/documents/settings.js'
import { DETECTION_SETTINGS, type DetectionSettings } from './modules/status/detection-settings.js'

export type Environment = 'production' | 'development' | 'test'
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export interface Config extends NotificationSettings, MpesaSettings, DocumentSettings, DetectionSettings {
  environment: Environment
  host: string
  port: number
  publicUrl: string
  portalName: string
  country: string
  dataDir: string
  databaseUrl: string | undefined
  databasePoolSize: number
  logLevel: LogLevel
  cookieSecret: string
  trustProxy: boolean
  bodyLimitBytes: number
  rateLimitPerMinute: number
  maxEventLoopDelayMs: number
  shutdownTimeoutMs: number
  jobPollSeconds: number
  sessionIdleMinutes: number
  sessionMaxHours: number
  signInLimitPer10Minutes: number
  redisUrl: string | undefined
  populationRegistryUrl: string | undefined
  populationRegistryToken: string | undefined
  businessRegistryUrl: string | undefined
  businessRegistryToken: string | undefined
  supportFirstResponseHours: number
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable} ${reason}`)
  }
}

type Env = Record<string, string | undefined>

interface Setting<T> {
  variable: string
  description: string
  defaultText: string
  read: (raw: string | undefined, env: Env) => T
}

const DEV_COOKIE_SECRET = 'development-only-cookie-secret-change-me-0123456789'

function integer(min: number, max: number, fallback: number) {
  return (raw: string | undefined, variable: string): number => {
    if (raw === undefined || raw === '') return fallback
    if (!/^\d+$/.test(raw)) throw new ConfigError(variable, `must be a whole number (got "${raw}")`)
    const value = Number(raw)
    if (value < min || value > max) throw new ConfigError(variable, `must be between ${min} and ${max} (got ${raw})`)
    return value
  }
}

function oneOf<T extends string>(values: readonly T[], fallback: T) {
  return (raw: string | undefined, variable: string): T => {
    if (raw === undefined || raw === '') return fallback
    if (!(values as readonly string[]).includes(raw)) {
      throw new ConfigError(variable, `must be one of ${values.join(', ')} (got "${raw}")`)
    }
    return raw as T
  }
}

function url(variable: string, raw: string, protocols: string[]): string {
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new ConfigError(variable, `must be a URL (got "${redact(raw)}")`)
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(variable, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`)
  }
  return raw
}

function tokenFor(variable: string, urlVariable: string, raw: string | undefined, env: Env): string | undefined {
  if (!env[urlVariable]) return undefined
  if (!raw?.trim()) throw new ConfigError(variable, `must be set when ${urlVariable} is set`)
  return raw.trim()
}

/** Connection strings carry passwords: never echo one back. */
function redact(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@')
}

function environmentOf(env: Env): Environment {
  return oneOf(['production', 'development', 'test'] as const, 'development')(env.NODE_ENV, 'NODE_ENV')
}

/** The settings, in the order the README documents them. */
export const SETTINGS = {
  environment: {
    variable: 'NODE_ENV',
    description: 'production, development or test. Production requires COOKIE_SECRET and hides developer pages.',
    defaultText: 'development',
    read: (_raw, env) => environmentOf(env),
  },
  host: {
    variable: 'HOST',
    description: 'Address the web server listens on.',
    defaultText: '0.0.0.0',
    read: (raw) => raw || '0.0.0.0',
  },
  port: {
    variable: 'PORT',
    description: 'Port the web server listens on.',
    defaultText: '3000',
    read: (raw) => integer(1, 65535, 3000)(raw, 'PORT'),
  },
  publicUrl: {
    variable: 'PUBLIC_URL',
    description: 'The address people use to reach the portal; links in messages and HSTS (when https) follow it.',
    defaultText: 'http://localhost:PORT',
    read: (raw, env) =>
      raw ? url('PUBLIC_URL', raw, ['http:', 'https:']).replace(/\/$/, '') : `http://localhost:${env.PORT || 3000}`,
  },
  portalName: {
    variable: 'PORTAL_NAME',
    description: 'The name shown in the header, titles and messages.',
    defaultText: 'eCitizen',
    read: (raw) => raw?.trim() || 'eCitizen',
  },
  country: {
    variable: 'COUNTRY',
    description: 'The country the portal serves, shown beside the name.',
    defaultText: 'Kenya',
    read: (raw) => raw?.trim() || 'Kenya',
  },
  dataDir: {
    variable: 'DATA_DIR',
    description: 'Where the embedded database keeps its files (used when DATABASE_URL is unset).',
    defaultText: './data',
    read: (raw) => path.resolve(raw || './data'),
  },
  databaseUrl: {
    variable: 'DATABASE_URL',
    description: 'A PostgreSQL connection string (postgres://user:pass@host:5432/db). Unset: embedded PGlite.',
    defaultText: '(unset: embedded)',
    read: (raw) => (raw ? url('DATABASE_URL', raw, ['postgres:', 'postgresql:']) : undefined),
  },
  databasePoolSize: {
    variable: 'DATABASE_POOL_SIZE',
    description: 'Connections each process keeps to PostgreSQL.',
    defaultText: '10',
    read: (raw) => integer(1, 200, 10)(raw, 'DATABASE_POOL_SIZE'),
  },
  logLevel: {
    variable: 'LOG_LEVEL',
    description: 'fatal, error, warn, info, debug, trace or silent. Logs are JSON lines on standard output.',
    defaultText: 'info',
    read: (raw) => oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info')(raw, 'LOG_LEVEL'),
  },
  cookieSecret: {
    variable: 'COOKIE_SECRET',
    description: 'At least 32 characters; signs cookies. Required in production; every process must share it.',
    defaultText: '(a development-only value)',
    read: (raw, env) => {
      if (raw === undefined || raw === '') {
        if (environmentOf(env) === 'production') throw new ConfigError('COOKIE_SECRET', 'must be set in production')
        return DEV_COOKIE_SECRET
      }
      if (raw.length < 32) throw new ConfigError('COOKIE_SECRET', `must be at least 32 characters (got ${raw.length})`)
      return raw
    },
  },
  trustProxy: {
    variable: 'TRUST_PROXY',
    description: 'true behind a load balancer that sets X-Forwarded-For, so rate limits see the real address.',
    defaultText: 'false',
    read: (raw) => oneOf(['true', 'false'] as const, 'false')(raw, 'TRUST_PROXY') === 'true',
  },
  bodyLimitBytes: {
    variable: 'BODY_LIMIT_BYTES',
    description: 'Largest request body accepted (forms and JSON); larger gets the 413 page.',
    defaultText: '1048576',
    read: (raw) => integer(1024, 100 * 1024 * 1024, 1024 * 1024)(raw, 'BODY_LIMIT_BYTES'),
  },
  rateLimitPerMinute: {
    variable: 'RATE_LIMIT_PER_MINUTE',
    description: 'Requests one address may make each minute before getting the 429 page.',
    defaultText: '600',
    read: (raw) => integer(1, 1_000_000_000, 600)(raw, 'RATE_LIMIT_PER_MINUTE'),
  },
  maxEventLoopDelayMs: {
    variable: 'MAX_EVENT_LOOP_DELAY_MS',
    description: 'Event-loop delay above which the server sheds load with the 503 busy page (0 turns it off).',
    defaultText: '1000',
    read: (raw) => integer(0, 60_000, 1000)(raw, 'MAX_EVENT_LOOP_DELAY_MS'),
  },
  shutdownTimeoutMs: {
    variable: 'SHUTDOWN_TIMEOUT_MS',
    description: 'How long SIGTERM waits for in-flight requests and jobs before exiting anyway.',
    defaultText: '10000',
    read: (raw) => integer(100, 600_000, 10_000)(raw, 'SHUTDOWN_TIMEOUT_MS'),
  },
  jobPollSeconds: {
    variable: 'JOB_POLL_SECONDS',
    description: 'How often an idle worker looks for new jobs.',
    defaultText: '2',
    read: (raw) => integer(1, 300, 2)(raw, 'JOB_POLL_SECONDS'),
  },
  sessionIdleMinutes: {
    variable: 'SESSION_IDLE_MINUTES',
    description: 'A session unused for this long ends; the person signs in again.',
    defaultText: '30',
    read: (raw) => integer(1, 24 * 60, 30)(raw, 'SESSION_IDLE_MINUTES'),
  },
  sessionMaxHours: {
    variable: 'SESSION_MAX_HOURS',
    description: 'A session ends this long after sign-in, however busy.',
    defaultText: '12',
    read: (raw) => integer(1, 24 * 30, 12)(raw, 'SESSION_MAX_HOURS'),
  },
  signInLimitPer10Minutes: {
    variable: 'SIGN_IN_LIMIT_PER_10_MINUTES',
    description: 'Sign-in, code and reset attempts one address may make in 10 minutes (many phones share a carrier address).',
    defaultText: '100',
    read: (raw) => integer(1, 1_000_000_000, 100)(raw, 'SIGN_IN_LIMIT_PER_10_MINUTES'),
  },
  redisUrl: {
    variable: 'REDIS_URL',
    description: 'redis://host:6379: rate-limit counters shared by every web process. Unset: each process counts alone.',
    defaultText: '(unset: in-process counters)',
    read: (raw) => (raw ? url('REDIS_URL', raw, ['redis:', 'rediss:']) : undefined),
  },
  populationRegistryUrl: {
    variable: 'POPULATION_REGISTRY_URL',
    description: "The population register's HTTP API (docs/REGISTRY-API.md). Unset: the embedded, fictional register in the portal's own database.",
    defaultText: '(unset: embedded register)',
    read: (raw) => (raw ? url('POPULATION_REGISTRY_URL', raw, ['https:', 'http:']) : undefined),
  },
  populationRegistryToken: {
    variable: 'POPULATION_REGISTRY_TOKEN',
    description: 'The bearer token for POPULATION_REGISTRY_URL. Required with it.',
    defaultText: '(unset)',
    read: (raw, env) => tokenFor('POPULATION_REGISTRY_TOKEN', 'POPULATION_REGISTRY_URL', raw, env),
  },
  businessRegistryUrl: {
    variable: 'BUSINESS_REGISTRY_URL',
    description: "The business registry's HTTP API (docs/REGISTRY-API.md). Unset: the embedded, fictional registry.",
    defaultText: '(unset: embedded registry)',
    read: (raw) => (raw ? url('BUSINESS_REGISTRY_URL', raw, ['https:', 'http:']) : undefined),
  },
  businessRegistryToken: {
    variable: 'BUSINESS_REGISTRY_TOKEN',
    description: 'The bearer token for BUSINESS_REGISTRY_URL. Required with it.',
    defaultText: '(unset)',
    read: (raw, env) => tokenFor('BUSINESS_REGISTRY_TOKEN', 'BUSINESS_REGISTRY_URL', raw, env),
  },
  supportFirstResponseHours: {
    variable: 'SUPPORT_FIRST_RESPONSE_HOURS',
    description: 'How long support has to answer a new ticket before the console marks it overdue.',
    defaultText: '24',
    read: (raw) => integer(1, 24 * 30, 24)(raw, 'SUPPORT_FIRST_RESPONSE_HOURS'),
  },
  ...NOTIFICATION_SETTINGS,
  ...MPESA_SETTINGS,
  ...DOCUMENT_SETTINGS,
  ...DETECTION_SETTINGS,
} satisfies { [K in keyof Config]: Setting<Config[K]> }

export function loadConfig(env: Env = process.env): Config {
  const config = {} as Record<string, unknown>
  for (const [key, setting] of Object.entries(SETTINGS) as [keyof Config, Setting<unknown>][]) {
    try {
      config[key] = setting.read(env[setting.variable], env)
    } catch (error) {
      // The notification settings live with their module, which cannot import this one (a cycle).
      if (error instanceof ModuleSettingError) throw new ConfigError(error.variable, error.reason)
      throw error
    }
  }
  return config as unknown as Config
}
