import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import type { Messenger } from './messenger.js'
import { CONFIRM_PASSWORD_PATH, reauthenticate, safeNext } from './reauthentication.js'

/** "Confirm it is you": the password again, then back to the page that asked (an /account/ path only). */
export function reauthenticationRoutes(app: FastifyInstance, deps: { db: Db; messenger: Messenger }): void {
  const page = (request: FastifyRequest, reply: FastifyReply, next: string, error?: Invalid) =>
    reply.page('accounts/views/confirm-password.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title: request.t('reauth.title') }) : request.t('reauth.title'),
      next,
      errors: error && errorSummary(error, request.t),
    })

  // 'signed-in', not 'account.own': staff who must set up an authenticator app come through here too.
  app.get(CONFIRM_PASSWORD_PATH, allow('signed-in'), async (request, reply) =>
    page(request, reply, safeNext((request.query as Record<string, unknown>).next)),
  )

  app.post(CONFIRM_PASSWORD_PATH, allow('signed-in', { rateLimit: { max: 20, timeWindow: '10 minutes' } }), async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const next = safeNext(body.next)
    try {
      await reauthenticate(deps.db, deps.messenger, request.session!, typeof body.password === 'string' ? body.password : '', requestContext(request))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return page(request, reply, next, error)
    }
    return reply.redirect(next, 303)
  })
}
