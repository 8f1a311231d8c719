import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Role } from '../db/schema.js'
import { Forbidden } from '../http/errors.js'
import { rememberDestination } from './destination.js'

/**
 * What each role may do: the one table of permissions. A route names the permission it needs in its
 * own options (`config: { access: 'account.own' }`); one hook enforces it. Per-record checks (is this
 * application the person's own, or their agency's?) belong to the services, on top of this.
 */
export const PERMISSIONS = {
  /** The person's own account: dashboard, contact details, sessions, second factors. */
  'account.own': ['citizen', 'agency_officer', 'agency_supervisor', 'agency_admin', 'agency_finance', 'support_agent', 'platform_admin'],
  /** Apply for services, for oneself, a dependant or a business; see one's own applications. */
  'applications.own': ['citizen'],
  /** An agency's queue and its applications (their own agency only, checked per record). */
  'backoffice.queue': ['agency_officer', 'agency_supervisor', 'agency_admin'],
  /** Decide applications and issue documents. */
  'backoffice.decide': ['agency_officer', 'agency_supervisor'],
  /** Assign work, override SLAs, reopen decisions. */
  'backoffice.supervise': ['agency_supervisor'],
  /** The agency's own staff accounts and services settings. */
  'agency.admin': ['agency_admin'],
  /** Look up a person's applications and payments to help them (read-only, audited). */
  'support.cases': ['support_agent', 'platform_admin'],
  /** M-Pesa statement reconciliation: every agency's receipts at once, so the platform's only. */
  'payments.review': ['platform_admin'],
  /**
   * The suspense account: money that could not be matched, matched or refunded with four eyes. Agency
   * finance staff see their own agency's items only (checked per record); platform admins see all.
   */
  'payments.suspense': ['agency_finance', 'platform_admin'],
  /** Incidents, maintenance, staff of every agency, roles. */
  'platform.admin': ['platform_admin'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

/**
 * `public`: anyone, signed in or not. `signed-in`: any fully signed-in person, including staff who have
 * not yet set up the second factor staff must use (the pages where they set it up, and sign-out).
 */
export type Access = 'public' | 'signed-in' | Permission

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
  interface FastifyInstance {
    /** Every route with the access it declared: what the role-matrix test walks through. */
    routeAccess: RouteAccess[]
  }
}

export interface RouteAccess {
  method: string
  url: string
  access: Access
}

export const STAFF_ROLES: readonly Role[] = ['agency_officer', 'agency_supervisor', 'agency_admin', 'agency_finance', 'support_agent', 'platform_admin']

/** Staff hold other people's data: a code sent by SMS or email is not enough for them. */
export const STAFF_SECOND_FACTORS = ['totp', 'passkey'] as const

export function roleMay(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role)
}

/** Where staff are sent until they have an authenticator app or a passkey. */
export const STAFF_ENROLMENT_PATH = '/account/authenticator'

/** Routes that plugins add (static files) are public; every other route must say who may use it. */
const PLUGIN_ROUTES = /^\/assets\//

export function registerAccessControl(app: FastifyInstance): void {
  app.decorate('routeAccess', [] as RouteAccess[])
  app.addHook('onRoute', (route) => {
    const access = route.config?.access ?? (PLUGIN_ROUTES.test(route.url) ? 'public' : undefined)
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} does not declare its access`)
    for (const method of [route.method].flat()) app.routeAccess.push({ method, url: route.url, access })
    if (access === 'public') return
    if (access !== 'signed-in' && !(access in PERMISSIONS)) throw new Error(`route ${route.url}: unknown permission ${access}`)
    const guard = async (request: FastifyRequest, reply: FastifyReply) => {
      const session = request.session
      if (session?.stage !== 'signed-in') {
        rememberDestination(request, reply)
        return reply.redirect('/sign-in', 303)
      }
      if (access === 'signed-in') return
      if (STAFF_ROLES.includes(session.role) && !(STAFF_SECOND_FACTORS as readonly string[]).includes(session.secondFactor)) {
        return reply.redirect(STAFF_ENROLMENT_PATH, 303)
      }
      if (!roleMay(session.role, access)) throw new Forbidden(`role ${session.role} lacks ${access}`)
    }
    const existing = route.preHandler
    route.preHandler = existing ? [guard, ...(Array.isArray(existing) ? existing : [existing])] : guard
  })
}

/** Route options that declare who may use the route: `app.get('/x', allow('account.own'), handler)`. */
export function allow<C extends object>(access: Access, config?: C): { config: C & { access: Access } } {
  return { config: { ...(config ?? ({} as C)), access } }
}
