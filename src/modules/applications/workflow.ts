import type { Actor, ServiceDefinition, Stage, Transition } from '../services/definition.js'
import type { ActorKind, ApplicationStatus } from './tables.js'

/**
 * How the dashboard groups a workflow stage. A final stage is completed. A stage with an SLA is the
 * agency's to move on (in progress); a stage without one is waiting for the applicant (a correction,
 * an appointment, a collection), as the definitions document it: "unset when the clock is the applicant's".
 */
export function statusForStage(stage: Stage): ApplicationStatus {
  if (stage.end) return 'completed'
  if (stage.slaWorkingDays !== undefined || stage.start) return 'in-progress'
  return 'action-needed'
}

export function startStage(definition: ServiceDefinition): Stage {
  const stage = definition.workflow.stages.find((candidate) => candidate.start)
  // The definition checks guarantee exactly one start stage; a definition without one never loads.
  if (!stage) throw new Error(`${definition.slug} v${definition.version} has no start stage`)
  return stage
}

export function findStage(definition: ServiceDefinition, id: string | null): Stage | undefined {
  return id === null ? undefined : definition.workflow.stages.find((stage) => stage.id === id)
}

/** Who acts on a transition: the applicant, the platform, or agency staff in a given role. */
export interface ActorRef {
  kind: ActorKind
  accountId?: string | null
  /** For agency staff: the role they act in; unset accepts any staff role the transition names. */
  role?: Extract<Actor, 'agency_officer' | 'agency_supervisor' | 'agency_admin'>
}

export function mayTake(transition: Transition, actor: ActorRef): boolean {
  if (actor.kind === 'applicant') return transition.by.includes('applicant')
  if (actor.kind === 'system') return transition.by.includes('system')
  return actor.role ? transition.by.includes(actor.role) : transition.by.some((by) => by !== 'applicant' && by !== 'system')
}

export function transitionTo(definition: ServiceDefinition, from: string | null, to: string, actor: ActorRef): Transition | undefined {
  return definition.workflow.transitions.find((transition) => transition.from === from && transition.to === to && mayTake(transition, actor))
}

/** The applicant's way out from this stage, if the definition gives one: a transition to a `withdrawn` end. */
export function withdrawalFrom(definition: ServiceDefinition, stageId: string | null): Transition | undefined {
  return definition.workflow.transitions.find(
    (transition) =>
      transition.from === stageId && transition.by.includes('applicant') && findStage(definition, transition.to)?.end === 'withdrawn',
  )
}

/** What the applicant can do at this stage themselves, other than withdrawing (e.g. send a correction). */
export function applicantStepsFrom(definition: ServiceDefinition, stageId: string | null): Transition[] {
  return definition.workflow.transitions.filter(
    (transition) =>
      transition.from === stageId && transition.by.includes('applicant') && findStage(definition, transition.to)?.end !== 'withdrawn',
  )
}
