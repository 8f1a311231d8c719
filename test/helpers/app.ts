import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import type { DatabaseHandle } from '../../src/platform/db/database.js'
import { syncCatalogue } from '../../src/modules/catalogue/store.js'
import type { ServiceCatalogue } from '../../src/modules/services/catalogue.js'
import type { MpesaPayments } from '../../src/modules/payments/daraja/port.js'
import type { FileStorage } from '../../src/modules/uploads/storage.js'
import { defineJobs } from '../../src/jobs.js'
import { createSenders } from '../../src/modules/notifications/senders.js'
import { readNotificationSettings } from '../../src/modules/notifications/settings.js'
import { JobQueue } from '../../src/platform/jobs/queue.js'
import { freshDatabase } from './database.js'

export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

export interface TestApp {
  app: FastifyInstance
  database: DatabaseHandle
  jobs: JobQueue
  config: Config
  /** Every log line the app wrote, parsed. */
  logs: LogLine[]
  close(): Promise<void>
}

/** The app on a fresh database, with its logs captured; `env` overrides settings as variables would. */
export async function testApp(
  options: {
    env?: Record<string, string>
    database?: DatabaseHandle
    routes?: (app: FastifyInstance) => void
    /** Service definitions other than services/ (a fixture folder). */
    catalogue?: ServiceCatalogue
    fileStorage?: FileStorage
    mpesaPayments?: MpesaPayments
    /** How soon the M-Pesa inbox asks again about an unconfirmed claim (tests make it quick). */
    mpesaInbox?: { retryDelayMs?: number; maxAttempts?: number }
  } = {},
): Promise<TestApp> {
  // Load shedding is off unless a test turns it on: seeding a database in the test process blocks the
  // event loop for a moment, which would shed the test's own requests.
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0', ...options.env })
  const database = options.database ?? (await freshDatabase())
  const logs: LogLine[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as LogLine)
      done()
    },
  })
  const logger = pino({ level: config.logLevel }, sink)
  const jobs = new JobQueue(database, logger, { pollSeconds: 1, worker: false })
  // A fixture folder's services belong to no category.
  const services = options.catalogue && { catalogue: options.catalogue, categories: [] }
  const app = await buildApp({ config, database, jobs, logger, services, fileStorage: options.fileStorage, mpesaPayments: options.mpesaPayments, mpesaInbox: options.mpesaInbox })
  // Messages stay in the outbox table (no provider configured), where tests read them.
  defineJobs(jobs, { db: database.db, senders: createSenders(readNotificationSettings({})), modules: app.modules, log: logger })
  await jobs.start()
  // As start-up does: the catalogue's search table follows the loaded definitions.
  await syncCatalogue(database.db, app.modules.catalogue, app.modules.categories)
  options.routes?.(app)
  await app.ready()
  return {
    app,
    database,
    jobs,
    config,
    logs,
    close: async () => {
      await app.close()
      await jobs.stop(1000)
      await database.close()
    },
  }
}

/** Server errors in the captured logs (level 50 and above). */
export function serverErrors(logs: LogLine[]): LogLine[] {
  return logs.filter((line) => line.level >= 50)
}

/** A form's CSRF token and its cookie, fetched the way a browser would. */
export async function csrfFrom(app: FastifyInstance, url: string): Promise<{ token: string; cookie: string; html: string }> {
  const response = await app.inject({ method: 'GET', url })
  const html = response.body
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  if (!token) throw new Error(`no CSRF token on ${url}`)
  const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
  return { token, cookie, html }
}
