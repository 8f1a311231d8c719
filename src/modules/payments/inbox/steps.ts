import type { Executor } from '../store.js'

/**
 * What processing one inbox message comes to, decided before its transaction (verification may ask
 * Daraja, which must not hold a lock): an effect to apply, or "ask again later".
 */
export type Step =
  /** Applied in the transaction that marks the message processed; returns the outcome recorded. */
  | { apply: (trx: Executor) => Promise<string> }
  /** No answer yet: processed again after a delay; `giveUp` is applied once the tries run out. */
  | { retry: string; giveUp: (trx: Executor) => Promise<string> }

export const done = (outcome: string): Step => ({ apply: async () => outcome })
