import { randomBytes } from 'node:crypto'
import type { Insertable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import { clock, longNairobiDate } from '../../platform/i18n/dates.js'
import type { Language, Translate } from '../../platform/i18n/i18n.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import { SINGLE_SMS_LENGTH } from '../../platform/sms/gsm.js'
import { notificationDb, SEND_NOTIFICATION_JOB, type SendNotificationJob } from '../notifications/service.js'
import { insertNotifications } from '../notifications/store.js'
import type { NotificationsTable } from '../notifications/tables.js'
import { renderTemplate, type TemplateName, type TemplateParams } from '../notifications/templates.js'
import type { Component } from './model.js'
import { componentName } from './names.js'
import { digest } from './subscriptions-service.js'
import { confirmedSubscribersFor, findMaintenanceForSubscribers, findUpdateForSubscribers, insertUnsubscribeLinks, type Subscriber } from './subscriptions-store.js'

/** The email delivery job: a status email carries List-Unsubscribe headers, so it is sent by this job. */
export const SUBSCRIBER_EMAIL_JOB = 'status.subscriber-email'
export const FAN_OUT_JOB = 'status.subscriber-fan-out'

export interface SubscriberEmailJob {
  key: string
  unsubscribeUrl: string
}

/** One published change: an incident's update (the first one opens it) or a maintenance window. */
export type FanOutJob = { kind: 'update'; id: string } | { kind: 'maintenance'; id: string }

export const eventKey = (job: FanOutJob) => `${job.kind}:${job.id}`

/** A maintenance window in an SMS: "1 Dec 22:00 - 2 Dec 02:00" (Nairobi time), short enough for one part. */
const SHORT_DAY = {
  en: new Intl.DateTimeFormat('en-KE', { day: 'numeric', month: 'short', timeZone: 'Africa/Nairobi' }),
  sw: new Intl.DateTimeFormat('sw-KE', { day: 'numeric', month: 'short', timeZone: 'Africa/Nairobi' }),
}

/** Subscribers written to in one transaction: a retry of the job resumes after the batches done. */
const BATCH = 500

export interface SendingDeps {
  db: Db
  jobs: Pick<JobQueue, 'enqueueMany'>
  publicUrl: string
  components: () => Promise<Component[]>
  t: Record<Language, Translate>
}

interface Message {
  template: { email: TemplateName; sms: TemplateName }
  /** The template's parameters in a language, without {link} (each message has its own). */
  params: (language: Language, channel: Subscriber['channel']) => Record<string, string>
  /** The parameter shortened when an SMS would run past one part. */
  shorten: string
  components: string[]
}

async function messageFor(deps: SendingDeps, job: FanOutJob): Promise<Message | undefined> {
  const all = await deps.components()
  const affected = (ids: string[], lang: Language) => ids.map((id) => componentName(all, id, lang, deps.t[lang])).join(', ')
  const statusPage = `${deps.publicUrl}/status`
  if (job.kind === 'update') {
    const update = await findUpdateForSubscribers(deps.db, job.id)
    if (!update) return undefined
    return {
      template: { email: 'status-incident-email', sms: 'status-incident-sms' },
      params: (lang) => ({
        incident: lang === 'en' ? update.title_en : update.title_sw,
        status: deps.t[lang](`statusPage.statuses.${update.status}`),
        update: lang === 'en' ? update.message_en : update.message_sw,
        affected: affected(update.components, lang),
        statusPage,
      }),
      shorten: 'incident',
      components: update.components,
    }
  }
  const window = await findMaintenanceForSubscribers(deps.db, job.id)
  // Cancelled before the job ran: announcing it now would be news that is no longer true.
  if (!window || window.cancelled_at) return undefined
  const at = (date: Date, lang: Language) => `${longNairobiDate(new Date(date), lang)} ${clock(new Date(date))}`
  const short = (date: Date, lang: Language) => `${SHORT_DAY[lang].format(new Date(date))} ${clock(new Date(date))}`
  return {
    template: { email: 'status-maintenance-email', sms: 'status-maintenance-sms' },
    params: (lang, channel) => ({
      window:
        channel === 'sms'
          ? `${short(window.starts_at, lang)} - ${short(window.ends_at, lang)}`
          : deps.t[lang]('statusPage.subscribe.messages.window', { from: at(window.starts_at, lang), to: at(window.ends_at, lang) }),
      update: lang === 'en' ? window.message_en : window.message_sw,
      affected: affected(window.components, lang),
      statusPage,
    }),
    shorten: 'affected',
    components: window.components,
  }
}

function render(message: Message, subscriber: Subscriber, link: string) {
  const template = message.template[subscriber.channel]
  const params: Record<string, string> = { ...message.params(subscriber.language, subscriber.channel), link }
  const fill = () => renderTemplate(template, subscriber.language, params as TemplateParams<TemplateName>)
  let rendered = fill()
  // An SMS keeps both links whole and gives up the end of the title (or the list of parts) instead.
  const over = rendered.text.length - SINGLE_SMS_LENGTH
  const long = params[message.shorten] ?? ''
  if (subscriber.channel === 'sms' && over > 0 && long.length > over + 13) {
    params[message.shorten] = `${long.slice(0, long.length - over - 3).trimEnd()}...`
    rendered = fill()
  }
  return { template, rendered }
}

/** Writes one batch's messages, links and delivery jobs; messages queued before (a retry) are skipped. */
async function queueBatch(deps: SendingDeps, trx: Db, job: FanOutJob, message: Message, batch: Subscriber[]): Promise<void> {
  const prepared = batch.map((subscriber) => {
    const token = randomBytes(18).toString('base64url')
    const unsubscribeUrl = `${deps.publicUrl}/status/unsubscribe/${token}`
    const { template, rendered } = render(message, subscriber, unsubscribeUrl)
    const row: Insertable<NotificationsTable> = {
      idempotency_key: `status-sub:${eventKey(job)}:${subscriber.id}`,
      channel: subscriber.channel,
      recipient: subscriber.address,
      language: subscriber.language,
      template,
      subject: subscriber.channel === 'email' ? rendered.subject : null,
      body: rendered.text,
    }
    return { subscriber, token, unsubscribeUrl, row }
  })
  const created = new Set(await insertNotifications(notificationDb(trx), prepared.map((p) => p.row)))
  const fresh = prepared.filter((p) => created.has(p.row.idempotency_key))
  await insertUnsubscribeLinks(trx, fresh.map((p) => ({ tokenHash: digest(p.token), subscriptionId: p.subscriber.id })))
  const sms = fresh.filter((p) => p.subscriber.channel === 'sms').map((p) => ({ key: p.row.idempotency_key }))
  const email = fresh.filter((p) => p.subscriber.channel === 'email').map((p) => ({ key: p.row.idempotency_key, unsubscribeUrl: p.unsubscribeUrl }))
  await deps.jobs.enqueueMany<SendNotificationJob>(trx, SEND_NOTIFICATION_JOB, sms)
  await deps.jobs.enqueueMany<SubscriberEmailJob>(trx, SUBSCRIBER_EMAIL_JOB, email)
}

/** Queues one message for every confirmed subscriber who follows a component the change names. */
export async function fanOut(deps: SendingDeps, job: FanOutJob): Promise<void> {
  const message = await messageFor(deps, job)
  if (!message) return
  let after: string | undefined
  for (;;) {
    const batch = await confirmedSubscribersFor(deps.db, message.components, after, BATCH)
    if (batch.length === 0) return
    await deps.db.transaction().execute((trx) => queueBatch(deps, trx, job, message, batch))
    after = batch.at(-1)!.id
  }
}
