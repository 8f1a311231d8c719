import { Conflict, Invalid, NotFound } from '../../platform/http/errors.js'
import type { ServiceDefinition, Transition } from '../services/definition.js'
import type { ApplicationsService } from './service.js'
import * as store from './store.js'
import { applicantStepsFrom } from './workflow.js'

export const REPLY_MAX = 2000

/** The applicant's own way on from where the agency left the application (e.g. "send the correction"). */
export function applicantStep(definition: ServiceDefinition, stage: string | null, to: string): Transition | undefined {
  return applicantStepsFrom(definition, stage).find((step) => step.to === to)
}

/**
 * The applicant answers the agency's request (more information, a correction) and sends the
 * application back: the definition's applicant transition, with their reply as its note, in one
 * transaction with the row locked. The status recorder resumes the SLA clock the request paused.
 */
export async function respondToAgency(applications: ApplicationsService, accountId: string, id: string, to: string, replyText: string) {
  const reply = replyText.trim()
  if (!reply) throw new Invalid({ reply: { key: 'applications.respond.errors.required' } })
  if (reply.length > REPLY_MAX) throw new Invalid({ reply: { key: 'applications.respond.errors.tooLong', params: { max: REPLY_MAX } } })
  const { definition } = await applications.own(accountId, id)
  return applications.deps.db.transaction().execute(async (trx) => {
    const locked = await store.findOwnApplication(trx, accountId, id, true)
    if (!locked) throw new NotFound()
    // The agency may have moved it on meanwhile: then there is nothing to answer.
    if (!applicantStep(definition, locked.stage, to)) throw new Conflict(`no applicant step ${locked.stage ?? locked.status} → ${to}`)
    return applications.recordStatusChange(trx, locked, { to, actor: { kind: 'applicant', accountId }, note: reply })
  })
}
