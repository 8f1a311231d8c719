import { CompiledQuery, type Kysely } from 'kysely'
import PgBoss from 'pg-boss'
import type { Logger } from 'pino'
import type { Database } from '../db/schema.js'
import type { DatabaseHandle } from '../db/database.js'

/** Anything that runs Kysely queries: the database or an open transaction. */
export type Executor = Kysely<Database>

export interface JobDefinition<T extends object> {
  name: string
  /** Must be idempotent: jobs are delivered at least once. */
  handle: (data: T, context: { id: string; attempt: number }) => Promise<void>
  retryLimit?: number
  retryDelaySeconds?: number
  /** Exponential back-off from retryDelaySeconds. */
  retryBackoff?: boolean
  expireInSeconds?: number
  /**
   * Run on this schedule (cron, Nairobi time) as well as when enqueued. Worker processes keep the
   * schedule; pg-boss sends each tick once however many workers run.
   */
  cron?: string
}

export interface EnqueueOptions {
  /** At most one queued job with this key per queue (deduplication of repeated causes). */
  singletonKey?: string
  startAfterSeconds?: number
}

/** pg-boss speaks to the database through this: parameterised statements, or multi-statement scripts. */
function adapterFor(database: DatabaseHandle): PgBoss.Db {
  return {
    executeSql: async (text, values) =>
      values?.length
        ? { rows: (await database.db.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[] }
        : { rows: await database.runScript(text) },
  }
}

function transactionAdapter(executor: Executor): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({
      rows: (await executor.executeQuery(CompiledQuery.raw(text, values ?? []))).rows as unknown[],
    }),
  }
}

export class JobQueue {
  readonly #boss: PgBoss
  readonly #definitions = new Map<string, JobDefinition<object>>()
  #started = false

  constructor(
    private readonly database: DatabaseHandle,
    private readonly logger: Logger,
    private readonly options: { pollSeconds: number; worker: boolean },
  ) {
    this.#boss = new PgBoss({
      db: adapterFor(database),
      // Maintenance and cron belong to worker processes; web processes only enqueue.
      supervise: options.worker,
      schedule: options.worker,
      migrate: true,
    })
    this.#boss.on('error', (error) => logger.error({ err: error }, 'job queue error'))
  }

  define<T extends object>(definition: JobDefinition<T>): void {
    if (this.#started) throw new Error(`job ${definition.name} must be defined before the queue starts`)
    this.#definitions.set(definition.name, definition as unknown as JobDefinition<object>)
  }

  async start(): Promise<void> {
    await this.#boss.start()
    for (const definition of this.#definitions.values()) {
      await this.#boss.createQueue(definition.name, {
        name: definition.name,
        retryLimit: definition.retryLimit ?? 5,
        retryDelay: definition.retryDelaySeconds ?? 10,
        retryBackoff: definition.retryBackoff ?? true,
        expireInSeconds: definition.expireInSeconds ?? 300,
      })
      if (!this.options.worker) continue
      await this.#work(definition)
      if (definition.cron) await this.#boss.schedule(definition.name, definition.cron, {}, { tz: 'Africa/Nairobi' })
      else await this.#boss.unschedule(definition.name)
    }
    this.#started = true
  }

  async #work(definition: JobDefinition<object>): Promise<void> {
    await this.#boss.work<object>(
      definition.name,
      { pollingIntervalSeconds: this.options.pollSeconds, batchSize: 1, includeMetadata: true },
      async (jobs) => {
        for (const job of jobs as PgBoss.JobWithMetadata<object>[]) {
          const log = this.logger.child({ job: definition.name, jobId: job.id, attempt: job.retryCount + 1 })
          try {
            await definition.handle(job.data, { id: job.id, attempt: job.retryCount + 1 })
            log.debug('job done')
          } catch (error) {
            log.warn({ err: error }, 'job failed; it will be retried while attempts remain')
            throw error
          }
        }
      },
    )
  }

  /**
   * Queues a job. Given a transaction, the job is written in it: it exists if and only if the
   * transaction commits (the transactional outbox).
   */
  async enqueue<T extends object>(executor: Executor, name: string, data: T, options: EnqueueOptions = {}): Promise<string | null> {
    if (!this.#definitions.has(name)) throw new Error(`no job named ${name} is defined`)
    return this.#boss.send(name, data, {
      db: executor.isTransaction ? transactionAdapter(executor) : adapterFor(this.database),
      singletonKey: options.singletonKey,
      startAfter: options.startAfterSeconds,
    })
  }

  /** Queues several jobs of one kind in one statement, in the executor's transaction as enqueue does. */
  async enqueueMany<T extends object>(executor: Executor, name: string, data: readonly T[]): Promise<void> {
    if (!this.#definitions.has(name)) throw new Error(`no job named ${name} is defined`)
    if (data.length === 0) return
    await this.#boss.insert(
      data.map((item) => ({ name, data: item })),
      { db: executor.isTransaction ? transactionAdapter(executor) : adapterFor(this.database) },
    )
  }

  /** Jobs waiting to run (created or awaiting retry), for metrics and health. */
  async depth(): Promise<number> {
    const rows = await this.database.db.executeQuery<{ count: string }>(
      CompiledQuery.raw(`select count(*)::text as count from pgboss.job where state in ('created', 'retry')`, []),
    )
    return Number(rows.rows[0]?.count ?? 0)
  }

  async stop(timeoutMs: number): Promise<void> {
    // graceful: let running handlers finish (up to the timeout) before returning.
    await this.#boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false })
  }

  /** For tests: look a job up by id. */
  async find(name: string, id: string): Promise<PgBoss.JobWithMetadata | null> {
    return this.#boss.getJobById(name, id)
  }
}
