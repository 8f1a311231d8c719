import type { FastifyInstance, FastifyRequest } from 'fastify'
import { roleMay, STAFF_ROLES, type Permission } from '../../platform/access/access.js'

declare module 'fastify' {
  interface FastifyReply {
    /** Template data every page rendered for this request gets (@fastify/view merges it in). */
    locals?: Record<string, unknown>
  }
}

/**
 * The back-office's own navigation, shown by views/layout.njk on every staff page. A page of another
 * module joins it by extending that layout; a new area adds one line here (its address, the locale key
 * of its name, and the permission that opens it: people only see links they may follow).
 */
export const BACKOFFICE_NAV: { href: string; text: string; permission: Permission }[] = [
  { href: '/backoffice', text: 'backoffice.nav.queue', permission: 'backoffice.queue' },
  { href: '/appointments/check', text: 'backoffice.nav.appointments', permission: 'backoffice.queue' },
  { href: '/backoffice/documents', text: 'backoffice.nav.documents', permission: 'agency.admin' },
  { href: '/backoffice/admin', text: 'backoffice.nav.admin', permission: 'agency.admin' },
]

/** Every staff area, the back-office's and the platform's: a staff member's dashboard links to theirs. */
const STAFF_AREAS: { href: string; text: string; permission: Permission }[] = [
  ...BACKOFFICE_NAV,
  { href: '/support/console', text: 'backoffice.nav.support', permission: 'support.cases' },
  { href: '/admin/status', text: 'backoffice.nav.status', permission: 'platform.admin' },
  { href: '/admin/payments/suspense', text: 'backoffice.nav.suspense', permission: 'payments.suspense' },
  { href: '/admin/payments/reconciliation', text: 'backoffice.nav.reconciliation', permission: 'payments.review' },
]

/** The staff areas this person may open (none for citizens). */
export function staffAreas(request: FastifyRequest): { href: string; text: string }[] {
  const session = request.session
  if (session?.stage !== 'signed-in' || !STAFF_ROLES.includes(session.role)) return []
  return STAFF_AREAS.filter((item) => roleMay(session.role, item.permission)).map((item) => ({ href: item.href, text: request.t(item.text) }))
}

/** The links this person may follow, the current area marked (the longest address the page is under). */
export function backofficeNav(request: FastifyRequest): { href: string; text: string; active: boolean }[] {
  const session = request.session
  if (session?.stage !== 'signed-in' || !STAFF_ROLES.includes(session.role)) return []
  const path = request.url.split('?')[0]!
  const items = BACKOFFICE_NAV.filter((item) => roleMay(session.role, item.permission))
  const current = items.filter((item) => path === item.href || path.startsWith(`${item.href}/`)).sort((a, b) => b.href.length - a.href.length)[0]
  return items.map((item) => ({ href: item.href, text: request.t(item.text), active: item === current }))
}

/**
 * Pages of the staff area (addresses under /backoffice, whichever module serves them) get the navigation
 * without each route passing it: the layout reads it from reply.locals. A synchronous check of the
 * route's pattern, so every other request pays next to nothing.
 */
export function registerBackofficeNav(app: FastifyInstance): void {
  app.addHook('preHandler', (request, reply, done) => {
    if (request.routeOptions.url?.startsWith('/backoffice')) reply.locals = { ...reply.locals, backofficeNav: backofficeNav(request) }
    done()
  })
}
