import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { allow } from '../../platform/access/access.js'
import { NotFound } from '../../platform/http/errors.js'
import type { Language } from '../../platform/i18n/i18n.js'
import { linkParts } from './message-links.js'
import { listInbox, markAllRead, openMessage, unreadCount, type InboxMessage } from './inbox.js'
import { CATEGORIES, preferencesOf, savePreferences, type Category, type ChannelChoice } from './preferences.js'
import { notificationDb } from './service.js'
import type { NotificationTables } from './tables.js'
import { registerUnreadBadge } from './unread-badge.js'

const ID = /^[1-9]\d{0,17}$/

function view(message: InboxMessage, lang: Language) {
  return {
    id: message.id,
    title: lang === 'sw' ? message.title_sw : message.title_en,
    body: lang === 'sw' ? message.body_sw : message.body_en,
    channels: message.channels ? message.channels.split(',') : [],
    at: message.created_at,
    unread: !message.read_at,
  }
}

/** The values a checkbox group sent: none, one (a string) or several (an array). */
function checked(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

/** The person's inbox: every message sent through sendToAccount, read or not, and their channel choices. */
export function inboxRoutes<DB extends NotificationTables>(app: FastifyInstance, deps: { db: Kysely<DB>; publicUrl: string }): void {
  const db = notificationDb(deps.db)
  registerUnreadBadge(app, db)

  app.get('/account/messages', allow('account.own'), async (request, reply) => {
    const accountId = request.session!.accountId
    const before = (request.query as Record<string, unknown>).before
    if (before !== undefined && (typeof before !== 'string' || !ID.test(before))) throw new NotFound('no such page')
    const page = await listInbox(db, accountId, before)
    const lang = request.language()
    return reply.page('notifications/views/inbox.njk', {
      pageTitle: request.t('inbox.title'),
      unread: request.unreadMessages ?? (await unreadCount(db, accountId)),
      messages: page.messages.map((m) => view(m, lang)),
      older: page.older,
      first: before === undefined,
      allRead: (request.query as Record<string, unknown>).read === 'all',
    })
  })

  app.post('/account/messages/read-all', allow('account.own'), async (request, reply) => {
    await markAllRead(db, request.session!.accountId)
    return reply.redirect('/account/messages?read=all', 303)
  })

  app.get('/account/messages/preferences', allow('account.own'), async (request, reply) => {
    const choices = await preferencesOf(db, request.session!.accountId)
    return reply.page('notifications/views/preferences.njk', {
      pageTitle: request.t('inbox.preferences.title'),
      categories: CATEGORIES.map((category) => ({ category, ...choices[category] })),
      saved: (request.query as Record<string, unknown>).saved === '1',
    })
  })

  app.post('/account/messages/preferences', allow('account.own'), async (request, reply) => {
    const choices = Object.fromEntries(
      CATEGORIES.map((category) => {
        const channels = checked(request.body, category)
        return [category, { email: channels.includes('email'), sms: channels.includes('sms') }]
      }),
    ) as Record<Category, ChannelChoice>
    await savePreferences(db, request.session!.accountId, choices)
    return reply.redirect('/account/messages/preferences?saved=1', 303)
  })

  app.get<{ Params: { id: string } }>('/account/messages/:id', allow('account.own'), async (request, reply) => {
    // Another person's message is as absent as one that never existed.
    const message = ID.test(request.params.id) ? await openMessage(db, request.session!.accountId, request.params.id) : undefined
    if (!message) throw new NotFound('no such message')
    const shown = view(message, request.language())
    // Messages are plain text: blank lines separate paragraphs, and the portal's own addresses are links.
    const paragraphs = shown.body.split(/\n\s*\n/).map((paragraph) => linkParts(paragraph, deps.publicUrl))
    return reply.page('notifications/views/message.njk', { pageTitle: shown.title, message: { ...shown, paragraphs } })
  })
}
