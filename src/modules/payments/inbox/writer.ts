/**
 * Writes inbox messages in batches: callbacks arriving together share one INSERT (and one commit), so
 * acknowledging costs a fraction of a statement each. Every caller still gets its row's id only once it
 * is durably written; a failed batch fails each of its callers, who answer 5xx so Daraja sends again.
 */
import type { Db } from '../../../platform/db/database.js'
import { insertMessages, type InboxMessage } from './store.js'

/** Past this many waiting, a batch is written at once rather than on the next turn of the event loop. */
const MAX_BATCH = 200

interface Waiting {
  message: InboxMessage
  resolve(id: string): void
  reject(error: unknown): void
}

export class InboxWriter {
  #queue: Waiting[] = []
  #scheduled = false
  #inFlight = 0
  /** Batches written at once: more gain nothing once the pool's connections are all busy. */
  readonly #maxInFlight: number

  constructor(
    private readonly db: Db,
    options: { maxInFlight?: number } = {},
  ) {
    this.#maxInFlight = options.maxInFlight ?? 4
  }

  write(message: InboxMessage): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.#queue.push({ message, resolve, reject })
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
      const batch = this.#queue.splice(0, MAX_BATCH)
      this.#inFlight++
      insertMessages(this.db, batch.map((waiting) => waiting.message))
        .then(
          (ids) => batch.forEach((waiting, index) => waiting.resolve(ids[index]!)),
          (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
        )
        .finally(() => {
          this.#inFlight--
          if (this.#queue.length > 0) this.#schedule()
        })
    }
  }
}
