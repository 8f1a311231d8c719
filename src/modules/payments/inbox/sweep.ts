import type { InboxProcessor } from './processor.js'

/** Every few seconds in worker processes: messages left behind by a process that died, and retries due. */
export const SWEEP_EVERY_MS = 5_000

export function startInboxSweep(processor: InboxProcessor, log: { error(object: object, message: string): void }, everyMs = SWEEP_EVERY_MS): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve()
  let stopped = false
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return
      await processor.sweep().catch((error: unknown) => log.error({ err: error }, 'M-Pesa inbox sweep failed; trying again'))
    })
  }, everyMs)
  timer.unref()
  return {
    stop: async () => {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
