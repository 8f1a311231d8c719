import type { Insertable, Kysely } from 'kysely'
import type { EmailSender } from '../../platform/mail/email-sender.js'
import type { Language } from '../../platform/i18n/i18n.js'
import type { Executor, JobQueue } from '../../platform/jobs/queue.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import type { SmsSender } from '../../platform/sms/sms-sender.js'
import {
  findNotification,
  insertNotification,
  insertNotifications,
  markNotificationFailed,
  markNotificationSent,
  type NotificationDb,
} from './store.js'
import { channelAllowed } from './preferences.js'
import type { NotificationChannel, NotificationsTable, NotificationTables } from './tables.js'
import { renderTemplate, type TemplateName, type TemplateParams } from './templates.js'

export const SEND_NOTIFICATION_JOB = 'notifications.send'

export interface SendNotificationJob {
  key: string
}

interface RequestFor<N extends TemplateName> {
  /** Names the cause ("sign-in-code:<code id>"); a second request with the same key sends nothing. */
  key: string
  channel: NotificationChannel
  /** An email address, or a phone number (0712..., +254712...). */
  to: string
  language: Language
  template: N
  params: TemplateParams<N>
  /** The person it is for, when known: their channel preferences then apply (security messages aside). */
  accountId?: string
}

/** A message to send: the template decides which params are required. */
export type NotificationRequest = { [N in TemplateName]: RequestFor<N> }[TemplateName]

export interface Senders {
  email: EmailSender
  sms: SmsSender
}

/**
 * The portal's database seen as only this module's tables. Kysely's types do not let a database with
 * more tables stand in for one with fewer, though every query here would work on it unchanged.
 */
export function notificationDb<DB extends NotificationTables>(db: Kysely<DB>): NotificationDb {
  return db as unknown as NotificationDb
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/

function recipientFor(channel: NotificationChannel, to: string): string {
  if (channel === 'sms') {
    const phone = toE164(to)
    if (!phone) throw new Error('an SMS needs a phone number (+2547... or 07...)')
    return phone
  }
  const email = to.trim()
  if (!EMAIL.test(email) || email.length > 320) throw new Error('an email needs an email address')
  return email
}

function rowFor(request: NotificationRequest): Insertable<NotificationsTable> {
  if (request.key.length < 1 || request.key.length > 200) throw new Error('a notification key has 1 to 200 characters')
  const message = renderTemplate(request.template, request.language, request.params as TemplateParams<TemplateName>)
  return {
    idempotency_key: request.key,
    channel: request.channel,
    recipient: recipientFor(request.channel, request.to),
    language: request.language,
    template: request.template,
    subject: request.channel === 'email' ? message.subject : null,
    body: message.text,
  }
}

/**
 * Queues a message: writes it and its delivery job in the executor's transaction (or a new one), so it
 * is sent if and only if the caller's change commits. Returns false, and does nothing, when a message
 * with the same key was queued before.
 */
export async function notify<DB extends NotificationTables>(
  executor: Kysely<DB>,
  queue: Pick<JobQueue, 'enqueue'>,
  request: NotificationRequest,
): Promise<boolean> {
  const row = rowFor(request)
  const db = notificationDb(executor)
  if (!db.isTransaction) return db.transaction().execute((trx) => notify(trx, queue, request))
  if (request.accountId && !(await channelAllowed(db, request.accountId, request.template, request.channel))) return false
  const created = await insertNotification(db, row)
  // The queue is typed for the whole portal database; the transaction is that database's.
  if (created) await queue.enqueue<SendNotificationJob>(db as unknown as Executor, SEND_NOTIFICATION_JOB, { key: row.idempotency_key })
  return created
}

/**
 * notify for several messages of one cause (a person's email and SMS): the messages in one statement
 * and the delivery jobs of the new ones in another, so it costs two round trips however many there are.
 * Returns how many were new.
 */
export async function notifyAll<DB extends NotificationTables>(
  executor: Kysely<DB>,
  queue: Pick<JobQueue, 'enqueueMany'>,
  requests: readonly NotificationRequest[],
): Promise<number> {
  // Every request is checked, even one the person's preferences will hold back.
  const rows = requests.map(rowFor)
  const db = notificationDb(executor)
  if (!db.isTransaction) return db.transaction().execute((trx) => notifyAll(trx, queue, requests))
  const wanted: typeof rows = []
  for (const [i, request] of requests.entries()) {
    if (!request.accountId || (await channelAllowed(db, request.accountId, request.template, request.channel))) wanted.push(rows[i]!)
  }
  const created = await insertNotifications(db, wanted)
  await queue.enqueueMany<SendNotificationJob>(db as unknown as Executor, SEND_NOTIFICATION_JOB, created.map((key) => ({ key })))
  return created.length
}

/** An error as stored with the message: short, one line, and never a connection string's password. */
export function describeFailure(error: unknown): string {
  // A system error's code (ECONNREFUSED, EAUTH) says more than its class name.
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined
  const text = error instanceof Error ? `${typeof code === 'string' ? code : error.name}: ${error.message}` : String(error)
  return text.replace(/\/\/[^@/\s]*@/g, '//***@').replace(/\s+/g, ' ').trim().slice(0, 500)
}

/**
 * Sends one queued message (the delivery job). Renders nothing: it sends the stored words. A message
 * already sent is skipped, so a repeated delivery of the job sends nothing twice. A failure is recorded
 * and thrown again, for the job queue to retry; `final` says no retry will follow.
 */
export async function deliverNotification(
  db: NotificationDb,
  senders: Senders,
  key: string,
  final: boolean,
): Promise<'sent' | 'skipped'> {
  const message = await findNotification(db, key)
  if (!message || message.status === 'sent') return 'skipped'
  let providerMessageId: string
  try {
    providerMessageId =
      message.channel === 'email'
        ? await senders.email.send({ to: message.recipient, subject: message.subject ?? '', text: message.body })
        : await senders.sms.send({ to: message.recipient, text: message.body })
  } catch (error) {
    await markNotificationFailed(db, key, describeFailure(error), final)
    throw error
  }
  await markNotificationSent(db, key, providerMessageId)
  return 'sent'
}
