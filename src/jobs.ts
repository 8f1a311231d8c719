import type { JobQueue } from './platform/jobs/queue.js'

/**
 * Every background job the program runs, defined in one place so web processes (which only enqueue)
 * and workers (which also run them) agree on names and retry policies. Modules add theirs here.
 */
export function defineJobs(_queue: JobQueue): void {}
