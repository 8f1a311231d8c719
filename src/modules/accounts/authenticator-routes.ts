import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import type { AuthenticatorService } from './authenticator.js'
import { allow } from '../../platform/access/access.js'
import { requireRecentAuthentication } from './reauthentication.js'

export function authenticatorRoutes(app: FastifyInstance, deps: { authenticator: AuthenticatorService }): void {
  const { authenticator } = deps

  const setupPage = async (request: FastifyRequest, reply: FastifyReply, error?: Invalid) => {
    const enrolment = await authenticator.enrolment(request.session!.accountId)
    return reply.page('accounts/views/authenticator.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title: request.t('authenticator.title') }) : request.t('authenticator.title'),
      qrSvg: enrolment.qrSvg,
      secret: enrolment.secret.replace(/(.{4})/g, '$1 ').trim(),
      errors: error && errorSummary(error, request.t),
    })
  }

  // Changing the second factor needs a recent password (sign-in counts), like any change to how one signs in.
  const fresh = { preHandler: requireRecentAuthentication }

  app.get('/account/authenticator', { ...allow('signed-in'), ...fresh }, async (request, reply) => setupPage(request, reply))

  app.post('/account/authenticator', { ...allow('signed-in', { rateLimit: { max: 20, timeWindow: '10 minutes' } }), ...fresh }, async (request, reply) => {
    const code = String((request.body as Record<string, unknown> | undefined)?.code ?? '')
    const recoveryCodes = await authenticator.confirm(request.session!.accountId, code, requestContext(request))
    if (!recoveryCodes) {
      reply.code(400)
      return setupPage(request, reply, new Invalid({ code: { key: 'signIn.code.errors.wrong' } }))
    }
    // Shown once, on this answer only: they are not stored anywhere they could be read back.
    return reply.page('accounts/views/recovery-codes.njk', { pageTitle: request.t('authenticator.done'), recoveryCodes })
  })
}
