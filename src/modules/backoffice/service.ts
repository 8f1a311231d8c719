import { randomUUID } from 'node:crypto'
import { roleMay } from '../../platform/access/access.js'
import { audit, type AuditEntry, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import type { Role } from '../../platform/db/schema.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import type { SessionRecord } from '../../platform/sessions/store.js'
import type { Bookings } from '../applications/appointment.js'
import { pinnedDefinition, type RecordStatusChange } from '../applications/status.js'
import { findApplication, isUuid, type Application, type Executor } from '../applications/store.js'
import type { DocumentIssuer } from '../documents/issuer.js'
import type { Booking } from '../appointments/service.js'
import { findInvoice, paymentsFor } from '../payments/store.js'
import type { Invoice, Payment } from '../payments/model.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { todayInKenya, type IsoDate } from '../services/dates.js'
import type { ServiceDefinition, Transition } from '../services/definition.js'
import { normaliseReference } from '../services/reference.js'
import type { Upload } from '../uploads/service.js'
import { ActionRefused } from './errors.js'
import * as store from './store.js'

/** A staff member acting in the back-office: always for one agency, in one role. */
export interface Staff {
  accountId: string
  role: Role
  agencyCode: string
}

/** Staff without an agency (support, platform) have no queue: every back-office record is not there for them. */
export function staffOf(session: SessionRecord): Staff {
  if (!session.agencyCode) throw new NotFound('no agency for this account')
  return { accountId: session.accountId, role: session.role, agencyCode: session.agencyCode }
}

export type StaffRole = 'agency_officer' | 'agency_supervisor' | 'agency_admin'

export function staffRole(staff: Staff): StaffRole | undefined {
  return staff.role === 'agency_officer' || staff.role === 'agency_supervisor' || staff.role === 'agency_admin' ? staff.role : undefined
}

export interface BackofficeDeps {
  db: Db
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany'>
  catalogue: ServiceCatalogue
  recordStatusChange: RecordStatusChange
  /** Writes the document in the transaction of the decision that issues it (the documents module). */
  issuer: DocumentIssuer
  uploads: { ofApplication(applicationId: string): Promise<Upload[]> }
  bookings: Bookings
  publicUrl: string
  today?: () => IsoDate
}

/** Everything the case page shows, as read for one staff member. */
export interface CaseData {
  application: Application
  definition: ServiceDefinition
  version: string
  assigneeId: string | null
  assigneeName?: string
  /** The account holder who applied (for a child or a business, not the party). */
  applicantName: string
  events: store.CaseEvent[]
  notes: Awaited<ReturnType<typeof store.listNotes>>
  uploads: Upload[]
  invoice?: Invoice
  payments: Payment[]
  booking?: Booking
  /** The transitions this person's role may take from the current stage. */
  actions: Transition[]
  /** Who moved the case into its stage: four-eyes actions are not this person's when it was them. */
  enteredBy: string | null | undefined
  /** For supervisors: whom the case may be given to. */
  staff?: store.StaffMember[]
}

/**
 * The agency's side of applications: the queue, a case with everything about it, who works it, notes,
 * and (decisions.ts) the decisions themselves. Every record is looked up within the staff member's own
 * agency: another agency's is NotFound, as if it did not exist. Every look and every action is audited.
 */
export class BackofficeService {
  constructor(readonly deps: BackofficeDeps) {}

  today(): IsoDate {
    return this.deps.today?.() ?? todayInKenya()
  }

  /** The reference as typed in an address, or NotFound: a malformed one names nothing. */
  reference(text: string): string {
    const reference = normaliseReference(text)
    if (!reference) throw new NotFound(`no application ${text.slice(0, 40)}`)
    return reference
  }

  /** The case's row in the staff member's agency (locked in a transaction when asked), or NotFound. */
  async caseRow(db: Executor, staff: Staff, reference: string, lock = false) {
    const row = await store.findCaseRow(db, staff.agencyCode, this.reference(reference), lock)
    if (!row) throw new NotFound(`no application ${reference} in ${staff.agencyCode}`)
    return row
  }

  /** The transitions out of the case's current stage that this person's role may take. */
  actionsFor(staff: Staff, definition: ServiceDefinition, application: Pick<Application, 'stage' | 'status'>): Transition[] {
    const role = staffRole(staff)
    // A role the definition names but that may not decide (an administrator) is offered nothing it would be refused.
    if (!role || !roleMay(role, 'backoffice.decide') || application.status === 'completed') return []
    return definition.workflow.transitions.filter((transition) => transition.from === application.stage && transition.by.includes(role))
  }

  /** The case page's data; the look itself is audited (the applicant sees that their agency looked). */
  async openCase(staff: Staff, reference: string, context: RequestContext): Promise<CaseData> {
    const { db } = this.deps
    const row = await this.caseRow(db, staff, reference)
    const application = (await findApplication(db, row.id))!
    const definition = pinnedDefinition(this.deps.catalogue, application)
    const [events, notes, uploads, invoice, booking, enteredBy, names, staffList] = await Promise.all([
      store.caseEvents(db, application.id),
      store.listNotes(db, application.id),
      this.deps.uploads.ofApplication(application.id),
      findInvoice(db, { applicationId: application.id }),
      this.deps.bookings.current(application.id),
      application.stage ? store.enteredBy(db, application.id, application.stage) : undefined,
      store.namesOf(db, row.assignee_id ? [row.assignee_id, application.account_id] : [application.account_id]),
      staff.role === 'agency_supervisor' ? store.agencyStaff(db, staff.agencyCode) : undefined,
    ])
    await this.audit(staff, application, { action: 'backoffice.case.view', outcome: 'success' }, context)
    return {
      application,
      definition,
      version: row.version,
      assigneeId: row.assignee_id,
      assigneeName: row.assignee_id ? names.get(row.assignee_id) : undefined,
      applicantName: names.get(application.account_id) ?? '',
      events,
      notes,
      uploads,
      invoice,
      payments: invoice ? await paymentsFor(db, invoice.id) : [],
      booking,
      actions: this.actionsFor(staff, definition, application),
      enteredBy,
      staff: staffList,
    }
  }

  /** An officer takes an unassigned open case. Already theirs: nothing to do; someone else's: refused. */
  async claim(staff: Staff, reference: string, context: RequestContext): Promise<void> {
    await this.audited(staff, reference, 'backoffice.case.claim', context, async (trx, application, row) => {
      if (application.status === 'completed') throw new ActionRefused(409, 'closed')
      if (row.assignee_id === staff.accountId) return { assignee: staff.accountId }
      if (row.assignee_id) {
        const names = await store.namesOf(trx, [row.assignee_id])
        throw new ActionRefused(409, 'claimed', { name: names.get(row.assignee_id) ?? '' })
      }
      await store.setAssignee(trx, application.id, staff.accountId, true)
      return { assignee: staff.accountId }
    })
  }

  /** A supervisor gives the case to one of the agency's officers or supervisors, or to nobody (''). */
  async assign(staff: Staff, reference: string, assigneeId: string, context: RequestContext): Promise<void> {
    const chosen = assigneeId === '' ? null : assigneeId
    if (chosen !== null) {
      const staffList = isUuid(chosen) ? await store.agencyStaff(this.deps.db, staff.agencyCode) : []
      if (!staffList.some((member) => member.id === chosen)) throw new Invalid({ assignee: { key: 'backoffice.errors.assignee' } })
    }
    await this.audited(staff, reference, 'backoffice.case.assign', context, async (trx, application, row) => {
      if (application.status === 'completed') throw new ActionRefused(409, 'closed')
      await store.setAssignee(trx, application.id, chosen)
      return { from: row.assignee_id, assignee: chosen }
    })
  }

  /** An internal note, once per form (its hidden key): staff read it, the applicant never does. */
  async addNote(staff: Staff, reference: string, form: { body: string; key: string }, context: RequestContext): Promise<void> {
    const body = form.body.trim()
    if (!body) throw new Invalid({ noteBody: { key: 'backoffice.errors.noteBody' } })
    if (body.length > 2000) throw new Invalid({ noteBody: { key: 'backoffice.errors.noteLength', params: { max: 2000 } } })
    const key = isUuid(form.key) ? form.key : randomUUID()
    await this.audited(staff, reference, 'backoffice.note.add', context, async (trx, application) => {
      const added = await store.insertNote(trx, { applicationId: application.id, authorId: staff.accountId, body, key })
      return { added }
    })
  }

  /**
   * Runs one change to a case in a transaction with the case row locked, and audits it there; a
   * refusal rolls the change back and is audited on its own (denied or failed), so every attempt shows.
   */
  async audited(
    staff: Staff,
    reference: string,
    action: string,
    context: RequestContext,
    change: (trx: Executor, application: Application, row: { id: string; assignee_id: string | null; version: string }) => Promise<AuditEntry['details']>,
  ): Promise<void> {
    let application: Application | undefined
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        const row = await this.caseRow(trx, staff, reference, true)
        application = (await findApplication(trx, row.id))!
        const details = await change(trx, application, row)
        await this.audit(staff, application, { action, outcome: 'success', details }, context, trx)
      })
    } catch (error) {
      if (application && error instanceof ActionRefused) {
        await this.audit(staff, application, { action, outcome: error.status === 403 ? 'denied' : 'failure', details: { reason: error.reason } }, context)
      }
      throw error
    }
  }

  /** An audit entry about a case: its agency is kept with it (the applicant sees which agency looked). */
  async audit(
    staff: Staff,
    application: Pick<Application, 'id' | 'reference' | 'agency_code'>,
    entry: Pick<AuditEntry, 'action' | 'outcome' | 'details'>,
    context: RequestContext,
    executor: Executor = this.deps.db,
  ): Promise<void> {
    await audit(
      executor,
      {
        ...entry,
        actorId: staff.accountId,
        actorRole: staff.role,
        subjectType: 'application',
        subjectId: application.id,
        details: { agency: application.agency_code, reference: application.reference, ...entry.details },
      },
      context,
    )
  }
}
