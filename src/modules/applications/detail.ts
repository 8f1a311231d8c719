import type { Db } from '../../platform/db/database.js'
import type { Translate } from '../../platform/i18n/i18n.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { Language, ServiceDefinition } from '../services/definition.js'
import type { Answers } from '../services/answers.js'
import { feeRows } from './answers-view.js'
import { appointmentView, type AppointmentView, type Bookings } from './appointment.js'
import { statusTag, type StatusTag } from './dashboard.js'
import { agencyName, listEvents, listMessages, type Application } from './store.js'
import { applicantStepsFrom, findStage, withdrawalFrom } from './workflow.js'
import { invoiceView, type InvoiceView } from '../payments/invoice-view.js'
import { staffAccesses, type StaffAccess } from '../backoffice/access-log.js'
import { documentLinks, type DocumentLink } from '../documents/links.js'
import { longDate } from '../../platform/i18n/dates.js'

/** A date in words, in the person's language ("12 March 2025", "12 Machi 2025"). */
export { longDate }

/** DIS-7K4M-9QX3 in its groups, and spelt out one character at a time for a screen reader or a call. */
export function referenceParts(reference: string): { groups: string[]; spelt: string } {
  const groups = reference.split('-')
  return { groups, spelt: groups.map((group) => group.split('').join(' ')).join(', ') }
}

export interface TimelineItem {
  at: Date
  who: string
  what: string
  note: string | null
}

export interface ApplicationPage {
  application: Application
  service: string
  agency: string
  tag: StatusTag
  reference: { groups: string[]; spelt: string }
  expectedBy?: string
  next: string[]
  timeline: TimelineItem[]
  messages: { title: string; body: string; at: Date }[]
  fees?: ReturnType<typeof feeRows>
  /** The invoice, once raised: its lines, "Pay now" while owed, and receipts. */
  invoice?: InvoiceView
  withdrawable: boolean
  steps: { label: string; href: string }[]
  /** The appointment to book, or the one booked, while the application is open. */
  appointment?: AppointmentView
  /** Which agency staff opened it or acted on it, and when (agency and role, never a name). */
  accesses: StaffAccess[]
  /** The document issued at the end: its PDF, or when it was revoked. */
  document?: DocumentLink
}

/** Everything the application page shows: the timeline, what happens next, the dates, what is owed. */
export async function applicationPage(
  db: Db,
  catalogue: ServiceCatalogue,
  application: Application,
  definition: ServiceDefinition,
  language: Language,
  t: Translate,
  bookings?: Bookings,
): Promise<ApplicationPage> {
  const [events, agencyNames, messages, appointment, invoice, documents, accesses] = await Promise.all([
    listEvents(db, application.id),
    agencyName(db, application.agency_code),
    listMessages(db, application.account_id, application.id),
    bookings ? appointmentView(bookings, application, definition, language, t) : undefined,
    invoiceView(db, application.id, language, t),
    documentLinks(db, [application], language),
    staffAccesses(db, application.id, language, t),
  ])
  const agency = agencyNames[language]
  const stageName = (id: string | null) => findStage(definition, id)?.name[language] ?? ''
  const who = { applicant: t('applications.timeline.you'), agency, system: t('applications.timeline.system') }
  const timeline = events.map((event) => ({
    at: event.at,
    who: who[event.actor_kind],
    what: t(`applications.timeline.${event.event_type}`, { stage: stageName(event.stage_to), agency }),
    note: event.note,
  }))
  const stage = findStage(definition, application.stage)
  const next: string[] = []
  if (application.status === 'awaiting-payment') next.push(t('applications.next.pay'))
  else if (stage?.end) next.push(t(`applications.next.${stage.end}`))
  else if (stage) {
    if (stage.description) next.push(stage.description[language])
    if (stage.appointment && !appointment?.booking) next.push(t('applications.next.appointment', { purpose: stage.appointment.purpose[language] }))
    for (const step of applicantStepsFrom(definition, stage.id)) next.push(t('applications.next.yourStep', { step: step.label[language] }))
    if (stage.slaWorkingDays !== undefined) next.push(t('applications.next.agency', { agency }))
  }
  const fees = application.status === 'awaiting-payment' && !invoice ? feeRows(catalogue.feesFor(definition, application.answers as Answers), language, t) : undefined
  return {
    application,
    service: definition.name[language],
    agency,
    tag: statusTag(catalogue, application, language, t),
    reference: referenceParts(application.reference),
    expectedBy: application.expected_by ? longDate(application.expected_by, language) : undefined,
    next,
    timeline,
    messages: messages.map((message) => ({
      title: language === 'sw' ? message.title_sw : message.title_en,
      body: language === 'sw' ? message.body_sw : message.body_en,
      at: message.created_at,
    })),
    fees,
    invoice,
    withdrawable: Boolean(withdrawalFrom(definition, application.stage)),
    /** What the applicant can send the agency from here (a reply, a correction). */
    steps: stage && !stage.end ? applicantStepsFrom(definition, stage.id).map((step) => ({ label: step.label[language], href: `/applications/${application.id}/respond/${step.to}` })) : [],
    appointment,
    accesses,
    document: documents.get(application.id),
  }
}
