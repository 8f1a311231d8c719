import type { Logger } from 'pino'
import type { Db } from '../../platform/db/database.js'
import type { Language, Translate, Translator } from '../../platform/i18n/i18n.js'
import type { JobDefinition, JobQueue } from '../../platform/jobs/queue.js'
import { sendToAccount } from '../notifications/inbox.js'
import type { Incident } from './model.js'
import { contactsOf, findInterruptedWork, latestPerPerson, type InterruptedWork } from './restoration-store.js'
import type { StatusEvent } from './service.js'
import { findIncident } from './store.js'

export const RESTORATION_JOB = 'status.restoration-notices'

export interface RestorationJob {
  incidentId: string
}

export interface RestorationDeps {
  db: Db
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany'>
  translator: Translator
  publicUrl: string
  log: Pick<Logger, 'info'>
}

/** Queues the notices when an incident is resolved; the job does the reading and sending. */
export function restorationListener(deps: Pick<RestorationDeps, 'db' | 'jobs'>) {
  return async (event: StatusEvent): Promise<void> => {
    if (event.kind !== 'incident-updated' || event.status !== 'resolved') return
    await deps.jobs.enqueue(deps.db, RESTORATION_JOB, { incidentId: event.incidentId } satisfies RestorationJob, { singletonKey: event.incidentId })
  }
}

/** What the person was doing, in their words: "pay bill ECZ-…", "your application DCI-…". */
function describe(work: InterruptedWork, t: Translate): string {
  return t(`statusRestoration.what.${work.kind}`, { subject: work.subject ?? '' })
}

/** The admins' closing words: the resolved update's message, often an apology. */
function closingOf(incident: Incident, language: Language): string {
  return incident.updates.find((update) => update.status === 'resolved')?.message[language] ?? ''
}

/**
 * Tells each person whose work the incident interrupted that the service is back, once per incident:
 * the inbox's idempotency key is the incident and the person, so a job run twice (or a second worker)
 * files and sends nothing more. Returns how many people were told this time.
 */
export async function sendRestorationNotices(deps: RestorationDeps, incidentId: string): Promise<number> {
  const incident = await findIncident(deps.db, incidentId)
  if (!incident?.resolvedAt) return 0
  const work = latestPerPerson(await findInterruptedWork(deps.db, { components: incident.components, startedAt: incident.startedAt, resolvedAt: incident.resolvedAt }))
  const base = deps.publicUrl.replace(/\/$/, '')
  let told = 0
  for (const contact of await contactsOf(deps.db, [...work.keys()])) {
    const item = work.get(contact.id)!
    const sent = await sendToAccount(deps.db, deps.jobs, {
      key: `restoration:${incident.id}:${contact.id}`,
      accountId: contact.id,
      language: contact.language,
      email: contact.email,
      phone: contact.phone,
      template: 'service-restored',
      params: (language) => {
        const t = deps.translator.for(language)
        return { incident: incident.title[language], closing: closingOf(incident, language), what: describe(item, t), link: `${base}${item.resumePath}` }
      },
    })
    if (sent) told++
  }
  deps.log.info({ incidentId, interrupted: work.size, told }, 'restoration notices sent')
  return told
}

export function restorationJobs(deps: RestorationDeps): JobDefinition<RestorationJob>[] {
  return [
    {
      name: RESTORATION_JOB,
      retryLimit: 5,
      retryDelaySeconds: 30,
      retryBackoff: true,
      handle: async (data) => {
        await sendRestorationNotices(deps, data.incidentId)
      },
    },
  ]
}
