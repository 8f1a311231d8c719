import type { FastifyInstance } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { normaliseBookingCode } from './codes.js'
import { nairobiDate } from './offices.js'
import { clock, dayLabel } from './summary.js'
import type { AppointmentService } from './service.js'

/**
 * The office's side: staff type the code a person shows and see the appointment, if it is with their
 * agency. It answers the same for a code that does not exist and for another agency's booking.
 */
export function appointmentCheckRoutes(app: FastifyInstance, deps: { appointments: AppointmentService }): void {
  app.get('/appointments/check', allow('backoffice.queue'), async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const typed = typeof query.code === 'string' ? query.code.trim().slice(0, 40) : undefined
    const lang = request.language()
    const data: Record<string, unknown> = { pageTitle: request.t('appointments.check.title'), code: typed ?? '' }
    if (typed !== undefined) {
      const code = normaliseBookingCode(typed)
      if (!code) {
        const error = new Invalid({ code: { key: typed ? 'appointments.errors.codeShape' : 'appointments.errors.codeMissing' } })
        reply.code(400)
        data.pageTitle = request.t('appointments.errorTitle', { title: request.t('appointments.check.title') })
        data.errors = errorSummary(error, request.t)
      } else {
        const booking = request.session?.agencyCode ? await deps.appointments.check(code, request.session.agencyCode) : undefined
        data.searched = code
        data.booking = booking && {
          code: booking.code,
          live: booking.status === 'booked',
          reference: booking.applicationReference,
          name: booking.applicantName,
          service: booking.serviceSlug,
          office: booking.office.name[lang],
          day: dayLabel(nairobiDate(booking.startsAt), lang),
          time: request.t('appointments.time.range', { from: clock(booking.startsAt), to: clock(booking.endsAt) }),
          today: nairobiDate(booking.startsAt) === nairobiDate(),
        }
      }
    }
    return reply.page('appointments/views/check.njk', data)
  })
}
