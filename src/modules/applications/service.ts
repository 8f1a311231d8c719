import type { Db } from '../../platform/db/database.js'
import { Conflict, Forbidden, Invalid, NotFound, type FieldError } from '../../platform/http/errors.js'
import type { Party, PartiesService, PartyOption } from '../accounts/parties.js'
import type { ApplicationRef } from '../appointments/service.js'
import { nextUnansweredPage, pageAfter, validateApplication, validatePage, visiblePages, visibleQuestions, type Answers } from '../services/answers.js'
import { todayInKenya } from '../services/dates.js'
import type { ApplicantKind, FileQuestion, Page, ServiceDefinition } from '../services/definition.js'
import { TamperedForm } from '../services/errors.js'
import { raiseInvoiceFor } from '../payments/invoices.js'
import { kindOfMediaType, sniffFileType } from '../services/file-types.js'
import { newReference } from '../services/reference.js'
import { appointmentStage, backFromAppointment, mayBook, namedOffices } from './appointment.js'
import { Incomplete, NotDraft, NotEligible } from './errors.js'
import { declaredFile, type UploadedFile, type Uploads } from './files.js'
import { noticeApplicant } from './notices.js'
import { pinnedDefinition, stageColumns, statusRecorder, type RecordStatusChange, type StatusDeps } from './status.js'
import * as store from './store.js'
import type { Application } from './store.js'
import { startStage, withdrawalFrom } from './workflow.js'

export { Incomplete, NotDraft, NotEligible } from './errors.js'
export type { UploadedFile, Uploads } from './files.js'

export interface ApplicationsDeps extends StatusDeps {
  db: Db
  parties: Pick<PartiesService, 'partiesFor' | 'mayActFor'>
  uploads: Uploads
}

export type StartResult = { application: Application } | { choose: PartyOption[]; definition: ServiceDefinition }

export interface PageInput {
  fields: Record<string, unknown>
  files: Record<string, UploadedFile>
  /** "Save and come back later": keep the valid answers, go to the dashboard. */
  saveForLater: boolean
  /** Came from check answers: go back there once the answers are complete again. */
  returnToCheck: boolean
}

export type PageOutcome = { errors: Record<string, FieldError>; application: Application } | { next: string | null; application: Application }

function partyOf(application: Application): Party {
  if (application.party_kind === 'dependant') return { kind: 'dependant', birthCertificateNumber: application.party_id! }
  if (application.party_kind === 'business') return { kind: 'business', registrationNumber: application.party_id! }
  return { kind: 'self' }
}

/**
 * A person's own applications: start, fill in page by page, submit, withdraw. Every method takes the
 * acting account and finds only that account's applications; anyone else's is NotFound (404), so
 * that whether it exists is not revealed.
 */
export class ApplicationsService {
  readonly recordStatusChange: RecordStatusChange

  constructor(readonly deps: ApplicationsDeps) {
    this.recordStatusChange = statusRecorder(deps)
  }

  private today(): string {
    return this.deps.today?.() ?? todayInKenya()
  }

  definitionFor(slug: string): ServiceDefinition {
    const definition = this.deps.catalogue.latest(slug)
    if (!definition) throw new NotFound(`no service ${slug}`)
    return definition
  }

  /** Whom the person may apply for with this service; NotEligible when their kind of account may not apply. */
  async eligibility(accountId: string, slug: string): Promise<{ definition: ServiceDefinition; options: PartyOption[] }> {
    const definition = this.definitionFor(slug)
    const account = await store.findContact(this.deps.db, accountId)
    if (!definition.applicants.accountKinds.includes(account.kind as ApplicantKind)) throw new NotEligible(definition, account.kind)
    const options = (await this.deps.parties.partiesFor(accountId)).filter((option) => definition.applicants.for.includes(option.party.kind))
    return { definition, options }
  }

  /** A new draft on the latest version, for the party chosen (or asks whom for, when there is a choice). */
  async start(accountId: string, slug: string, form: { party?: string; startKey?: string }): Promise<StartResult> {
    const { definition, options } = await this.eligibility(accountId, slug)
    const startKey = store.isUuid(form.startKey) ? form.startKey : null
    if (startKey) {
      const existing = await store.findByStartKey(this.deps.db, startKey)
      if (existing && existing.account_id === accountId) return { application: existing }
      if (existing) throw new Conflict('start key used by another account')
    }
    let choice: PartyOption | undefined
    if (form.party === undefined || form.party === '') {
      if (options.length === 1 && options[0]!.party.kind === 'self' && form.party === undefined) choice = options[0]
      else if (form.party === undefined) return { choose: options, definition }
    } else {
      choice = options.find((option) => option.value === form.party)
    }
    if (!choice) throw new Invalid({ party: { key: 'applications.errors.party' } })
    if (choice.party.kind !== 'self' && !(await this.deps.parties.mayActFor(accountId, choice.party))) {
      throw new Invalid({ party: { key: 'applications.errors.party' } })
    }
    const party = choice.party
    const firstPage = visiblePages(definition, {})[0]?.id ?? null
    for (let attempt = 0; ; attempt++) {
      try {
        const application = await this.deps.db.transaction().execute(async (trx) => {
          const created = await store.insertApplication(trx, {
            reference: newReference(definition.agency),
            account_id: accountId,
            party_kind: party.kind,
            party_id: party.kind === 'self' ? null : party.kind === 'dependant' ? party.birthCertificateNumber : party.registrationNumber,
            party_name: choice.name,
            service_slug: definition.slug,
            agency_code: definition.agency,
            definition_version: definition.version,
            current_page: firstPage,
            start_key: startKey,
          })
          await store.insertEvent(trx, { application_id: created.id, actor_kind: 'applicant', actor_account_id: accountId, event_type: 'started' })
          return created
        })
        return { application }
      } catch (error) {
        // A double click on Start: the first request's draft is the answer.
        if (startKey && store.isUniqueViolation(error, 'applications_start_key_key')) {
          const existing = await store.findByStartKey(this.deps.db, startKey)
          if (existing?.account_id === accountId) return { application: existing }
        }
        // References are random: on the rare collision, draw another.
        if (!store.isUniqueViolation(error, 'applications_reference_key') || attempt >= 4) throw error
      }
    }
  }

  /** The person's own application with its pinned definition; NotFound for anyone else's. */
  async own(accountId: string, id: string): Promise<{ application: Application; definition: ServiceDefinition }> {
    const application = await store.findOwnApplication(this.deps.db, accountId, id)
    if (!application) throw new NotFound(`no application ${id} for this account`)
    return { application, definition: pinnedDefinition(this.deps.catalogue, application) }
  }

  /** Acting for a child or a business is checked again each time: a child turns 18, a director leaves. */
  private async assertMayAct(accountId: string, application: Application): Promise<void> {
    if (application.party_kind === 'self') return
    if (!(await this.deps.parties.mayActFor(accountId, partyOf(application)))) throw new Forbidden('may no longer act for this party')
  }

  async draft(accountId: string, id: string): Promise<{ application: Application; definition: ServiceDefinition }> {
    const found = await this.own(accountId, id)
    if (found.application.status !== 'draft') throw new NotDraft(id)
    await this.assertMayAct(accountId, found.application)
    return found
  }

  /**
   * The application as the appointment pages need it, or undefined (they answer 404): the person's own,
   * its pinned definition having an appointment stage, and still open. A draft may book already, so that
   * the appointment is settled before paying; the booking pages lead back to check answers then.
   */
  async appointmentRef(accountId: string, id: string): Promise<ApplicationRef | undefined> {
    const application = await store.findOwnApplication(this.deps.db, accountId, id)
    if (!application) return undefined
    const definition = pinnedDefinition(this.deps.catalogue, application)
    const stage = appointmentStage(definition)
    if (!stage || !mayBook(application)) return undefined
    await this.assertMayAct(accountId, application)
    return {
      id: application.id,
      agency: application.agency_code,
      serviceSlug: application.service_slug,
      accountId,
      purpose: stage.appointment.purpose,
      namedOffices: namedOffices(definition, application.answers as Answers),
      back: backFromAppointment(application),
    }
  }

  /** A page to show, or where to go instead when it is not shown for these answers. */
  async page(accountId: string, id: string, pageId: string): Promise<{ application: Application; definition: ServiceDefinition; page?: Page; redirect?: string | null }> {
    const { application, definition } = await this.draft(accountId, id)
    const page = definition.pages.find((candidate) => candidate.id === pageId)
    if (!page) throw new NotFound(`no page ${pageId}`)
    const answers = application.answers as Answers
    if (!visiblePages(definition, answers).includes(page)) return { application, definition, redirect: nextUnansweredPage(definition, answers)?.id ?? null }
    return { application, definition, page }
  }

  /** Checks and saves one page; a file is stored only once its metadata passes the question's rules. */
  async savePage(accountId: string, id: string, pageId: string, input: PageInput): Promise<PageOutcome> {
    const { application, definition } = await this.draft(accountId, id)
    const page = definition.pages.find((candidate) => candidate.id === pageId)
    if (!page) throw new NotFound(`no page ${pageId}`)
    const stored = application.answers as Answers
    const fileQuestions = new Map(
      visibleQuestions(definition, page, stored)
        .filter((q): q is FileQuestion => q.type === 'file')
        .map((q) => [q.id, q]),
    )
    const submitted: Record<string, unknown> = { ...input.fields }
    const uploads: { question: FileQuestion; file: UploadedFile }[] = []
    for (const [name, file] of Object.entries(input.files)) {
      const question = fileQuestions.get(name)
      if (!question || Object.hasOwn(submitted, name)) throw new TamperedForm(name.slice(0, 60), 'not a file question of this page')
      // A file input left empty sends a part with no name and no bytes: keep what was uploaded before.
      if (file.filename === '' && file.bytes.length === 0) continue
      submitted[name] = declaredFile(file)
      uploads.push({ question, file })
    }
    for (const questionId of fileQuestions.keys()) {
      if (!Object.hasOwn(submitted, questionId) && stored[questionId] !== undefined) submitted[questionId] = stored[questionId]
    }
    const result = validatePage(definition, pageId, submitted, stored, { today: this.today() })
    const kept: Answers = {}
    for (const { question, file } of uploads) {
      if (result.errors[question.id]) continue
      // The bytes must be what the name and type say (a renamed file is a mistake people make: say so).
      if (sniffFileType(file.bytes) !== kindOfMediaType(declaredFile(file).type)) {
        result.errors[question.id] = { key: 'applications.errors.fileContent', params: { types: question.accept.map((kind) => kind.toUpperCase()).join(', ') } }
        continue
      }
      try {
        kept[question.id] = await this.deps.uploads.store(application.id, question.id, file, { accountId, question })
      } catch (error) {
        if (!(error instanceof Invalid)) throw error
        Object.assign(result.errors, error.fields)
      }
    }
    Object.assign(result.answers, kept)
    const hasErrors = Object.keys(result.errors).length > 0
    if (hasErrors && !input.saveForLater) {
      // Nothing else changes, but a file that passed is kept, so it need not be chosen again.
      const saved = Object.keys(kept).length ? await this.update(application, { ...stored, ...kept }, application.current_page) : application
      return { errors: result.errors, application: saved }
    }
    const next = input.saveForLater
      ? pageId
      : input.returnToCheck
        ? (nextUnansweredPage(definition, result.answers)?.id ?? null)
        : (pageAfter(definition, pageId, result.answers)?.id ?? null)
    return { next, application: await this.update(application, result.answers, next) }
  }

  private async update(application: Application, answers: Answers, currentPage: string | null): Promise<Application> {
    const updated = await store.updateIfUnchanged(this.deps.db, application, { answers: JSON.stringify(answers), current_page: currentPage })
    if (!updated) throw new NotDraft(application.id)
    return updated
  }

  /**
   * Submits once per application, whatever the number of requests: the row is locked and changed only
   * from draft, so a double click, a retry or a second tab finds it submitted and gets the same answer.
   * Before-submission fees stop it at awaiting-payment; otherwise it enters the workflow's start stage.
   */
  async submit(accountId: string, id: string, form: { key: string; declaration: boolean }): Promise<Application> {
    if (!store.isUuid(form.key)) throw new TamperedForm('idempotencyKey', 'missing or malformed')
    const { application: first, definition } = await this.own(accountId, id)
    if (first.status !== 'draft') return first
    await this.assertMayAct(accountId, first)
    const today = this.today()
    return this.deps.db.transaction().execute(async (trx) => {
      const application = await store.findOwnApplication(trx, accountId, id, true)
      if (!application) throw new NotFound(`no application ${id} for this account`)
      if (application.status !== 'draft') return application
      const result = validateApplication(definition, application.answers, { today })
      const errors = { ...result.errors }
      if (!form.declaration) errors.declaration = { key: 'applications.errors.declaration' }
      if (Object.keys(errors).length) throw new Incomplete(errors, result.pageOf)
      const quote = this.deps.catalogue.feesFor(definition, result.answers)
      const owes = definition.fees.payment === 'before-submission' && Object.keys(quote.totals).length > 0
      const common = { answers: JSON.stringify(result.answers), current_page: null, submission_key: form.key, declaration_accepted_at: new Date() }
      const updated = await store.updateIfUnchanged(
        trx,
        application,
        owes ? { ...common, status: 'awaiting-payment' } : { ...common, ...stageColumns(startStage(definition), today), submitted_at: new Date() },
      )
      if (!updated) throw new Conflict('changed while locked')
      // The invoice exists exactly when the application waits for payment (same transaction).
      if (owes) await raiseInvoiceFor(trx, this.deps.catalogue, updated, new Date())
      const eventId = await store.insertEvent(trx, {
        application_id: id,
        actor_kind: 'applicant',
        actor_account_id: accountId,
        event_type: owes ? 'awaiting-payment' : 'submitted',
        stage_to: updated.stage,
      })
      await noticeApplicant(trx, this.deps, updated, definition, eventId, owes ? 'application-awaiting-payment' : 'application-submitted')
      return updated
    })
  }

  /** Withdraws through the definition's own transition; withdrawing twice answers with the first. */
  async withdraw(accountId: string, id: string): Promise<Application> {
    const { application, definition } = await this.own(accountId, id)
    if (application.outcome === 'withdrawn') return application
    if (!withdrawalFrom(definition, application.stage)) throw new Conflict(`cannot withdraw from ${application.stage ?? application.status}`)
    return this.deps.db.transaction().execute(async (trx) => {
      const locked = await store.findOwnApplication(trx, accountId, id, true)
      if (!locked) throw new NotFound()
      if (locked.outcome === 'withdrawn') return locked
      const transition = withdrawalFrom(definition, locked.stage)
      if (!transition) throw new Conflict(`cannot withdraw from ${locked.stage ?? locked.status}`)
      return this.recordStatusChange(trx, locked, { to: transition.to, actor: { kind: 'applicant', accountId } })
    })
  }
}
