import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { PASSWORD_RULES } from '../accounts/password.js'
import type { AcceptanceForm, InvitationService, InvitationStatus } from './invitations.js'

type TokenRequest = FastifyRequest<{ Params: { token: string } }>

function field(body: unknown, name: string, max = 200): string {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value.slice(0, max) : ''
}

/**
 * The invitee's side: the emailed link leads to a form for their name, phone and password. Public: the
 * invitee has no account yet; the link's token is what they hold. A link that cannot be used says why
 * (410 Gone), and the person is told to ask their agency's administrator for a new one.
 */
export function invitationRoutes(app: FastifyInstance, deps: { invitations: InvitationService }): void {
  const { invitations } = deps
  const limited = allow('public', { rateLimit: { max: 20, timeWindow: '10 minutes' } })

  const page = async (request: TokenRequest, reply: FastifyReply, options: { status?: InvitationStatus; form?: Omit<AcceptanceForm, 'password'>; error?: Invalid } = {}) => {
    const found = await invitations.look(request.params.token)
    const status = options.status ?? found.status
    if (status !== 'ok' || !found.invitation) {
      reply.code(410)
      return reply.page('agency-admin/views/invitation.njk', { pageTitle: request.t('agencyAdmin.accept.problem'), status })
    }
    const language = request.language()
    const title = request.t('agencyAdmin.accept.title')
    return reply.page('agency-admin/views/invitation.njk', {
      pageTitle: options.error ? request.t('feedback.errorTitle', { title }) : title,
      status,
      agency: language === 'sw' ? found.agency!.name_sw : found.agency!.name_en,
      role: request.t(`agencyAdmin.roles.${found.invitation.role}`),
      email: found.invitation.email,
      form: options.form ?? { firstName: '', lastName: '', phone: '' },
      minPassword: PASSWORD_RULES.min,
      action: `/staff-invitation/${encodeURIComponent(request.params.token)}`,
      errors: options.error && errorSummary(options.error, request.t),
    })
  }

  app.get('/staff-invitation/accepted', allow('public'), async (request, reply) =>
    reply.page('agency-admin/views/invitation-accepted.njk', { pageTitle: request.t('agencyAdmin.accept.done.title') }),
  )

  app.get<{ Params: { token: string } }>('/staff-invitation/:token', allow('public'), async (request, reply) => page(request, reply))

  app.post<{ Params: { token: string } }>('/staff-invitation/:token', limited, async (request, reply) => {
    const form = {
      firstName: field(request.body, 'firstName'),
      lastName: field(request.body, 'lastName'),
      phone: field(request.body, 'phone', 40),
      password: field(request.body, 'password', 1000),
    }
    const { password: _password, ...shown } = form
    try {
      const status = await invitations.accept(request.params.token, form, request.language(), requestContext(request))
      if (status !== 'ok') return page(request, reply, { status })
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return page(request, reply, { form: shown, error })
    }
    return reply.redirect('/staff-invitation/accepted', 303)
  })
}
