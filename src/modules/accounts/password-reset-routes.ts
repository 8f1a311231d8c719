import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import type { PasswordResetService } from './password-reset.js'
import { allow } from '../../platform/access/access.js'

function bodyField(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value : ''
}

export function passwordResetRoutes(app: FastifyInstance, deps: { reset: PasswordResetService }): void {
  const { reset } = deps
  const limit = allow('public', { rateLimit: { max: 20, timeWindow: '10 minutes' } })

  const requestPage = (request: FastifyRequest, reply: FastifyReply, email: string, error?: Invalid) =>
    reply.page('accounts/views/password-forgot.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title: request.t('reset.title') }) : request.t('reset.title'),
      email,
      errors: error && errorSummary(error, request.t),
    })

  app.get('/password/forgot', allow('public'), async (request, reply) => requestPage(request, reply, ''))

  app.post('/password/forgot', limit, async (request, reply) => {
    const email = bodyField(request, 'email')
    try {
      await reset.request(email, requestContext(request))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return requestPage(request, reply, email, error)
    }
    return reply.redirect('/password/forgot/sent', 303)
  })

  app.get('/password/forgot/sent', allow('public'), async (request, reply) =>
    reply.page('accounts/views/password-sent.njk', { pageTitle: request.t('reset.sent.title') }),
  )

  const newPasswordPage = (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, status: string, error?: Invalid) => {
    if (status !== 'ok') reply.code(410)
    return reply.page('accounts/views/password-new.njk', {
      pageTitle: status !== 'ok' ? request.t('verify.email.problem') : request.t('reset.new.title'),
      status,
      action: `/password/reset/${encodeURIComponent(request.params.token)}`,
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get<{ Params: { token: string } }>('/password/reset/:token', allow('public'), async (request, reply) =>
    newPasswordPage(request, reply, await reset.status(request.params.token)),
  )

  app.post<{ Params: { token: string } }>('/password/reset/:token', limit, async (request, reply) => {
    try {
      const status = await reset.reset(request.params.token, bodyField(request, 'password'), requestContext(request))
      if (status !== 'ok') return newPasswordPage(request, reply, status)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return newPasswordPage(request, reply, 'ok', error)
    }
    return reply.redirect('/password/reset-done', 303)
  })

  app.get('/password/reset-done', allow('public'), async (request, reply) =>
    reply.page('accounts/views/password-done.njk', { pageTitle: request.t('reset.done.title') }),
  )
}
