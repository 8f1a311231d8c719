import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Forbidden, Invalid } from '../../platform/http/errors.js'
import type { Sessions } from '../../platform/sessions/sessions.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { NAME_MAX, type PasskeyService } from './passkeys.js'
import { deviceName } from './sessions-routes.js'
import { passkeyFallback } from './sign-in.js'
import { takeDestination } from '../../platform/access/destination.js'

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value : ''
}

/**
 * Passkeys: the person's own list (add, remove) and the sign-in ceremony. Each ceremony is two steps:
 * passkeys.js fetches options as JSON (a POST: it stores the challenge), asks the browser, then
 * submits the answer in an ordinary form, so success and failure are the usual redirect or page.
 */
export function passkeyRoutes(app: FastifyInstance, deps: { passkeys: PasskeyService; sessions: Sessions; ipLimitPer10Minutes: number }): void {
  const { passkeys, sessions } = deps
  // As on the other sign-in routes: per address, generous, on top of what each account allows.
  const ipLimit = allow('public', { rateLimit: { max: deps.ipLimitPer10Minutes, timeWindow: '10 minutes' } })
  const ownLimit = allow('signed-in', { rateLimit: { max: 30, timeWindow: '10 minutes' } })

  const listPage = async (request: FastifyRequest, reply: FastifyReply, extra: { done?: string; name?: string; error?: Invalid } = {}) => {
    const title = request.t('passkeys.title')
    return reply.page('accounts/views/passkeys.njk', {
      pageTitle: extra.error ? request.t('feedback.errorTitle', { title }) : title,
      passkeys: await passkeys.list(request.session!.accountId),
      name: extra.name ?? '',
      nameMax: NAME_MAX,
      done: extra.done,
      errors: extra.error && errorSummary(extra.error, request.t),
    })
  }

  app.get('/account/passkeys', allow('signed-in'), async (request, reply) => {
    const query = request.query as Record<string, unknown>
    return listPage(request, reply, { done: query.added === '1' ? 'added' : query.removed === '1' ? 'removed' : undefined })
  })

  app.post('/account/passkeys/options', ownLimit, async (request, reply) => {
    const session = request.session!
    const options = await passkeys.registrationOptions(session.accountId, session.tokenHash)
    return reply.header('Cache-Control', 'no-store').send(options)
  })

  app.post('/account/passkeys', ownLimit, async (request, reply) => {
    const session = request.session!
    const typed = field(request.body, 'name').trim()
    if (typed.length > NAME_MAX) {
      reply.code(400)
      return listPage(request, reply, { name: typed, error: new Invalid({ name: { key: 'passkeys.errors.nameTooLong' } }) })
    }
    // Unnamed passkeys are named after the browser that made them ("Chrome · Android").
    const name = typed || deviceName(request.headers['user-agent'] ?? null)
    const result = await passkeys.register(session.accountId, session.tokenHash, field(request.body, 'credential'), name, requestContext(request))
    if (result.ok) return reply.redirect('/account/passkeys?added=1', 303)
    reply.code(400)
    return listPage(request, reply, { name: typed, error: new Invalid({ passkey: { key: 'passkeys.errors.addFailed' } }) })
  })

  app.post('/account/passkeys/remove', allow('signed-in'), async (request, reply) => {
    // Only among the person's own passkeys: another person's id is simply not found (404).
    await passkeys.remove(request.session!.accountId, field(request.body, 'passkey'), requestContext(request))
    return reply.redirect('/account/passkeys?removed=1', 303)
  })

  app.post('/sign-in/passkey/options', ipLimit, async (request, reply) => {
    const session = request.session
    if (session?.stage !== 'second-factor') throw new Forbidden('not at the second-factor stage')
    const options = await passkeys.authenticationOptions(session.accountId, session.tokenHash)
    return reply.header('Cache-Control', 'no-store').send(options)
  })

  app.post('/sign-in/passkey', ipLimit, async (request, reply) => {
    const session = request.session
    if (session?.stage !== 'second-factor') return reply.redirect('/sign-in', 303)
    const result = await passkeys.authenticate(session.accountId, session.tokenHash, field(request.body, 'credential'), requestContext(request))
    if (result.ok) {
      // A new session id at the privilege change; the half-signed-in one is revoked.
      await sessions.start(request, reply, session.accountId, 'signed-in')
      return reply.redirect(takeDestination(request, reply), 303)
    }
    const account = await passkeys.findAccount(session.accountId)
    reply.code(400)
    return reply.page('accounts/views/code.njk', {
      pageTitle: request.t('feedback.errorTitle', { title: request.t('passkeys.signIn.title') }),
      channel: 'passkey',
      passkeyAccount: true,
      fallback: account && passkeyFallback(account),
      errors: errorSummary(new Invalid({ passkey: { key: 'passkeys.errors.signInFailed' } }), request.t),
    })
  })
}
