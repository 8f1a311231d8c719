import { sql, type Kysely, type Selectable } from 'kysely'
import type { Language } from '../../platform/i18n/i18n.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import { allowedChannels } from './preferences.js'
import { notificationDb, notifyAll, type NotificationRequest } from './service.js'
import type { NotificationDb } from './store.js'
import type { InboxMessagesTable, NotificationChannel, NotificationTables } from './tables.js'
import { renderTemplate, type TemplateName, type TemplateParams } from './templates.js'

export type InboxMessage = Selectable<InboxMessagesTable>
export const INBOX_PAGE_SIZE = 20

export interface AccountMessage<N extends TemplateName> {
  /** Names the cause; the email and SMS keys are this with ":email" and ":sms" added. */
  key: string
  accountId: string
  /** The language the email and SMS are written in; the in-app copy keeps both. */
  language: Language
  email?: string | null
  phone?: string | null
  template: N
  /** Parameters per language, since some (a service's name) are themselves translated. */
  params: (language: Language) => TemplateParams<N>
}

/**
 * Sends a message to a person: always an in-app copy in their inbox, and an email and SMS on the
 * channels their preferences allow (all of them for security messages). In the executor's transaction,
 * or a new one. Returns false, filing nothing, when the key was used before.
 */
export async function sendToAccount<DB extends NotificationTables, N extends TemplateName>(
  executor: Kysely<DB>,
  queue: Pick<JobQueue, 'enqueueMany'>,
  message: AccountMessage<N>,
): Promise<boolean> {
  const db = notificationDb(executor)
  if (!db.isTransaction) return db.transaction().execute((trx) => sendToAccount(trx, queue, message))
  const addresses: [NotificationChannel, string | null | undefined][] = [['email', message.email], ['sms', message.phone]]
  const allowed = await allowedChannels(db, message.accountId, message.template)
  const channels = addresses.filter(([channel, to]) => to && allowed[channel]).map(([channel]) => channel)
  const en = renderTemplate(message.template, 'en', message.params('en'))
  const sw = renderTemplate(message.template, 'sw', message.params('sw'))
  const filed = await db
    .insertInto('inbox_messages')
    .values({
      account_id: message.accountId,
      idempotency_key: message.key,
      template: message.template,
      title_en: en.subject,
      title_sw: sw.subject,
      body_en: en.text,
      body_sw: sw.text,
      channels: channels.join(','),
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!filed) return false
  // The preferences were read above: no accountId, so they are not read again. Every channel's message
  // in one statement and their delivery jobs in another.
  const requests = channels.map(
    (channel) =>
      ({
        key: `${message.key}:${channel}`,
        channel,
        to: (channel === 'email' ? message.email : message.phone)!,
        language: message.language,
        template: message.template,
        params: message.params(message.language),
      }) as NotificationRequest,
  )
  await notifyAll(db, queue, requests)
  return true
}

/**
 * Files the in-app copy of a security message sent through the accounts messenger (a password change,
 * a lock, a contact change). One copy per event however many channels it went out on: each channel
 * adds itself to the copy's list. Messages that carry a secret (codes, links) are not filed.
 */
export async function fileSecurityCopy<DB extends NotificationTables>(
  executor: Kysely<DB>,
  copy: { accountId: string; event: string; channel: NotificationChannel; template: TemplateName; params: Record<string, string | number> },
): Promise<void> {
  const db = notificationDb(executor)
  const en = renderTemplate(copy.template, 'en', copy.params as never)
  const sw = renderTemplate(copy.template, 'sw', copy.params as never)
  await db
    .insertInto('inbox_messages')
    .values({ account_id: copy.accountId, idempotency_key: copy.event, template: copy.template, title_en: en.subject, title_sw: sw.subject, body_en: en.text, body_sw: sw.text, channels: copy.channel })
    .onConflict((oc) => oc.column('idempotency_key').doUpdateSet({ channels: sql<string>`inbox_messages.channels || ',' || excluded.channels` }).where(sql<boolean>`position(excluded.channels in inbox_messages.channels) = 0`))
    .execute()
}

/** A page of a person's inbox, newest first, from before the message `before` (keyset). */
export async function listInbox(db: NotificationDb, accountId: string, before?: string): Promise<{ messages: InboxMessage[]; older?: string }> {
  let query = db.selectFrom('inbox_messages').selectAll().where('account_id', '=', accountId)
  if (before) query = query.where('id', '<', before)
  const rows = await query.orderBy('id', 'desc').limit(INBOX_PAGE_SIZE + 1).execute()
  const messages = rows.slice(0, INBOX_PAGE_SIZE)
  return { messages, older: rows.length > INBOX_PAGE_SIZE ? messages.at(-1)!.id : undefined }
}

/** One of the person's own messages, marked read on the way; undefined when it is not theirs. */
export async function openMessage(db: NotificationDb, accountId: string, id: string): Promise<InboxMessage | undefined> {
  const message = await db.selectFrom('inbox_messages').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst()
  if (message && !message.read_at) {
    await db.updateTable('inbox_messages').set({ read_at: sql<Date>`now()` }).where('id', '=', id).where('read_at', 'is', null).execute()
  }
  return message
}

export async function markAllRead(db: NotificationDb, accountId: string): Promise<void> {
  await db.updateTable('inbox_messages').set({ read_at: sql<Date>`now()` }).where('account_id', '=', accountId).where('read_at', 'is', null).execute()
}

/** One indexed count over the person's unread rows only. */
export async function unreadCount(db: NotificationDb, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('inbox_messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('account_id', '=', accountId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
