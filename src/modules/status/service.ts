import type { Db } from '../../platform/db/database.js'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import { Conflict, Invalid, NotFound, type FieldError } from '../../platform/http/errors.js'
import type { StatusBoard } from './board.js'
import { IMPACTS, INCIDENT_STATUSES, type Bilingual, type Component } from './model.js'
import { cancelMaintenance, closeDraft, findIncident, insertIncident, insertIncidentUpdate, insertMaintenance, listOpenDrafts, loadComponents, publishDraft } from './store.js'
import type { Impact, IncidentStatus } from './tables.js'

export const LIMITS = { title: 200, message: 2000 } as const
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** What an admin's change published; listeners (subscriber e-mails, restoration notices) queue their work. */
export type StatusEvent =
  | { kind: 'incident-opened'; incidentId: string }
  | { kind: 'incident-updated'; incidentId: string; status: IncidentStatus }
  | { kind: 'maintenance-scheduled'; maintenanceId: string }

export type StatusListener = (event: StatusEvent) => Promise<void>

export interface Actor {
  accountId: string
  role: string
}

export interface IncidentForm {
  components: string[]
  impact: string
  titleEn: string
  titleSw: string
  messageEn: string
  messageSw: string
}

export interface UpdateForm {
  status: string
  messageEn: string
  messageSw: string
}

export interface MaintenanceForm {
  components: string[]
  startsAt: string
  endsAt: string
  messageEn: string
  messageSw: string
}

function fieldsOf(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {}
}
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
/** Checkboxes arrive as one string or several. */
const list = (value: unknown) => [value].flat().filter((v): v is string => typeof v === 'string' && v.length <= 40)

export function readIncidentForm(body: unknown): IncidentForm {
  const f = fieldsOf(body)
  return { components: list(f.components), impact: text(f.impact), titleEn: text(f.titleEn), titleSw: text(f.titleSw), messageEn: text(f.messageEn), messageSw: text(f.messageSw) }
}

export function readUpdateForm(body: unknown): UpdateForm {
  const f = fieldsOf(body)
  return { status: text(f.status), messageEn: text(f.messageEn), messageSw: text(f.messageSw) }
}

export function readMaintenanceForm(body: unknown): MaintenanceForm {
  const f = fieldsOf(body)
  return { components: list(f.components), startsAt: text(f.startsAt), endsAt: text(f.endsAt), messageEn: text(f.messageEn), messageSw: text(f.messageSw) }
}

/** `2026-12-01T22:00` or `2026-12-01 22:00`, read as Nairobi time (what the form's hint asks for). */
export function parseNairobiTime(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(value)
  if (!match) return undefined
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:00+03:00`)
  return Number.isNaN(date.getTime()) ? undefined : date
}

function required(errors: Record<string, FieldError>, field: string, value: string, max: number, key: string): void {
  if (!value) errors[field] = { key: `statusPage.admin.errors.${key}` }
  else if (value.length > max) errors[field] = { key: 'statusPage.admin.errors.tooLong', params: { max } }
}

/** Platform admins open incidents, post their updates and schedule maintenance; each change is audited. */
export class StatusService {
  readonly #listeners: StatusListener[] = []

  constructor(
    private readonly db: Db,
    private readonly board: StatusBoard,
  ) {}

  /** Called after each published change is committed (a listener's failure is the listener's to log). */
  onPublished(listener: StatusListener): void {
    this.#listeners.push(listener)
  }

  async #publish(event: StatusEvent): Promise<void> {
    for (const listener of this.#listeners) await listener(event)
  }

  /** Every component an incident may name: the platform's, then one per agency. Read fresh. */
  components(): Promise<Component[]> {
    return loadComponents(this.db)
  }

  async #checkComponents(errors: Record<string, FieldError>, chosen: string[]): Promise<void> {
    const known = new Set((await this.components()).map((c) => c.id))
    if (chosen.length === 0 || chosen.some((id) => !known.has(id))) errors.components = { key: 'statusPage.admin.errors.components' }
  }

  async openIncident(form: IncidentForm, actor: Actor, context: RequestContext): Promise<string> {
    const errors: Record<string, FieldError> = {}
    await this.#checkComponents(errors, form.components)
    if (!(IMPACTS as readonly string[]).includes(form.impact)) errors.impact = { key: 'statusPage.admin.errors.impact' }
    required(errors, 'titleEn', form.titleEn, LIMITS.title, 'titleEn')
    required(errors, 'titleSw', form.titleSw, LIMITS.title, 'titleSw')
    required(errors, 'messageEn', form.messageEn, LIMITS.message, 'messageEn')
    required(errors, 'messageSw', form.messageSw, LIMITS.message, 'messageSw')
    if (Object.keys(errors).length > 0) throw new Invalid(errors)
    const components = [...new Set(form.components)]
    const id = await this.db.transaction().execute(async (trx) => {
      const id = await insertIncident(trx, {
        impact: form.impact as Impact,
        title: { en: form.titleEn, sw: form.titleSw },
        message: { en: form.messageEn, sw: form.messageSw },
        components,
        openedBy: actor.accountId,
      })
      await audit(trx, { action: 'status.incident-open', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'incident', subjectId: id, details: { impact: form.impact, components: components.join(',') } }, context)
      return id
    })
    await this.board.reload()
    await this.#publish({ kind: 'incident-opened', incidentId: id })
    return id
  }

  async postUpdate(incidentId: string, form: UpdateForm, actor: Actor, context: RequestContext): Promise<void> {
    const incident = UUID.test(incidentId) ? await findIncident(this.db, incidentId) : undefined
    if (!incident) throw new NotFound('no such incident')
    // A draft's updates would tell subscribers of an incident the public has not seen: publish it first.
    if (incident.draft) throw new Conflict('incident is a draft')
    const errors: Record<string, FieldError> = {}
    if (!(INCIDENT_STATUSES as readonly string[]).includes(form.status)) errors.status = { key: 'statusPage.admin.errors.status' }
    required(errors, 'messageEn', form.messageEn, LIMITS.message, 'messageEn')
    required(errors, 'messageSw', form.messageSw, LIMITS.message, 'messageSw')
    if (Object.keys(errors).length > 0) throw new Invalid(errors)
    const moved = await this.db.transaction().execute(async (trx) => {
      const moved = await insertIncidentUpdate(trx, { incidentId, status: form.status as IncidentStatus, message: { en: form.messageEn, sw: form.messageSw }, postedBy: actor.accountId })
      if (moved) await audit(trx, { action: 'status.incident-update', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'incident', subjectId: incidentId, details: { status: form.status } }, context)
      return moved
    })
    // Resolved is final: a late second update (two admins, a double click) changes nothing.
    if (!moved) throw new Conflict('incident already resolved')
    await this.board.reload()
    await this.#publish({ kind: 'incident-updated', incidentId, status: form.status as IncidentStatus })
  }

  async scheduleMaintenance(form: MaintenanceForm, actor: Actor, context: RequestContext, now = new Date()): Promise<string> {
    const errors: Record<string, FieldError> = {}
    await this.#checkComponents(errors, form.components)
    const startsAt = parseNairobiTime(form.startsAt)
    const endsAt = parseNairobiTime(form.endsAt)
    if (!startsAt) errors.startsAt = { key: 'statusPage.admin.errors.time' }
    if (!endsAt) errors.endsAt = { key: 'statusPage.admin.errors.time' }
    else if (endsAt <= now) errors.endsAt = { key: 'statusPage.admin.errors.endsPast' }
    else if (startsAt && endsAt <= startsAt) errors.endsAt = { key: 'statusPage.admin.errors.endsBeforeStart' }
    required(errors, 'messageEn', form.messageEn, LIMITS.message, 'messageEn')
    required(errors, 'messageSw', form.messageSw, LIMITS.message, 'messageSw')
    if (Object.keys(errors).length > 0) throw new Invalid(errors)
    const components = [...new Set(form.components)]
    const id = await this.db.transaction().execute(async (trx) => {
      const id = await insertMaintenance(trx, { message: { en: form.messageEn, sw: form.messageSw }, startsAt: startsAt!, endsAt: endsAt!, components, scheduledBy: actor.accountId })
      await audit(trx, { action: 'status.maintenance-schedule', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'maintenance', subjectId: id, details: { components: components.join(',') } }, context)
      return id
    })
    await this.board.reload()
    await this.#publish({ kind: 'maintenance-scheduled', maintenanceId: id })
    return id
  }

  /** Cancels maintenance announced by mistake or called off; only a window not yet over can be. */
  async cancelMaintenance(id: string, actor: Actor, context: RequestContext): Promise<void> {
    const cancelled = UUID.test(id) && (await this.db.transaction().execute(async (trx) => {
      const cancelled = await cancelMaintenance(trx, id)
      if (cancelled) await audit(trx, { action: 'status.maintenance-cancel', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'maintenance', subjectId: id }, context)
      return cancelled
    }))
    if (!cancelled) throw new NotFound('no maintenance to cancel')
    await this.board.reload()
  }

  /** Drafts automatic detection opened that wait for an administrator, oldest first. */
  drafts() {
    return listOpenDrafts(this.db)
  }

  /**
   * Makes a draft from automatic detection a public incident as it stands (started when detected): the
   * page, JSON, feed and banner show it, and listeners hear of it as a new incident.
   */
  async publishDraft(id: string, actor: Actor, context: RequestContext): Promise<void> {
    await this.#decideDraft(id, 'status.incident-publish', actor, context, (trx) => publishDraft(trx, id))
    await this.board.reload()
    await this.#publish({ kind: 'incident-opened', incidentId: id })
  }

  /** Closes a draft that was a false alarm; it never reaches the public, and no one is told of it. */
  async discardDraft(id: string, actor: Actor, context: RequestContext, message: Bilingual): Promise<void> {
    await this.#decideDraft(id, 'status.incident-discard', actor, context, async (trx) => (await closeDraft(trx, { id }, message, actor.accountId)) !== undefined)
  }

  /**
   * Makes the decision and audits it in one transaction. 404 for no such incident; 409 when it is no
   * longer an open draft (published, discarded, or closed on recovery), so a double click decides once.
   */
  async #decideDraft(id: string, action: string, actor: Actor, context: RequestContext, decide: (trx: Db) => Promise<boolean>): Promise<void> {
    if (!(await this.findIncident(id))) throw new NotFound('no such incident')
    const decided = await this.db.transaction().execute(async (trx) => {
      const decided = await decide(trx)
      if (decided) await audit(trx, { action, outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'incident', subjectId: id }, context)
      return decided
    })
    if (!decided) throw new Conflict('incident is not an open draft')
  }

  findIncident(id: string) {
    return UUID.test(id) ? findIncident(this.db, id) : Promise.resolve(undefined)
  }
}
