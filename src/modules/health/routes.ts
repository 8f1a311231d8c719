import type { FastifyInstance } from 'fastify'
import { isReachable, type Db } from '../../platform/db/database.js'
import { allow } from '../../platform/access/access.js'

/** Liveness and readiness for load balancers and orchestrators: JSON, never cached, never rate limited. */
export function healthRoutes(app: FastifyInstance, deps: { db: Db }): void {
  const plain = allow('public', { rateLimit: false })

  app.get('/healthz', plain, async (_request, reply) => {
    reply.header('Cache-Control', 'no-store')
    return { status: 'ok' }
  })

  app.get('/readyz', plain, async (_request, reply) => {
    reply.header('Cache-Control', 'no-store')
    if (await isReachable(deps.db)) return { status: 'ready', database: 'ok' }
    return reply.code(503).send({ status: 'unavailable', database: 'unreachable' })
  })
}
