import type { Updateable } from 'kysely'
import { Conflict, Invalid } from '../../platform/http/errors.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { todayInKenya, type IsoDate } from '../services/dates.js'
import type { ServiceDefinition, Stage } from '../services/definition.js'
import { releaseBookingOf } from '../appointments/store.js'
import { cancelUnpaidInvoiceOf } from '../payments/store.js'
import { noticeApplicant, type NoticeDeps } from './notices.js'
import { insertEvent, updateIfUnchanged, type Application, type Executor } from './store.js'
import { findStage, statusForStage, transitionTo, type ActorRef } from './workflow.js'
import type { ApplicationsTable } from './tables.js'
import { addWorkingDays, workingDaysBetween } from './working-days.js'

export interface StatusChange {
  /** The stage to move to, an id in the application's pinned definition. */
  to: string
  actor: ActorRef
  /** A reason for the applicant; required by transitions marked `reasonRequired`. */
  note?: string
}

/**
 * Moves an application to another workflow stage, in the caller's transaction: checks the pinned
 * definition has that transition for this actor, updates the application only if nobody moved it
 * meanwhile (else Conflict), writes the timeline event, and tells the applicant (email, SMS, in-app).
 * The back-office calls this for every decision; payments call it (actor system, to the start stage)
 * to submit an application that was waiting for payment.
 */
export type RecordStatusChange = (trx: Executor, application: Application, change: StatusChange) => Promise<Application>

export interface StatusDeps extends NoticeDeps {
  catalogue: ServiceCatalogue
  today?: () => IsoDate
}

export function pinnedDefinition(catalogue: ServiceCatalogue, application: Pick<Application, 'service_slug' | 'definition_version'>): ServiceDefinition {
  const definition = catalogue.version(application.service_slug, application.definition_version)
  // Versions are kept for as long as applications use them; a missing one is a deployment error.
  if (!definition) throw new Error(`service ${application.service_slug} version ${application.definition_version} is not loaded`)
  return definition
}

/** The columns a stage sets: the dashboard group, the outcome, and the agency's next deadline. */
export function stageColumns(stage: Stage, today: IsoDate) {
  return {
    stage: stage.id,
    status: statusForStage(stage),
    outcome: stage.end ?? null,
    expected_by: stage.slaWorkingDays !== undefined && !stage.end ? addWorkingDays(today, stage.slaWorkingDays) : null,
  }
}

/**
 * The agency's clock across a move (on top of stageColumns). Into an end it stops for good. From a stage
 * with an SLA into one where the applicant acts (no SLA: a question to answer, an appointment) it pauses,
 * keeping the working days that were left. Back into the paused stage it resumes with exactly those days,
 * so the applicant's time never counts against the agency; any other stage with an SLA starts its own.
 */
export function slaClock(
  application: Pick<Application, 'expected_by' | 'sla_paused_stage' | 'sla_remaining_days'>,
  from: Stage | undefined,
  to: Stage,
  today: IsoDate,
): Updateable<ApplicationsTable> {
  const cleared = { sla_paused_stage: null, sla_remaining_days: null, sla_paused_at: null }
  if (to.end) return cleared
  if (to.slaWorkingDays !== undefined) {
    const resumes = application.sla_paused_stage === to.id && application.sla_remaining_days !== null
    return resumes ? { ...cleared, expected_by: addWorkingDays(today, application.sla_remaining_days!) } : cleared
  }
  if (from?.slaWorkingDays !== undefined && application.expected_by) {
    return { sla_paused_stage: from.id, sla_remaining_days: workingDaysBetween(today, application.expected_by), sla_paused_at: new Date() }
  }
  // From one of the applicant's stages to another: a pause, if there is one, holds.
  return {}
}

export function statusRecorder(deps: StatusDeps): RecordStatusChange {
  const today = deps.today ?? (() => todayInKenya())
  return async (trx, application, change) => {
    const definition = pinnedDefinition(deps.catalogue, application)
    const target = findStage(definition, change.to)
    if (!target) throw new Conflict(`no stage ${change.to} in ${definition.slug} v${definition.version}`)
    const note = change.note?.trim() || null
    let eventType: 'submitted' | 'stage-changed' | 'withdrawn'
    if (application.status === 'awaiting-payment') {
      // Paid: the application enters the workflow where every submission does.
      if (!target.start || change.actor.kind !== 'system') throw new Conflict('an application awaiting payment can only be submitted, by the system')
      eventType = 'submitted'
    } else {
      const transition = application.stage === null ? undefined : transitionTo(definition, application.stage, change.to, change.actor)
      if (!transition) throw new Conflict(`no transition ${application.stage} → ${change.to} for ${change.actor.kind}`)
      if (transition.reasonRequired && !note) throw new Invalid({ note: { key: 'applications.errors.reasonRequired' } })
      eventType = target.end === 'withdrawn' ? 'withdrawn' : 'stage-changed'
    }
    const day = today()
    const updated = await updateIfUnchanged(trx, application, {
      ...stageColumns(target, day),
      ...(eventType === 'submitted' ? { submitted_at: new Date() } : slaClock(application, findStage(definition, application.stage), target, day)),
    })
    if (!updated) throw new Conflict(`application ${application.id} changed meanwhile`)
    const eventId = await insertEvent(trx, {
      application_id: application.id,
      actor_kind: change.actor.kind,
      actor_account_id: change.actor.accountId ?? null,
      event_type: eventType,
      stage_from: application.stage,
      stage_to: target.id,
      note,
    })
    if (target.end) {
      await releaseBookingOf(trx, application.id)
      if (target.end !== 'issued') await cancelUnpaidInvoiceOf(trx, application.id)
    }
    await noticeApplicant(trx, deps, updated, definition, eventId, eventType === 'submitted' ? 'application-submitted' : 'application-status-changed')
    return updated
  }
}
