/**
 * Processes inbox messages exactly once: right after each is acknowledged (in the process that received
 * it), and by a sweep that takes whatever a process left behind (it died after the ack) or whose retry is
 * due. Each message's effect and its "processed" mark commit together, under a row lock that a second
 * processor skips, so no message is applied twice and none is lost.
 */
import type { Db } from '../../../platform/db/database.js'
import type { Executor } from '../store.js'
import { MalformedCallback } from '../daraja/protocol.js'
import { confirmationStep, transactionStatusStep, type C2bDeps } from './c2b.js'
import { done, type Step } from './steps.js'
import { stkResultStep, type StkResultDeps } from './stk-result.js'
import { dueUnprocessed, findUnprocessed, lockUnprocessed, markProcessed, retryLater, type InboxRow } from './store.js'

type Log = { warn(object: object, message: string): void; info(object: object, message: string): void; error(object: object, message: string): void }

export interface InboxProcessorDeps extends StkResultDeps, C2bDeps {
  db: Db
  log: Log
  /** How long before an unanswered verification is asked again. */
  retryDelayMs?: number
  /** Tries before a claim that was never confirmed is given up and kept for review. */
  maxAttempts?: number
}

/** Messages whose effects share one transaction. */
const BATCH = 25

interface Prepared {
  id: string
  kind: InboxRow['kind']
  apply: (trx: Executor) => Promise<string>
  resumes?: Promise<string | undefined>
}

export class InboxProcessor {
  #running = new Set<Promise<void>>()
  #waiting: string[] = []
  readonly retryDelayMs: number
  readonly maxAttempts: number
  /**
   * Messages processed at once by this process: fewer than the pool's connections, so that acknowledging (one insert) always finds a
   * database connection free: a surge of callbacks queues here, in memory and in the inbox, not in the pool.
   */
  readonly concurrency: number

  constructor(private readonly deps: InboxProcessorDeps & { concurrency?: number }) {
    this.retryDelayMs = deps.retryDelayMs ?? 30_000
    this.maxAttempts = deps.maxAttempts ?? 20
    this.concurrency = deps.concurrency ?? 6
  }

  /**
   * Processes one message soon, without holding up the caller (the acknowledgement). Past a bound the
   * id is not kept: the sweep finds the row in the inbox, so memory stays bounded in a flood.
   */
  kick(id: string): void {
    if (this.#waiting.length >= 10_000) return
    this.#waiting.push(id)
    this.#pump()
  }

  #pump(): void {
    while (this.#running.size < this.concurrency && this.#waiting.length > 0) {
      const ids = this.#waiting.splice(0, BATCH)
      const run = this.processMany(ids).catch((error: unknown) => this.deps.log.error({ err: error, inboxIds: ids }, 'M-Pesa inbox messages not processed; the sweep will try again'))
      this.#running.add(run)
      void run.finally(() => {
        this.#running.delete(run)
        this.#pump()
      })
    }
  }

  /** Resolves once every message kicked so far (and what they led to) is processed or waiting for a retry. */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0 || this.#waiting.length > 0) await Promise.allSettled([...this.#running])
  }

  /** Messages left unprocessed for `graceMs` (their process died) or due again: processed now. Returns how many. */
  async sweep(graceMs = 10_000, limit = 500): Promise<number> {
    const ids = await dueUnprocessed(this.deps.db, new Date(Date.now() - graceMs), limit)
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH)
      await this.processMany(batch).catch((error: unknown) => this.deps.log.error({ err: error, inboxIds: batch }, 'M-Pesa inbox messages not processed'))
    }
    return ids.length
  }

  process(id: string): Promise<void> {
    return this.processMany([id])
  }

  /**
   * Several messages: each verified on its own, then all their effects in one transaction (one commit
   * for many credits). If that transaction fails (a deadlock with another processor, say), nothing of it
   * stays and each message is processed alone.
   */
  async processMany(ids: string[]): Promise<void> {
    const prepared: Prepared[] = []
    for (const id of ids) {
      const ready = await this.#prepare(id)
      if (ready) prepared.push(ready)
    }
    if (prepared.length === 0) return
    let outcomes: (string | undefined)[]
    try {
      outcomes = await this.deps.db.transaction().execute(async (trx) => {
        const results: (string | undefined)[] = []
        for (const { id, apply } of prepared) {
          if (!(await lockUnprocessed(trx, id))) {
            results.push(undefined)
            continue
          }
          const result = await apply(trx)
          await markProcessed(trx, id, result)
          results.push(result)
        }
        return results
      })
    } catch (error) {
      if (prepared.length === 1) return this.#failed(prepared[0]!.id, error)
      this.deps.log.warn({ err: error, inboxIds: prepared.map((p) => p.id) }, 'M-Pesa inbox batch failed; processing its messages one by one')
      for (const { id } of prepared) await this.process(id)
      return
    }
    for (const [index, { id, kind, resumes }] of prepared.entries()) {
      if (outcomes[index] !== undefined) this.deps.log.info({ inboxId: id, kind, outcome: outcomes[index] }, 'M-Pesa message processed')
      const next = resumes && (await resumes)
      if (next) await this.process(next)
    }
  }

  /**
   * A message whose effect failed to apply (a bug, or data the database refuses): counted and asked again
   * later; once the tries run out it is marked failed, loudly, with its body kept in the inbox for a person.
   */
  async #failed(id: string, error: unknown): Promise<void> {
    const row = await findUnprocessed(this.deps.db, id)
    if (!row) return
    if (row.attempts + 1 < this.maxAttempts) {
      this.deps.log.warn({ err: error, inboxId: id }, 'M-Pesa inbox message could not be applied; asking again later')
      await retryLater(this.deps.db, id, this.retryDelayMs, 'apply-error')
      return
    }
    this.deps.log.error({ err: error, inboxId: id }, 'M-Pesa inbox message could not be applied and is given up: it needs a person')
    await this.deps.db.transaction().execute(async (trx) => {
      if (await lockUnprocessed(trx, id)) await markProcessed(trx, id, `failed: ${error instanceof Error ? error.message : String(error)}`)
    })
  }

  /** A message's verification, before any lock: its effect to apply, or undefined (done, or asked again later). */
  async #prepare(id: string): Promise<Prepared | undefined> {
    const row = await findUnprocessed(this.deps.db, id)
    if (!row) return undefined
    let step: Step
    let resumes: Promise<string | undefined> | undefined
    try {
      ;({ step, resumes } = await this.#decide(row))
    } catch (error) {
      if (error instanceof MalformedCallback) step = done(`malformed: ${error.message}`.slice(0, 60))
      else {
        // Daraja unreachable while verifying, say: asked again later, never dropped.
        this.deps.log.warn({ err: error, inboxId: id }, 'M-Pesa inbox message: verification failed, asking again later')
        await retryLater(this.deps.db, id, this.retryDelayMs, 'verification-error')
        return undefined
      }
    }
    if ('retry' in step) {
      if (row.attempts + 1 < this.maxAttempts) {
        await retryLater(this.deps.db, id, this.retryDelayMs, step.retry)
        return undefined
      }
      step = { apply: step.giveUp }
    }
    return { id, kind: row.kind, apply: step.apply, resumes }
  }

  async #decide(row: InboxRow): Promise<{ step: Step; resumes?: Promise<string | undefined> }> {
    switch (row.kind) {
      case 'stk-result':
        return { step: await stkResultStep(this.deps, row) }
      case 'c2b-confirmation':
        return { step: await confirmationStep(this.deps, row) }
      case 'transaction-status':
        return transactionStatusStep(this.deps, row)
      default:
        // Validations are answered and recorded at once; nothing else comes here.
        return { step: done('nothing-to-do') }
    }
  }
}
