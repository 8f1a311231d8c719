import { randomUUID } from 'node:crypto'
import { roleMay } from '../../platform/access/access.js'
import type { Translate } from '../../platform/i18n/i18n.js'
import type { ErrorSummary } from '../../platform/views/form-errors.js'
import { escapeHtml, formatAnswer } from '../applications/answers-view.js'
import { statusTag } from '../applications/dashboard.js'
import { longDate } from '../applications/detail.js'
import { findStage } from '../applications/workflow.js'
import { bookingSummary } from '../appointments/summary.js'
import { visiblePages, visibleQuestions, type Answers } from '../services/answers.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { IsoDate } from '../services/dates.js'
import type { Language } from '../services/definition.js'
import { formatMoney } from '../services/fees.js'
import type { FileAnswer } from '../services/file-types.js'
import { megabytes } from '../uploads/service.js'
import { documentField, noteField } from './decisions.js'
import { caseHref, slaTag } from './queue-view.js'
import type { CaseData, Staff } from './service.js'

/** What the officer typed in an action form that came back with errors: shown again as it was. */
export interface ActionInput {
  to: string
  note: string
  documentFields: Record<string, string>
}

export interface ViewContext {
  catalogue: ServiceCatalogue
  language: Language
  t: Translate
  today: IsoDate
  agency: string
}

const roleName = (t: Translate, role: string | null) => (role ? t(`backoffice.roles.${role}`) : '')

/** The answers as given, page by page; a file answer opens the upload. No Change links: staff read, not edit. */
function answerSections(data: CaseData, language: Language, t: Translate) {
  const answers = data.application.answers as Answers
  return visiblePages(data.definition, answers).map((page) => ({
    title: page.title[language],
    rows: visibleQuestions(data.definition, page, answers).map((question) => {
      const value = answers[question.id]
      const file = question.type === 'file' && value ? (value as FileAnswer) : undefined
      return {
        key: { text: question.label[language] },
        value: file?.id ? { html: `<a class="govuk-link" href="/uploads/${escapeHtml(file.id)}">${escapeHtml(file.name)}</a>` } : { text: formatAnswer(question, value, language, t) },
      }
    }),
  }))
}

/** Everything the case page shows, in the officer's language; `input` and `errors` when an action form came back. */
export function caseView(data: CaseData, staff: Staff, context: ViewContext, input?: ActionInput, errors?: ErrorSummary) {
  const { language, t, today } = context
  const { application, definition } = data
  const stageName = (id: string | null) => findStage(definition, id)?.name[language] ?? ''
  const stage = findStage(definition, application.stage)
  // The clock is paused for a question to the applicant: their answer leads back to the paused stage.
  const resumes = definition.workflow.transitions.some((transition) => transition.from === application.stage && transition.to === application.sla_paused_stage)
  const paused = application.sla_paused_stage && resumes
    ? t('backoffice.case.paused', { since: longDate(application.sla_paused_at!.toISOString().slice(0, 10), language), days: application.sla_remaining_days ?? 0, stage: stageName(application.sla_paused_stage) })
    : undefined
  const actions = data.actions.map((transition) => {
    const target = findStage(definition, transition.to)!
    const mine = input?.to === transition.to
    const issues = target.end === 'issued'
    return {
      to: transition.to,
      label: transition.label[language],
      reasonRequired: Boolean(transition.reasonRequired),
      noteId: noteField(transition.to),
      note: mine ? input.note : '',
      // Four eyes: shown, but not offered, to the person who moved the case into this stage.
      blocked: Boolean(transition.fourEyes && data.enteredBy === staff.accountId),
      fourEyes: Boolean(transition.fourEyes),
      warning: target.end === 'rejected',
      issues,
      documentTitle: issues ? definition.issuedDocument.title[language] : undefined,
      documentFields: issues
        ? definition.issuedDocument.fields
            .filter((field) => field.from === 'officer')
            .map((field) => ({ id: documentField(field.id), label: field.label[language], value: mine ? (input.documentFields[field.id] ?? '') : '' }))
        : [],
    }
  })
  const invoice = data.invoice
  return {
    pageTitle: `${application.reference}: ${definition.name[language]}`,
    href: caseHref(application.reference),
    application,
    service: definition.name[language],
    agency: context.agency,
    version: data.version,
    tag: statusTag(context.catalogue, application, language, t),
    sla: application.status === 'completed' ? undefined : slaTag(application.expected_by, today, t),
    expectedBy: application.expected_by ? longDate(application.expected_by, language) : undefined,
    paused,
    applicant: data.applicantName,
    assignee: data.assigneeId ? (data.assigneeId === staff.accountId ? t('backoffice.queue.you') : (data.assigneeName ?? '')) : undefined,
    claimable: data.assigneeId === null && application.status !== 'completed' && roleMay(staff.role, 'backoffice.decide'),
    assignOptions: data.staff && application.status !== 'completed'
      ? [{ value: '', text: t('backoffice.case.nobody') }, ...data.staff.map((member) => ({ value: member.id, text: `${member.name} (${roleName(t, member.role)})`, selected: member.id === data.assigneeId }))]
      : undefined,
    sections: answerSections(data, language, t),
    uploads: data.uploads.map((upload) => ({ href: `/uploads/${upload.id}`, name: upload.originalName, size: megabytes(upload.size), at: upload.createdAt })),
    invoice: invoice && {
      bill: invoice.billReference,
      status: t(`payments.status.${invoice.status}`),
      total: formatMoney(invoice.totalCents, invoice.currency, language),
      paid: formatMoney(invoice.paidCents, invoice.currency, language),
      receipts: data.payments.map((payment) => `${payment.receiptNumber} (M-Pesa ${payment.mpesaReceipt ?? "…"}, ${formatMoney(payment.amountCents, invoice.currency, language)})`),
    },
    booking: data.booking && bookingSummary(data.booking, language, t),
    appointmentStage: stage?.appointment ? stage.appointment.purpose[language] : undefined,
    timeline: data.events.map((event) => ({
      at: event.at,
      who: event.actor_kind === 'agency' ? `${event.actor_name ?? ''} (${roleName(t, event.actor_role)})` : t(`backoffice.case.actors.${event.actor_kind}`),
      what: t(`applications.timeline.${event.event_type}`, { stage: stageName(event.stage_to), agency: context.agency }),
      note: event.note,
    })),
    notes: data.notes.map((note) => ({ author: `${note.author_name} (${roleName(t, note.author_role)})`, at: note.created_at, body: note.body })),
    // A fresh key each time the form is shown: a double click or a retry of one form adds one note.
    noteKey: randomUUID(),
    actions,
    errors,
  }
}
