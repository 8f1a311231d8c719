import type { FastifyBaseLogger } from 'fastify'
import type { JobDefinition, JobQueue } from '../../platform/jobs/queue.js'
import { SEND_RETRY_LIMIT } from '../notifications/jobs.js'
import { deliverNotification, notificationDb, type Senders } from '../notifications/service.js'
import type { StatusEvent } from './service.js'
import { eventKey, FAN_OUT_JOB, fanOut, SUBSCRIBER_EMAIL_JOB, type FanOutJob, type SendingDeps, type SubscriberEmailJob } from './subscriptions-sending.js'
import { deleteExpiredPending, newestUpdateId } from './subscriptions-store.js'

export const PURGE_JOB = 'status.subscriptions-purge'

/** RFC 2369 and RFC 8058: mail clients offer "unsubscribe", and may do it with one POST. */
export function listUnsubscribeHeaders(unsubscribeUrl: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
}

/**
 * After each published change, one fan-out job (once per change: the singleton key) that writes every
 * subscriber's message. The change is already committed; a failure to queue is logged, not shown to
 * the admin whose change it was.
 */
export function subscriberListener(deps: { db: SendingDeps['db']; jobs: Pick<JobQueue, 'enqueue'>; log: FastifyBaseLogger }) {
  return async (event: StatusEvent): Promise<void> => {
    try {
      const job: FanOutJob | undefined =
        event.kind === 'maintenance-scheduled'
          ? { kind: 'maintenance', id: event.maintenanceId }
          : await newestUpdateId(deps.db, event.incidentId).then((id) => (id ? { kind: 'update' as const, id } : undefined))
      if (job) await deps.jobs.enqueue(deps.db, FAN_OUT_JOB, job, { singletonKey: eventKey(job) })
    } catch (error) {
      deps.log.error({ err: error, event }, 'status subscribers could not be queued')
    }
  }
}

export function subscriptionJobs(deps: SendingDeps & { senders: Senders }): JobDefinition<object>[] {
  const db = notificationDb(deps.db)
  const fanOutJob: JobDefinition<FanOutJob> = {
    name: FAN_OUT_JOB,
    retryLimit: 10,
    retryDelaySeconds: 10,
    retryBackoff: true,
    handle: (data) => fanOut(deps, data),
  }
  // The notifications module's delivery, with the headers that carry this message's unsubscribe link.
  const emailJob: JobDefinition<SubscriberEmailJob> = {
    name: SUBSCRIBER_EMAIL_JOB,
    retryLimit: SEND_RETRY_LIMIT,
    retryDelaySeconds: 10,
    retryBackoff: true,
    expireInSeconds: 120,
    handle: async (data, context) => {
      const headers = listUnsubscribeHeaders(data.unsubscribeUrl)
      const senders = { sms: deps.senders.sms, email: { send: (message: Parameters<Senders['email']['send']>[0]) => deps.senders.email.send({ ...message, headers }) } }
      await deliverNotification(db, senders, data.key, context.attempt > SEND_RETRY_LIMIT)
    },
  }
  const purgeJob: JobDefinition<object> = {
    name: PURGE_JOB,
    // Nightly, when nobody is subscribing.
    cron: '30 3 * * *',
    handle: async () => void (await deleteExpiredPending(deps.db)),
  }
  return [fanOutJob, emailJob, purgeJob] as JobDefinition<object>[]
}
