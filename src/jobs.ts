import { notificationJobs } from './modules/notifications/jobs.js'
import type { Senders } from './modules/notifications/service.js'
import type { Db } from './platform/db/database.js'
import type { JobQueue } from './platform/jobs/queue.js'

export interface JobDeps {
  db: Db
  senders: Senders
}

/**
 * Every background job the program runs, defined in one place so web processes (which only enqueue)
 * and workers (which also run them) agree on names and retry policies. Modules add theirs here.
 */
export function defineJobs(queue: JobQueue, deps: JobDeps): void {
  for (const definition of notificationJobs(deps)) queue.define(definition)
}
