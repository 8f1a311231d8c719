import type { FastifyInstance } from 'fastify'
import { supportConsoleRoutes } from './console-routes.js'
import { supportRoutes } from './routes.js'
import { SupportService, type SupportDeps } from './service.js'

/**
 * The support desk: the contact page, a person's tickets and the support agents' console. The payment
 * check of "payment made but not showing" runs through the payments module's own reconciliation.
 */
export function supportModule(app: FastifyInstance, deps: SupportDeps): { support: SupportService } {
  const support = new SupportService(deps)
  supportRoutes(app, { support })
  supportConsoleRoutes(app, { support })
  return { support }
}
