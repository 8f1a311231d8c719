/**
 * Processes inbox messages exactly once: right after each is acknowledged (in the process that received
 * it), and by a sweep that takes whatever a process left behind (it died after the ack) or whose retry is
 * due. Each message's effect and its "processed" mark commit together, under a row lock that a second
 * processor skips, so no message is applied twice and none is lost.
 */
import type { Db } from '../../../platform/db/database.js'
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
      const id = this.#waiting.shift()!
      const run = this.process(id).catch((error: unknown) => this.deps.log.error({ err: error, inboxId: id }, 'M-Pesa inbox message not processed; the sweep will try again'))
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
    for (const id of ids) {
      await this.process(id).catch((error: unknown) => this.deps.log.error({ err: error, inboxId: id }, 'M-Pesa inbox message not processed'))
    }
    return ids.length
  }

  async process(id: string): Promise<void> {
    const row = await findUnprocessed(this.deps.db, id)
    if (!row) return
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
        return
      }
    }
    if ('retry' in step) {
      if (row.attempts + 1 < this.maxAttempts) {
        await retryLater(this.deps.db, id, this.retryDelayMs, step.retry)
        return
      }
      step = { apply: step.giveUp }
    }
    const apply = step.apply
    const outcome = await this.deps.db.transaction().execute(async (trx) => {
      if (!(await lockUnprocessed(trx, id))) return undefined
      const result = await apply(trx)
      await markProcessed(trx, id, result)
      return result
    })
    if (outcome !== undefined) this.deps.log.info({ inboxId: id, kind: row.kind, outcome }, 'M-Pesa message processed')
    const next = resumes && (await resumes)
    if (next) await this.process(next)
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
