import type { Translate } from '../../platform/i18n/i18n.js'
import type { Booking } from '../appointments/service.js'
import { bookingSummary, type BookingSummary } from '../appointments/summary.js'
import { visiblePages, visibleQuestions, type Answers } from '../services/answers.js'
import type { Language, ServiceDefinition, Stage, Text } from '../services/definition.js'
import type { Application } from './store.js'

/** What the application pages read of appointments: the live booking (the appointments module's service). */
export interface Bookings {
  current(applicationId: string): Promise<Booking | undefined>
}

/** The workflow stage at which the applicant books an appointment, if the definition has one. */
export function appointmentStage(definition: ServiceDefinition): (Stage & { appointment: { purpose: Text } }) | undefined {
  return definition.workflow.stages.find((stage): stage is Stage & { appointment: { purpose: Text } } => stage.appointment !== undefined)
}

/**
 * The answers that may name an office, in page order: those of the select and radio questions shown
 * for these answers. Definitions offer office codes as the values of the question that names an office
 * (`fingerprintCentre`, `passportOffice`); the booking pages pre-select the first that is an office
 * offering the service, and ignore the rest.
 */
export function namedOffices(definition: ServiceDefinition, answers: Answers): string[] {
  const named: string[] = []
  for (const page of visiblePages(definition, answers)) {
    for (const question of visibleQuestions(definition, page, answers)) {
      const value = answers[question.id]
      if ((question.type === 'select' || question.type === 'radio') && typeof value === 'string' && value !== '') named.push(value)
    }
  }
  return named
}

/** The way back from the booking pages: check answers while a draft, else the application's own page. */
export function backFromAppointment(application: Pick<Application, 'id' | 'status'>): { href: string; draft: boolean } {
  const draft = application.status === 'draft'
  return { href: draft ? `/applications/${application.id}/check` : `/applications/${application.id}`, draft }
}

/** An application may book while it is open: a draft, awaiting payment, or in the agency's hands. */
export function mayBook(application: Pick<Application, 'status'>): boolean {
  return application.status !== 'completed'
}

export interface AppointmentView {
  purpose: string
  /** Where to book (the first booking page), or see the booking. */
  href: string
  /** Straight to choosing another office, day or time; the booking stands until a new time is chosen. */
  changeHref: string
  booking?: BookingSummary
  /** On check answers: it may be booked now or after submitting. */
  draft: boolean
}

/** The appointment as check answers and the application page show it: a link to book, or the booking with Change links. */
export async function appointmentView(
  bookings: Bookings,
  application: Pick<Application, 'id' | 'status'>,
  definition: ServiceDefinition,
  language: Language,
  t: Translate,
): Promise<AppointmentView | undefined> {
  const stage = appointmentStage(definition)
  if (!stage || !mayBook(application)) return undefined
  const booking = await bookings.current(application.id)
  const href = `/applications/${application.id}/appointment`
  return {
    purpose: stage.appointment.purpose[language],
    href,
    changeHref: `${href}?change=yes`,
    booking: booking && bookingSummary(booking, language, t),
    draft: application.status === 'draft',
  }
}
