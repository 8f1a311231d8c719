import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { LINK_MINUTES } from './codes.js'
import type { ProfileService } from './profile.js'
import { field, titleOf } from './profile-routes.js'
import { requireRecentAuthentication } from './reauthentication.js'

/** Messages sent to people who may not be the person typing: a per-address limit on top of re-authentication. */
const SENDS = { rateLimit: { max: 10, timeWindow: '10 minutes' } }

/**
 * Changing the email (a link to the new address) or the phone (a code to the new number). Asking for
 * a change needs a recent password; confirming it needs the link or code, which only the new address
 * or number receives.
 */
export function contactRoutes(app: FastifyInstance, deps: { profile: ProfileService }): void {
  const { profile } = deps
  const fresh = { preHandler: requireRecentAuthentication }

  const emailPage = (request: FastifyRequest, reply: FastifyReply, email: string, error?: Invalid) =>
    reply.page('accounts/views/change-email.njk', {
      pageTitle: titleOf(request, 'profile.emailChange.title', error),
      email,
      errors: error && errorSummary(error, request.t),
    })

  app.get('/account/email', { ...allow('account.own'), ...fresh }, async (request, reply) => emailPage(request, reply, ''))

  app.post('/account/email', { ...allow('account.own', SENDS), ...fresh }, async (request, reply) => {
    const email = field(request.body, 'email')
    try {
      await profile.requestEmailChange(request.session!.accountId, email, requestContext(request))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return emailPage(request, reply, email, error)
    }
    return reply.redirect('/account/email/sent', 303)
  })

  app.get('/account/email/sent', allow('account.own'), async (request, reply) => {
    const account = await profile.account(request.session!.accountId)
    if (!account.pending_email) return reply.redirect('/account', 303)
    return reply.page('accounts/views/change-email-sent.njk', {
      pageTitle: request.t('profile.emailChange.sentTitle'),
      email: account.pending_email,
      minutes: LINK_MINUTES['change-email'],
    })
  })

  // Opened from the new address's mailbox, perhaps on another device: the token alone is the proof.
  app.get<{ Params: { token: string } }>('/account/email/confirm/:token', allow('public', SENDS), async (request, reply) => {
    const status = await profile.confirmEmailChange(request.params.token, requestContext(request))
    if (status !== 'ok') reply.code(410)
    return reply.page('accounts/views/change-email-result.njk', {
      pageTitle: request.t(status === 'ok' ? 'profile.emailChange.confirmedTitle' : 'profile.emailChange.problemTitle'),
      status,
    })
  })

  const phonePage = (request: FastifyRequest, reply: FastifyReply, phone: string, error?: Invalid) =>
    reply.page('accounts/views/change-phone.njk', {
      pageTitle: titleOf(request, 'profile.phoneChange.title', error),
      phone,
      errors: error && errorSummary(error, request.t),
    })

  app.get('/account/phone', { ...allow('account.own'), ...fresh }, async (request, reply) => phonePage(request, reply, ''))

  app.post('/account/phone', { ...allow('account.own', SENDS), ...fresh }, async (request, reply) => {
    const phone = field(request.body, 'phone')
    try {
      await profile.requestPhoneChange(request.session!.accountId, phone, requestContext(request))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      // The number comes back exactly as typed, for the person to correct.
      return phonePage(request, reply, phone, error)
    }
    return reply.redirect('/account/phone/confirm', 303)
  })

  const codePage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    const account = await profile.account(request.session!.accountId)
    if (!account.pending_phone) return reply.redirect('/account/phone', 303)
    return reply.page('accounts/views/change-phone-code.njk', { pageTitle: request.t('profile.phoneChange.codeTitle'), ending: account.pending_phone.slice(-3), ...extra })
  }

  app.get('/account/phone/confirm', allow('account.own'), async (request, reply) =>
    codePage(request, reply, { sent: (request.query as Record<string, unknown>).sent === '1' }),
  )

  app.post('/account/phone/confirm', allow('account.own', { rateLimit: { max: 30, timeWindow: '10 minutes' } }), async (request, reply) => {
    const result = await profile.confirmPhoneChange(request.session!.accountId, field(request.body, 'code'), requestContext(request))
    if (result === 'ok') return reply.redirect('/account?done=phone', 303)
    reply.code(400)
    if (result === 'taken') return phonePage(request, reply, '', new Invalid({ phone: { key: 'profile.phoneChange.taken' } }))
    // Expired, used or too many tries: the message says so, and the page offers a new code.
    const error = new Invalid({ code: { key: `signIn.code.errors.${result}` } })
    return codePage(request, reply, { pageTitle: titleOf(request, 'profile.phoneChange.codeTitle', error), errors: errorSummary(error, request.t) })
  })

  app.post('/account/phone/resend', allow('account.own', SENDS), async (request, reply) => {
    const sent = await profile.resendPhoneCode(request.session!.accountId, requestContext(request))
    return reply.redirect(sent ? '/account/phone/confirm?sent=1' : '/account/phone', 303)
  })
}
