import type { Logger } from 'pino'
import type { AppModules } from './app.js'
import { backofficeJobs } from './modules/backoffice/digest.js'
import { notificationJobs } from './modules/notifications/jobs.js'
import type { Senders } from './modules/notifications/service.js'
import { paymentJobs, queryPromptWith } from './modules/payments/jobs.js'
import type { Db } from './platform/db/database.js'
import type { JobQueue } from './platform/jobs/queue.js'

export interface JobDeps {
  db: Db
  senders: Senders
  /** The services the one wiring place (buildApp) made: jobs use the same ones the routes do. */
  modules: AppModules
  log: Logger
}

/**
 * Every background job the program runs, defined in one place so web processes (which only enqueue)
 * and workers (which also run them, and keep their schedules) agree on names and retry policies.
 * Defined after the app is built and before the queue starts.
 */
export function defineJobs(queue: JobQueue, deps: JobDeps): void {
  const { modules } = deps
  const definitions = [
    ...notificationJobs(deps),
    ...paymentJobs({
      payments: modules.payments,
      queryPrompt: modules.mpesa.client && queryPromptWith(modules.mpesa.client),
      log: deps.log.child({ job: 'payments' }),
    }),
    ...backofficeJobs({ backoffice: modules.backoffice }),
    ...modules.status.jobDefinitions(),
    ...modules.status.subscriptions.jobDefinitions(deps.senders),
  ]
  for (const definition of definitions) queue.define(definition)
}
