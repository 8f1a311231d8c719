import type { JobQueue } from '../../platform/jobs/queue.js'
import { sendToAccount } from '../notifications/inbox.js'
import { renderTemplate } from '../notifications/templates.js'
import type { Language, ServiceDefinition } from '../services/definition.js'
import { findStage } from './workflow.js'
import { findContact, insertMessage, type Application, type Executor } from './store.js'

export interface NoticeDeps {
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany'>
  /** The portal's address: messages link to the application. */
  publicUrl: string
}

type NoticeTemplate = 'application-submitted' | 'application-awaiting-payment' | 'application-status-changed'

/**
 * Tells the applicant what happened: an email and an SMS in their language, and the in-app message in
 * both languages (they may switch), all in the caller's transaction, keyed by the event so that a
 * repeated event sends nothing twice.
 */
export async function noticeApplicant(
  trx: Executor,
  deps: NoticeDeps,
  application: Application,
  definition: ServiceDefinition,
  eventId: string,
  template: NoticeTemplate,
): Promise<void> {
  const contact = await findContact(trx, application.account_id)
  const link = `${deps.publicUrl.replace(/\/$/, '')}/applications/${application.id}`
  const params = (language: Language) => ({
    reference: application.reference,
    service: definition.name[language],
    stage: findStage(definition, application.stage)?.name[language] ?? definition.name[language],
    link,
  })
  // The person's inbox copy, and the email and SMS their channel preferences allow.
  await sendToAccount(trx, deps.jobs, {
    key: `application:${eventId}`,
    accountId: application.account_id,
    language: contact.language,
    email: contact.email,
    phone: contact.phone,
    template,
    params,
  })
  const en = renderTemplate(template, 'en', params('en'))
  const sw = renderTemplate(template, 'sw', params('sw'))
  await insertMessage(trx, {
    account_id: application.account_id,
    application_id: application.id,
    idempotency_key: `application:${eventId}`,
    title_en: en.subject,
    title_sw: sw.subject,
    body_en: en.text,
    body_sw: sw.text,
  })
}
