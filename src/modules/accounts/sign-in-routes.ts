import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import type { Sessions } from '../../platform/sessions/sessions.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { passkeyFallback, secondFactorChannel, type SignInService } from './sign-in.js'
import { allow } from '../../platform/access/access.js'
import { takeDestination } from '../../platform/access/destination.js'

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value : ''
}

/** Where a code went, without showing the whole number or address. */
function maskedDestination(channel: 'sms' | 'email', phone: string, email: string): string {
  if (channel === 'sms') return `••• ${phone.slice(-3)}`
  const [local = '', domain = ''] = email.split('@')
  return `${local.slice(0, 1)}•••@${domain}`
}

export function signInRoutes(app: FastifyInstance, deps: { signIn: SignInService; sessions: Sessions; ipLimitPer10Minutes: number }): void {
  const { signIn, sessions } = deps
  // Per address, on top of the per-account lock: generous, because many phones share one carrier address.
  const ipLimit = allow('public', { rateLimit: { max: deps.ipLimitPer10Minutes, timeWindow: '10 minutes' } })

  app.get('/sign-in', allow('public'), async (request, reply) => {
    if (request.session?.stage === 'signed-in') return reply.redirect('/dashboard', 303)
    return reply.page('accounts/views/sign-in.njk', { pageTitle: request.t('signIn.title'), name: '' })
  })

  app.post('/sign-in', ipLimit, async (request, reply) => {
    const name = field(request.body, 'name')
    try {
      const account = await signIn.checkPassword(name, field(request.body, 'password'), requestContext(request))
      await signIn.beginSecondFactor(account, requestContext(request), (trx) => sessions.start(request, reply, account.id, 'second-factor', trx))
      return reply.redirect('/sign-in/code', 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return reply.page('accounts/views/sign-in.njk', {
        pageTitle: request.t('feedback.errorTitle', { title: request.t('signIn.title') }),
        name,
        errors: errorSummary(error, request.t),
      })
    }
  })

  /** `useCode`: a passkey account chose (or is using) its fallback code instead of the passkey. */
  const codePage = async (request: FastifyRequest, extra: Record<string, unknown> = {}, useCode = true) => {
    const account = await signIn.findAccount(request.session!.accountId)
    const channel = account ? secondFactorChannel(account, useCode) : 'sms'
    return {
      pageTitle: request.t(channel === 'passkey' ? 'passkeys.signIn.title' : 'signIn.code.title'),
      destination: account && (channel === 'sms' || channel === 'email') ? maskedDestination(channel, account.phone, account.email) : '',
      channel,
      passkeyAccount: account?.second_factor === 'passkey',
      fallback: account && passkeyFallback(account),
      ...extra,
    }
  }

  app.get('/sign-in/code', allow('public'), async (request, reply) => {
    if (request.session?.stage !== 'second-factor') return reply.redirect('/sign-in', 303)
    const query = request.query as Record<string, unknown>
    const sent = query.sent === '1'
    return reply.page('accounts/views/code.njk', await codePage(request, { sent }, sent || query.use === 'code'))
  })

  app.post('/sign-in/code', ipLimit, async (request, reply) => {
    const session = request.session
    if (session?.stage !== 'second-factor') return reply.redirect('/sign-in', 303)
    const result = await signIn.checkCode(session.accountId, field(request.body, 'code'), requestContext(request))
    if (result === 'ok') {
      // A new session id at the privilege change; the half-signed-in one is revoked.
      await sessions.start(request, reply, session.accountId, 'signed-in')
      return reply.redirect(takeDestination(request, reply), 303)
    }
    const key = result === 'wrong' ? 'signIn.code.errors.wrong' : `signIn.code.errors.${result}`
    reply.code(400)
    return reply.page(
      'accounts/views/code.njk',
      await codePage(request, {
        pageTitle: request.t('feedback.errorTitle', { title: request.t('signIn.code.title') }),
        errors: errorSummary(new Invalid({ code: { key } }), request.t),
        offerNew: result !== 'wrong',
      }),
    )
  })

  app.post('/sign-in/code/resend', ipLimit, async (request, reply) => {
    const session = request.session
    if (session?.stage !== 'second-factor') return reply.redirect('/sign-in', 303)
    const account = await signIn.findAccount(session.accountId)
    // From a passkey account's page this is the way round the passkey: an SMS code, or its app.
    const channel = account && (await signIn.sendCode(account, true))
    return reply.redirect(channel === 'sms' || channel === 'email' ? '/sign-in/code?sent=1' : '/sign-in/code?use=code', 303)
  })

  app.post('/sign-out', allow('public'), async (request, reply) => {
    await sessions.end(request, reply)
    return reply.redirect('/signed-out', 303)
  })

  app.get('/signed-out', allow('public'), async (request, reply) => reply.page('accounts/views/signed-out.njk', { pageTitle: request.t('signOut.title') }))
}
