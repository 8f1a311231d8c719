import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Environment } from '../../config.js'
import { notificationDb } from './service.js'
import { listRecentNotifications } from './store.js'
import type { NotificationTables } from './tables.js'
import { allow } from '../../platform/access/access.js'

export const OUTBOX_LIMIT = 100

/**
 * The developer outbox: what the portal sent or would have sent, so sign-up and sign-in can be tried
 * without a mail server or SMS gateway. Messages hold codes and links, so in production the route is
 * never registered and the path is an ordinary 404.
 */
export function notificationRoutes<DB extends NotificationTables>(
  app: FastifyInstance,
  deps: { db: Kysely<DB>; environment: Environment },
): void {
  if (deps.environment === 'production') return
  const db = notificationDb(deps.db)

  app.get('/dev/outbox', allow('public'), async (request, reply) => {
    const notifications = await listRecentNotifications(db, OUTBOX_LIMIT)
    reply.header('X-Robots-Tag', 'noindex')
    return reply.page('notifications/views/outbox.njk', {
      pageTitle: request.t('outbox.title'),
      limit: OUTBOX_LIMIT,
      notifications: notifications.map((n) => ({
        channel: n.channel,
        to: n.recipient,
        subject: n.subject,
        body: n.body,
        template: n.template,
        language: n.language,
        status: n.status,
        attempts: n.attempts,
        lastError: n.last_error,
        at: new Date(n.created_at).toISOString(),
        atText: `${new Date(n.created_at).toISOString().slice(0, 19).replace('T', ' ')} UTC`,
      })),
    })
  })
}
