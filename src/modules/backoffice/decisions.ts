import type { RequestContext } from '../../platform/audit/audit.js'
import { Invalid, type FieldError } from '../../platform/http/errors.js'
import { pinnedDefinition } from '../applications/status.js'
import { findApplication, type Application, type Executor } from '../applications/store.js'
import { findStage, mayTake } from '../applications/workflow.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { ServiceDefinition, Stage, Transition } from '../services/definition.js'
import { ActionRefused, CaseChanged, type WhatHappened } from './errors.js'
import { staffRole, type BackofficeService, type Staff } from './service.js'
import { caseEvents, enteredBy } from './store.js'

/** What an action form sends: the stage to move to, the version the officer saw, a reason, document values. */
export interface DecisionForm {
  to: string
  version: string
  note: string
  /** Values for the issued document's `from: officer` fields, by field id. */
  documentFields: Record<string, string>
}

export interface Decision {
  application: Application
  /** The number of the document issued, when the decision issued one. */
  documentNumber?: string
}

export const NOTE_MAX = 2000
/** Form fields are named after what they hold; these prefixes keep several action forms apart on one page. */
export const noteField = (to: string) => `note-${to}`
export const documentField = (id: string) => `document-${id}`

/** The transition this person may take to `to` from where the case is: 409 when none leads there, 403 when not theirs. */
export function transitionFor(staff: Staff, definition: ServiceDefinition, application: Application, to: string): Transition {
  const current = findStage(definition, application.stage)
  const here = application.status === 'completed' ? [] : definition.workflow.transitions.filter((transition) => transition.from === application.stage && transition.to === to)
  if (here.length === 0) throw new ActionRefused(409, 'notFromStage', { stage: current?.name ?? { en: application.status, sw: application.status } })
  const role = staffRole(staff)
  const transition = role && here.find((candidate) => mayTake(candidate, { kind: 'agency', accountId: staff.accountId, role }))
  if (!transition) throw new ActionRefused(403, 'notForRole', { action: here[0]!.label })
  return transition
}

/** The reason and the document's officer fields, checked at their fields before anything changes. */
function checkForm(transition: Transition, target: Stage, definition: ServiceDefinition, form: DecisionForm): { note?: string; documentFields: Record<string, string> } {
  const errors: Record<string, FieldError> = {}
  const note = form.note.trim()
  if (transition.reasonRequired && !note) errors[noteField(target.id)] = { key: 'backoffice.errors.reason' }
  else if (note.length > NOTE_MAX) errors[noteField(target.id)] = { key: 'backoffice.errors.noteLength', params: { max: NOTE_MAX } }
  const documentFields: Record<string, string> = {}
  if (target.end === 'issued') {
    for (const field of definition.issuedDocument.fields) {
      if (field.from !== 'officer') continue
      const value = (form.documentFields[field.id] ?? '').trim()
      if (!value) errors[documentField(field.id)] = { key: 'backoffice.errors.documentField', params: { field: field.id } }
      documentFields[field.id] = value
    }
  }
  if (Object.keys(errors).length) throw new Invalid(errors, 'decision form incomplete')
  // Only a reason the transition asks for reaches the applicant's timeline.
  return { note: transition.reasonRequired ? note : undefined, documentFields }
}

/** The latest step on the case, for the page that tells an officer someone else acted first. */
export async function whatHappened(db: Executor, catalogue: ServiceCatalogue, application: Application): Promise<WhatHappened | undefined> {
  const [event] = await caseEvents(db, application.id, true)
  if (!event) return undefined
  const definition = pinnedDefinition(catalogue, application)
  return {
    actorKind: event.actor_kind,
    actorName: event.actor_name,
    actorRole: event.actor_role,
    eventType: event.event_type,
    stage: findStage(definition, application.stage)?.name,
    at: event.at,
  }
}

/**
 * Takes a decision on a case: one transaction with the case row locked, in which the version the officer
 * saw is checked (someone else acted first: CaseChanged, nothing changes), the transition must lead from
 * the current stage and be the officer's role's (else ActionRefused), four eyes holds, the form is
 * complete, and then the move (timeline event, applicant's notices), the document when it issues one,
 * and the audit entry are written together. A refusal is audited on its own.
 */
export async function decide(service: BackofficeService, staff: Staff, reference: string, form: DecisionForm, context: RequestContext): Promise<Decision> {
  const { db, catalogue, recordStatusChange } = service.deps
  let seen: Application | undefined
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await service.caseRow(trx, staff, reference, true)
      const application = (await findApplication(trx, row.id))!
      seen = application
      if (row.version !== form.version) throw new CaseChanged(await whatHappened(trx, catalogue, application))
      const definition = pinnedDefinition(catalogue, application)
      const transition = transitionFor(staff, definition, application, form.to)
      if (transition.fourEyes && (await enteredBy(trx, application.id, application.stage!)) === staff.accountId) {
        throw new ActionRefused(403, 'fourEyes', { action: transition.label })
      }
      const target = findStage(definition, transition.to)!
      const checked = checkForm(transition, target, definition, form)
      const updated = await recordStatusChange(trx, application, {
        to: target.id,
        actor: { kind: 'agency', accountId: staff.accountId, role: staffRole(staff) },
        note: checked.note,
      })
      const documentNumber = target.end === 'issued' ? await issue(service, trx, updated, definition, checked.documentFields, staff) : undefined
      await service.audit(staff, updated, { action: 'backoffice.decision', outcome: 'success', details: { from: application.stage, to: target.id, document: documentNumber ?? null } }, context, trx)
      return { application: updated, documentNumber }
    })
  } catch (error) {
    const refused = error instanceof ActionRefused ? error.reason : error instanceof CaseChanged ? 'changed' : error instanceof Invalid ? 'invalid' : undefined
    if (seen && refused) {
      const outcome = error instanceof ActionRefused && error.status === 403 ? 'denied' : 'failure'
      await service.audit(staff, seen, { action: 'backoffice.decision', outcome, details: { from: seen.stage, to: form.to.slice(0, 60), reason: refused } }, context)
    }
    throw error
  }
}

/** The document, written by the documents module in the decision's transaction; its field errors land on our fields. */
async function issue(service: BackofficeService, trx: Executor, application: Application, definition: ServiceDefinition, fields: Record<string, string>, staff: Staff): Promise<string> {
  try {
    return (await service.deps.issuer.issue(trx, { application, definition, officerFields: fields, issuedBy: staff.accountId })).number
  } catch (error) {
    if (!(error instanceof Invalid)) throw error
    throw new Invalid(Object.fromEntries(Object.entries(error.fields).map(([id, fieldError]) => [documentField(id), fieldError])), error.message)
  }
}
