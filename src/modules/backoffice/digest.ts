import type { JobDefinition } from '../../platform/jobs/queue.js'
import { longDate } from '../applications/detail.js'
import { findStage } from '../applications/workflow.js'
import { addWorkingDays, isWorkingDay } from '../applications/working-days.js'
import { listAgencies } from '../agencies/store.js'
import { DIGEST_OVERDUE } from '../notifications/backoffice-templates.js'
import { notify } from '../notifications/service.js'
import type { IsoDate } from '../services/dates.js'
import { countText } from './queue.js'
import type { BackofficeService } from './service.js'
import { agencyStaff, COUNT_CAP, dueBy } from './store.js'

export const SLA_DIGEST_JOB = 'backoffice.sla-digest'
/** The cases an email lists; the count above them says how many there are in all. */
export const DIGEST_LINES = 50

/**
 * The morning email to each agency's supervisors: the open cases due by the next working day or
 * already overdue, soonest first, so they can be moved before they breach. Nothing is sent on days off
 * (the next working day's digest covers them) nor to an agency with nothing due. Each supervisor gets
 * one a day (the key names the day), so a retried job sends nothing twice.
 */
export async function sendSlaDigest(backoffice: BackofficeService, today: IsoDate = backoffice.today()): Promise<{ messages: number }> {
  if (!isWorkingDay(today)) return { messages: 0 }
  const { db, jobs, catalogue, publicUrl } = backoffice.deps
  const until = addWorkingDays(today, 1)
  let messages = 0
  for (const agency of await listAgencies(db)) {
    const due = await dueBy(db, agency.code, until, COUNT_CAP + 1)
    if (due.length === 0) continue
    for (const supervisor of await agencyStaff(db, agency.code, ['agency_supervisor'])) {
      const language = supervisor.language
      const lines = due.slice(0, DIGEST_LINES).map((row) => {
        const definition = catalogue.version(row.service_slug, row.definition_version)
        const stage = definition && findStage(definition, row.stage)
        const late = row.expected_by < today ? ` (${DIGEST_OVERDUE[language]})` : ''
        return `${row.reference}: ${definition?.name[language] ?? row.service_slug}, ${stage?.name[language] ?? row.stage}, ${longDate(row.expected_by, language)}${late}`
      })
      const sent = await notify(db, jobs, {
        key: `backoffice-sla-digest:${today}:${supervisor.id}`,
        channel: 'email',
        to: supervisor.email,
        language,
        template: 'backoffice-sla-digest',
        params: {
          agency: language === 'sw' ? agency.name_sw : agency.name_en,
          count: countText(due.length),
          date: longDate(until, language),
          cases: lines.join('\n'),
          link: `${publicUrl.replace(/\/$/, '')}/backoffice`,
        },
      })
      if (sent) messages++
    }
  }
  return { messages }
}

/** The back-office's background jobs: the SLA digest, every working morning at 07:00 Nairobi time. */
export function backofficeJobs(deps: { backoffice: BackofficeService }): JobDefinition<object>[] {
  return [
    {
      name: SLA_DIGEST_JOB,
      cron: '0 7 * * 1-5',
      retryLimit: 3,
      retryDelaySeconds: 60,
      retryBackoff: true,
      handle: async () => {
        await sendSlaDigest(deps.backoffice)
      },
    },
  ]
}
