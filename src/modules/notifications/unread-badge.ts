import type { FastifyInstance } from 'fastify'
import { unreadCount } from './inbox.js'
import type { NotificationDb } from './store.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** How many of the signed-in person's messages are unread; undefined when nobody is signed in. */
    unreadMessages?: number
  }
}

/**
 * The unread count the layout shows next to "Your messages". Layout sources may not query, so the
 * count is read here beforehand: one indexed count, only on GET requests of a signed-in person. Pages
 * for signed-out visitors (the cached ones) never reach the database for it.
 */
export function registerUnreadBadge(app: FastifyInstance, db: NotificationDb): void {
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'GET' || request.session?.stage !== 'signed-in') return
    request.unreadMessages = await unreadCount(db, request.session.accountId)
  })
  app.addLayoutSource((request) =>
    request.unreadMessages === undefined ? undefined : { data: { unreadMessages: request.unreadMessages }, cacheKey: `unread-${request.unreadMessages}` },
  )
}
