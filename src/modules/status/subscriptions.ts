import type { FastifyInstance } from 'fastify'
import type { Db } from '../../platform/db/database.js'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import type { JobDefinition, JobQueue } from '../../platform/jobs/queue.js'
import type { Senders } from '../notifications/service.js'
import type { StatusService } from './service.js'
import { subscriberListener, subscriptionJobs } from './subscriptions-jobs.js'
import { subscriptionRoutes } from './subscriptions-routes.js'
import { SubscriptionService } from './subscriptions-service.js'

export interface StatusSubscriptions {
  service: SubscriptionService
  /** The fan-out and email delivery jobs, for the one place that defines jobs (it holds the senders). */
  jobDefinitions(senders: Senders): JobDefinition<object>[]
}

/**
 * Subscriptions to status updates by email or SMS: the public pages, a listener on every published
 * change, and the jobs that write to each subscriber in their language.
 */
export function statusSubscriptions(app: FastifyInstance, deps: { db: Db; jobs: JobQueue; status: StatusService; publicUrl: string }): StatusSubscriptions {
  const components = () => deps.status.components()
  const service = new SubscriptionService(deps.db, deps.jobs, deps.publicUrl, async () => (await components()).map((c) => c.id))
  subscriptionRoutes(app, { subscriptions: service, components, secureCookies: deps.publicUrl.startsWith('https:') })
  deps.status.onPublished(subscriberListener({ db: deps.db, jobs: deps.jobs, log: app.log }))
  const translator = new Translator(loadMessages())
  const t = { en: translator.for('en'), sw: translator.for('sw') }
  return {
    service,
    jobDefinitions: (senders) => subscriptionJobs({ db: deps.db, jobs: deps.jobs, publicUrl: deps.publicUrl, components, t, senders }),
  }
}
