import type { FastifyInstance, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { staffAreas } from '../backoffice/nav.js'
import { Conflict } from '../../platform/http/errors.js'
import type { Db } from '../../platform/db/database.js'
import type { Bookings } from './appointment.js'
import { dashboardGroups, decodeCursor, GROUPS } from './dashboard.js'
import { applicationPage } from './detail.js'
import type { ApplicationsService } from './service.js'

type Params = { id: string }
const account = (request: FastifyRequest) => request.session!.accountId

/** The dashboard, an application's own page, and withdrawing it. */
export function statusRoutes(app: FastifyInstance, deps: { db: Db; applications: ApplicationsService; bookings: Bookings; dashboardPath?: string }): void {
  const { applications, db, bookings } = deps
  const catalogue = applications.deps.catalogue

  const dashboardPath = deps.dashboardPath ?? '/dashboard'
  app.get<{ Querystring: { group?: string; after?: string; saved?: string } }>(dashboardPath, allow('account.own'), async (request, reply) => {
    const group = GROUPS.find((candidate) => candidate.status === request.query.group)
    const after = decodeCursor(request.query.after)
    const language = request.language()
    const groups = await dashboardGroups(db, catalogue, account(request), language, request.t, group ? { status: group.status, after } : undefined, dashboardPath)
    return reply.page('applications/views/dashboard.njk', {
      pageTitle: request.t('dashboard.title'),
      needsVerification: !request.session!.verified,
      groups: groups.filter((entry) => entry.items.length > 0),
      onlyGroup: Boolean(group),
      saved: typeof request.query.saved === 'string' ? request.query.saved.slice(0, 20) : undefined,
      staffAreas: staffAreas(request),
    })
  })

  app.get<{ Params: Params; Querystring: { withdrawn?: string; sent?: string } }>('/applications/:id', allow('applications.own'), async (request, reply) => {
    const { application, definition } = await applications.own(account(request), request.params.id)
    // A draft has no story yet: carry on where the person left off.
    if (application.status === 'draft') {
      const next = application.current_page
      return reply.redirect(next ? `/applications/${application.id}/pages/${next}` : `/applications/${application.id}/check`, 303)
    }
    const view = await applicationPage(db, catalogue, application, definition, request.language(), request.t, bookings)
    return reply.page('applications/views/application.njk', { pageTitle: `${view.service}: ${application.reference}`, ...view, replySent: request.query.sent === '1' })
  })

  app.get<{ Params: Params }>('/applications/:id/withdraw', allow('applications.own'), async (request, reply) => {
    const { application, definition } = await applications.own(account(request), request.params.id)
    const view = await applicationPage(db, catalogue, application, definition, request.language(), request.t, bookings)
    if (!view.withdrawable) return reply.redirect(`/applications/${application.id}`, 303)
    return reply.page('applications/views/withdraw.njk', { pageTitle: request.t('applications.withdraw.title'), ...view })
  })

  app.post<{ Params: Params }>('/applications/:id/withdraw', allow('applications.own'), async (request, reply) => {
    try {
      await applications.withdraw(account(request), request.params.id)
    } catch (error) {
      // The agency moved it on meanwhile (or it was never withdrawable): show where it is now.
      if (!(error instanceof Conflict)) throw error
      return reply.redirect(`/applications/${request.params.id}`, 303)
    }
    return reply.redirect(`/applications/${request.params.id}`, 303)
  })
}
