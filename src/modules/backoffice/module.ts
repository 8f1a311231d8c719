import type { FastifyInstance } from 'fastify'
import { registerBackofficeNav } from './nav.js'
import { backofficeRoutes } from './routes.js'
import { BackofficeService, type BackofficeDeps } from './service.js'

/**
 * The agency back-office under /backoffice: the staff area's navigation, the queue, cases and the
 * decisions on them. Returns the service, which the SLA digest job (digest.ts, backofficeJobs) uses.
 */
export function backofficeModule(app: FastifyInstance, deps: BackofficeDeps): { backoffice: BackofficeService } {
  const backoffice = new BackofficeService(deps)
  registerBackofficeNav(app)
  backofficeRoutes(app, { backoffice })
  return { backoffice }
}
