import type { Kysely } from 'kysely'
import type { JobDefinition } from '../../platform/jobs/queue.js'
import { deliverNotification, notificationDb, SEND_NOTIFICATION_JOB, type Senders, type SendNotificationJob } from './service.js'
import type { NotificationTables } from './tables.js'

/** Six attempts over five to ten minutes (back-off from 10 s, doubling): past that, a code would have expired. */
export const SEND_RETRY_LIMIT = 5

/** The delivery job, for every process's job queue (web processes enqueue it, workers run it). */
export function notificationJobs<DB extends NotificationTables>(deps: { db: Kysely<DB>; senders: Senders }): JobDefinition<SendNotificationJob>[] {
  const db = notificationDb(deps.db)
  return [
    {
      name: SEND_NOTIFICATION_JOB,
      retryLimit: SEND_RETRY_LIMIT,
      retryDelaySeconds: 10,
      retryBackoff: true,
      // Longer than the slowest send (SMTP and SMS time out well before), so a job is not run twice at once.
      expireInSeconds: 120,
      handle: async (data, context) => {
        await deliverNotification(db, deps.senders, data.key, context.attempt > SEND_RETRY_LIMIT)
      },
    },
  ]
}
