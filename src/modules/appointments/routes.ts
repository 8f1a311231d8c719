import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import type { SessionRecord } from '../../platform/sessions/store.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { nairobiDate } from './offices.js'
import type { AppointmentService, ApplicationRef, Booking, DaySlots, Office } from './service.js'
import { bookingSummary, clock, dayLabel } from './summary.js'

/**
 * The signed-in person's application that may book an appointment, or undefined (the pages answer 404).
 * The applications module supplies it (src/app.ts): the person's own, open, its definition having an
 * appointment stage, with the way back to it and the office its answers name.
 */
export type ApplicationFor = (session: SessionRecord, applicationId: string) => Promise<ApplicationRef | undefined>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DATE = /^\d{4}-\d{2}-\d{2}$/

const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 100) : '')

export interface AppointmentRoutesDeps {
  appointments: AppointmentService
  applicationFor: ApplicationFor
  /** How far ahead people may book. */
  days?: number
}

/**
 * Booking, changing and cancelling an application's appointment, one question a page and no script:
 * office (a GET form), day (a GET form), time (the POST that books), then the booking with its code.
 */
export function appointmentRoutes(app: FastifyInstance, deps: AppointmentRoutesDeps): void {
  const { appointments, applicationFor } = deps
  const days = deps.days ?? 21

  const load = async (request: FastifyRequest): Promise<ApplicationRef> => {
    const { id } = request.params as { id: string }
    const application = UUID.test(id) ? await applicationFor(request.session!, id) : undefined
    if (!application) throw new NotFound('no such application')
    return application
  }
  const base = (application: ApplicationRef) => `/applications/${application.id}/appointment`
  const title = (request: FastifyRequest, key: string, error?: Invalid) =>
    error ? request.t('appointments.errorTitle', { title: request.t(key) }) : request.t(key)
  const fieldError = (field: string, key: string) => new Invalid({ [field]: { key: `appointments.errors.${key}` } })

  /**
   * The first page. The office is pre-selected: the one booked (when changing), else the first office the
   * answers name (the fingerprint centre or passport office chosen in the application) that offers slots.
   */
  const officePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    application: ApplicationRef,
    extra: { error?: Invalid; notice?: string; current?: Booking } = {},
  ) => {
    const lang = request.language()
    const offices = await appointments.offices(application.agency, application.serviceSlug)
    const codes = new Set(offices.map((office) => office.code))
    const preferred = extra.error ? undefined : [extra.current?.office.code, ...(application.namedOffices ?? [])].find((code) => code && codes.has(code))
    if (extra.error) reply.code(400)
    return reply.page('appointments/views/office.njk', {
      pageTitle: title(request, 'appointments.office.title', extra.error),
      action: base(application),
      purpose: application.purpose?.[lang],
      back: application.back,
      offices: offices.map((office) => ({ value: office.code, text: office.name[lang], hint: { text: office.address }, checked: office.code === preferred })),
      notice: extra.notice,
      changing: Boolean(extra.current),
      errors: extra.error && errorSummary(extra.error, request.t),
    })
  }

  const dayPage = async (request: FastifyRequest, reply: FastifyReply, application: ApplicationRef, office: Office, error?: Invalid) => {
    const lang = request.language()
    const open = await appointments.availableSlots(application.agency, application.serviceSlug, office.code, nairobiDate(), days)
    if (error) reply.code(400)
    return reply.page('appointments/views/day.njk', {
      pageTitle: title(request, 'appointments.day.title', error),
      action: base(application),
      back: `${base(application)}?change=yes`,
      office: { code: office.code, name: office.name[lang] },
      days: open.map((day) => ({ value: day.date, text: dayLabel(day.date, lang), hint: { text: request.t('appointments.day.free', { count: day.slots.reduce((n, s) => n + s.remaining, 0) }) } })),
      errors: error && errorSummary(error, request.t),
    })
  }

  const timePage = async (request: FastifyRequest, reply: FastifyReply, application: ApplicationRef, office: Office, date: string, open: DaySlots | undefined, error?: Invalid) => {
    const lang = request.language()
    const current = await appointments.current(application.id)
    if (error) reply.code(400)
    return reply.page('appointments/views/time.njk', {
      pageTitle: title(request, 'appointments.time.title', error),
      action: base(application),
      back: `${base(application)}?office=${encodeURIComponent(office.code)}`,
      office: { code: office.code, name: office.name[lang] },
      day: { value: date, text: dayLabel(date, lang) },
      changing: Boolean(current),
      times: (open?.slots ?? []).map((slot) => ({
        value: slot.id,
        text: request.t('appointments.time.range', { from: clock(slot.startsAt), to: clock(slot.endsAt) }),
        hint: { text: request.t('appointments.time.places', { count: slot.remaining }) },
      })),
      errors: error && errorSummary(error, request.t),
    })
  }

  const bookingPage = (request: FastifyRequest, reply: FastifyReply, application: ApplicationRef, booking: Booking, done?: string) =>
    reply.page('appointments/views/booking.njk', {
      pageTitle: request.t(done === 'changed' ? 'appointments.booking.changedTitle' : done === 'booked' ? 'appointments.booking.bookedTitle' : 'appointments.booking.title'),
      done,
      action: base(application),
      purpose: application.purpose?.[request.language()],
      back: application.back,
      booking: bookingSummary(booking, request.language(), request.t),
    })

  /** Resolves an office chosen on the first page, from the offices this service is offered at. */
  const chosenOffice = async (application: ApplicationRef, code: string) =>
    code ? (await appointments.offices(application.agency, application.serviceSlug)).find((office) => office.code === code) : undefined

  app.get('/applications/:id/appointment', allow('applications.own'), async (request, reply) => {
    const application = await load(request)
    const query = request.query as Record<string, unknown>
    if ('office' in query) {
      const office = await chosenOffice(application, text(query.office))
      if (!office) return officePage(request, reply, application, { error: fieldError('office', 'chooseOffice') })
      if (!('day' in query)) return dayPage(request, reply, application, office)
      const date = text(query.day)
      const open = DATE.test(date) ? (await appointments.availableSlots(application.agency, application.serviceSlug, office.code, date, 1))[0] : undefined
      if (!open) return dayPage(request, reply, application, office, fieldError('day', DATE.test(date) ? 'dayFull' : 'chooseDay'))
      return timePage(request, reply, application, office, date, open)
    }
    const current = await appointments.current(application.id)
    if (current && query.change !== 'yes') return bookingPage(request, reply, application, current, text(query.done))
    const notice = query.done === 'cancelled' && !current ? request.t('appointments.office.cancelled') : undefined
    return officePage(request, reply, application, { notice, current })
  })

  // POST → book or move → redirect to the booking; a taken slot re-renders the day's times, fresh.
  app.post('/applications/:id/appointment', allow('applications.own'), async (request, reply) => {
    const application = await load(request)
    const body = (request.body ?? {}) as Record<string, unknown>
    const before = await appointments.current(application.id)
    const slot = text(body.slot)
    try {
      if (!slot) throw fieldError('slot', 'chooseTime')
      await appointments.choose(application, slot)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      const office = await chosenOffice(application, text(body.office))
      if (!office) return officePage(request, reply, application, { error: fieldError('office', 'chooseOffice') })
      const date = text(body.day)
      const open = DATE.test(date) ? (await appointments.availableSlots(application.agency, application.serviceSlug, office.code, date, 1))[0] : undefined
      if (!open) return dayPage(request, reply, application, office, fieldError('day', 'dayFull'))
      return timePage(request, reply, application, office, date, open, error)
    }
    // A double click sends the same time twice: the second finds it booked already, and says "booked".
    const done = before && before.slotId !== slot ? 'changed' : 'booked'
    return reply.redirect(`${base(application)}?done=${done}`, 303)
  })

  app.post('/applications/:id/appointment/cancel', allow('applications.own'), async (request, reply) => {
    const application = await load(request)
    await appointments.cancel(application)
    return reply.redirect(`${base(application)}?done=cancelled`, 303)
  })
}
