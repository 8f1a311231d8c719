import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { audit, requestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { checkCode, useLinkToken } from './codes.js'
import type { RegistrationService } from './registration.js'
import { findAccount, markVerified } from './store.js'
import { allow } from '../../platform/access/access.js'

/** Confirming the email address (a link) and the phone (a code) given at registration. */
export function verifyRoutes(app: FastifyInstance, deps: { db: Db; registration: RegistrationService }): void {
  const { db, registration } = deps

  const statusPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    const account = await findAccount(db, request.session!.accountId)
    if (!account) return reply.redirect('/sign-in', 303)
    return reply.page('accounts/views/verify.njk', {
      pageTitle: request.t('verify.title'),
      emailVerified: Boolean(account.email_verified_at),
      phoneVerified: Boolean(account.phone_verified_at),
      email: account.email,
      phoneEnding: account.phone.slice(-3),
      ...extra,
    })
  }

  app.get('/account/verify', allow('account.own'), async (request, reply) => {
    const sent = (request.query as Record<string, unknown>).sent
    return statusPage(request, reply, { sent: sent === 'email' || sent === 'phone' ? sent : undefined })
  })

  app.post('/account/verify/phone', allow('account.own', { rateLimit: { max: 30, timeWindow: '10 minutes' } }), async (request, reply) => {
    const accountId = request.session!.accountId
    const code = String((request.body as Record<string, unknown> | undefined)?.code ?? '')
    const result = /^\s*\d{3}\s?\d{3}\s*$/.test(code) ? await checkCode(db, accountId, 'verify-phone', code) : 'wrong'
    await audit(db, { action: 'verify.phone', outcome: result === 'ok' ? 'success' : 'failure', actorId: accountId, subjectType: 'account', subjectId: accountId, details: { result } }, requestContext(request))
    if (result === 'ok') {
      await markVerified(db, accountId, 'phone')
      return reply.redirect('/account/verify', 303)
    }
    reply.code(400)
    return statusPage(request, reply, {
      pageTitle: request.t('feedback.errorTitle', { title: request.t('verify.title') }),
      errors: errorSummary(new Invalid({ code: { key: `signIn.code.errors.${result}` } }), request.t),
    })
  })

  app.post('/account/verify/resend', allow('account.own', { rateLimit: { max: 10, timeWindow: '10 minutes' } }), async (request, reply) => {
    const account = await findAccount(db, request.session!.accountId)
    const what = (request.body as Record<string, unknown> | undefined)?.what === 'email' ? 'email' : 'phone'
    if (account) {
      await db.transaction().execute((trx) => (what === 'email' ? registration.sendEmailLink(trx, account) : registration.sendPhoneCode(trx, account)))
    }
    return reply.redirect(`/account/verify?sent=${what}`, 303)
  })

  // Opened from the email, perhaps on another device: the token alone proves the address.
  app.get<{ Params: { token: string } }>('/account/verify-email/:token', allow('public'), async (request, reply) => {
    const result = await useLinkToken(db, request.params.token, 'verify-email')
    if (result.status === 'ok') {
      await markVerified(db, result.accountId, 'email')
      await audit(db, { action: 'verify.email', outcome: 'success', actorId: result.accountId, subjectType: 'account', subjectId: result.accountId }, requestContext(request))
    }
    if (result.status !== 'ok') reply.code(410)
    return reply.page('accounts/views/email-confirmed.njk', {
      pageTitle: request.t(result.status === 'ok' ? 'verify.email.confirmed' : 'verify.email.problem'),
      status: result.status,
    })
  })
}
