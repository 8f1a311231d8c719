import type { JobQueue } from '../../platform/jobs/queue.js'
import type { Translator } from '../../platform/i18n/i18n.js'
import { findContact, insertMessage, type Executor } from '../applications/store.js'
import { sendToAccount } from '../notifications/inbox.js'
import { renderTemplate } from '../notifications/templates.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { Language } from '../services/definition.js'
import type { RevocationReason } from './tables.js'

export interface RevocationNoticeDeps {
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany'>
  catalogue: ServiceCatalogue
  translator: Translator
  publicUrl: string
}

/**
 * Tells the applicant their document was revoked, and why: email and SMS in their language and the
 * in-app message in both, in the revocation's transaction, keyed by the document so it is sent once.
 */
export async function noticeRevocation(
  trx: Executor,
  deps: RevocationNoticeDeps,
  document: { id: string; application_id: string },
  revocation: { reason: RevocationReason; note: string },
): Promise<void> {
  const application = await trx
    .selectFrom('applications')
    .select(['id', 'account_id', 'reference', 'service_slug', 'definition_version'])
    .where('id', '=', document.application_id)
    .executeTakeFirstOrThrow()
  const contact = await findContact(trx, application.account_id)
  const service = deps.catalogue.version(application.service_slug, application.definition_version)?.name
  const params = (language: Language) => ({
    reference: application.reference,
    service: service?.[language] ?? application.service_slug,
    reason: `${deps.translator.for(language)(`documents.reasons.${revocation.reason}`)}. ${revocation.note}`,
    link: `${deps.publicUrl.replace(/\/$/, '')}/applications/${application.id}`,
  })
  // The person's inbox copy, and the email and SMS their channel preferences allow.
  await sendToAccount(trx, deps.jobs, {
    key: `document-revoked:${document.id}`,
    accountId: application.account_id,
    language: contact.language,
    email: contact.email,
    phone: contact.phone,
    template: 'document-revoked',
    params,
  })
  const en = renderTemplate('document-revoked', 'en', params('en'))
  const sw = renderTemplate('document-revoked', 'sw', params('sw'))
  await insertMessage(trx, {
    account_id: application.account_id,
    application_id: application.id,
    idempotency_key: `document-revoked:${document.id}`,
    title_en: en.subject,
    title_sw: sw.subject,
    body_en: en.text,
    body_sw: sw.text,
  })
}
