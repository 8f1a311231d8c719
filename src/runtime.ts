import { startInboxSweep } from './modules/payments/inbox/sweep.js'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.js'
import { startDetection } from './modules/status/detection-runner.js'
import type { Config } from './config.js'
import { defineJobs } from './jobs.js'
import { openDatabase, type DatabaseHandle } from './platform/db/database.js'
import { migrate, readMigrations } from './platform/db/migrate.js'
import { JobQueue } from './platform/jobs/queue.js'
import { createSenders } from './modules/notifications/senders.js'
import { isEmpty, seedDemoData } from './seed.js'
import { loadServicesOrExplain, type LoadedServices } from './modules/catalogue/load.js'
import { syncCatalogue } from './modules/catalogue/store.js'
import { ServiceDefinitionsError } from './modules/services/catalogue.js'

export type Role = 'start' | 'web' | 'worker'

export class StartupError extends Error {}

export function openConfiguredDatabase(config: Config): Promise<DatabaseHandle> {
  return openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize })
}

async function assertMigrated(database: DatabaseHandle): Promise<void> {
  const applied = await database.db
    .selectFrom('schema_migrations')
    .select('name')
    .execute()
    .catch(() => [])
  const names = new Set(applied.map((row) => row.name))
  const pending = readMigrations().filter((migration) => !names.has(migration.name))
  if (pending.length > 0) {
    throw new StartupError(`${pending.length} database migration(s) pending; run "ecitizen migrate" first`)
  }
}

export interface Running {
  app: FastifyInstance
  stop(): Promise<void>
}

/**
 * Starts a process role. `start` is the newcomer's everything-in-one: it migrates, seeds an empty
 * database, serves and works. `web` and `worker` are for production, where migrating is a deploy step.
 */
export async function run(role: Role, config: Config, logger: Logger): Promise<Running> {
  // First, before anything else: a definition with an error never reaches anyone.
  let services: LoadedServices
  try {
    services = await loadServicesOrExplain()
  } catch (error) {
    if (error instanceof ServiceDefinitionsError) throw new StartupError(error.message)
    throw error
  }
  const database = await openConfiguredDatabase(config)
  try {
    if (role === 'start') {
      const applied = await migrate(database)
      if (applied.length) logger.info({ applied }, 'migrations applied')
      if (await isEmpty(database)) await seedDemoData(database, logger)
    } else {
      await assertMigrated(database)
    }
    // Every process may sync: only rows that differ are written.
    if (role !== 'worker') await syncCatalogue(database.db, services.catalogue, services.categories)
  } catch (error) {
    await database.close()
    throw error
  }

  const jobs = new JobQueue(database, logger.child({ component: 'jobs' }), {
    pollSeconds: config.jobPollSeconds,
    worker: role !== 'web',
  })
  const senders = createSenders(config)
  logger.info({ email: senders.routes.email, sms: senders.routes.sms }, 'messages go out through')
  // Every role builds the app: the worker's jobs use the services it wires, and only web roles listen.
  const app = await buildApp({ config, database, jobs, logger, services })
  defineJobs(jobs, { db: database.db, senders, modules: app.modules, log: logger })
  await jobs.start()
  // Worker processes probe the whole deployment for the status page; several workers share the rounds.
  const detection = role !== 'web' ? startDetection({ db: database.db, settings: config, log: logger.child({ component: 'status-detection' }) }) : undefined
  // Worker processes also take what the M-Pesa inbox has left: messages of a process that died, retries due.
  const inboxSweep = role !== 'web' ? startInboxSweep(app.modules.mpesa.inbox.processor, logger.child({ component: 'mpesa-inbox' })) : undefined
  if (role !== 'worker') await app.listen({ host: config.host, port: config.port })
  logger.info({ role, engine: database.engine, url: role === 'worker' ? undefined : config.publicUrl }, 'eCitizen is running')

  return {
    app,
    // Order matters: stop taking requests (finishing those in flight), then finish running jobs, then
    // close the database they both use. A worker takes no requests: its jobs finish before the services
    // they use (the M-Pesa gateway) close with the app.
    stop: async () => {
      await detection?.stop()
      await inboxSweep?.stop()
      if (role !== 'worker') await app.close()
      await jobs.stop(config.shutdownTimeoutMs)
      if (role === 'worker') await app.close()
      await database.close()
    },
  }
}
