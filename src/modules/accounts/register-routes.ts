import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import type { Sessions } from '../../platform/sessions/sessions.js'
import { countryList } from '../../platform/i18n/countries.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import type { ProvenIdentity, RegistrationService } from './registration.js'
import { allow } from '../../platform/access/access.js'

const IDENTITY_COOKIE = 'registration'

function fields<K extends string>(body: unknown, names: K[]): Record<K, string> {
  const raw = (body ?? {}) as Record<string, unknown>
  return Object.fromEntries(names.map((name) => [name, typeof raw[name] === 'string' ? (raw[name] as string) : ''])) as Record<K, string>
}

/** The proven identity travels between the two pages in a signed, short-lived, HttpOnly cookie. */
function readIdentity(request: FastifyRequest): ProvenIdentity | undefined {
  const raw = request.cookies[IDENTITY_COOKIE]
  if (!raw) return undefined
  const unsigned = request.unsignCookie(raw)
  if (!unsigned.valid || !unsigned.value) return undefined
  try {
    return JSON.parse(unsigned.value) as ProvenIdentity
  } catch {
    return undefined
  }
}

export function registerRoutes(app: FastifyInstance, deps: { registration: RegistrationService; sessions: Sessions; secureCookies: boolean }): void {
  const { registration, sessions } = deps
  const ipLimit = allow('public', { rateLimit: { max: 30, timeWindow: '10 minutes' } })
  const rememberIdentity = (reply: FastifyReply, identity: ProvenIdentity) =>
    reply.setCookie(IDENTITY_COOKIE, JSON.stringify(identity), {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      path: '/register',
      maxAge: 30 * 60,
    })
  const identityPage = (request: FastifyRequest, reply: FastifyReply, form: Record<string, string>, error?: Invalid) =>
    reply.page('accounts/views/register-identity.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title: request.t('register.title') }) : request.t('register.title'),
      form,
      errors: error && errorSummary(error, request.t),
    })

  app.get('/register', allow('public'), async (request, reply) => identityPage(request, reply, { kind: '', idNumber: '', firstName: '', yearOfBirth: '' }))

  app.post('/register', ipLimit, async (request, reply) => {
    const form = fields(request.body, ['kind', 'idNumber', 'firstName', 'yearOfBirth'])
    try {
      rememberIdentity(reply, await registration.proveIdentity(form))
      return reply.redirect('/register/details', 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return identityPage(request, reply, form, error)
    }
  })

  const visitorPage = (request: FastifyRequest, reply: FastifyReply, form: Record<string, string>, error?: Invalid) =>
    reply.page('accounts/views/register-visitor.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title: request.t('register.visitor.title') }) : request.t('register.visitor.title'),
      form,
      countryItems: [
        { value: '', text: request.t('register.visitor.chooseCountry') },
        ...countryList(request.language()).map((country) => ({ value: country.code, text: country.name, selected: form.nationality === country.code })),
      ],
      errors: error && errorSummary(error, request.t),
    })

  app.get('/register/visitor', allow('public'), async (request, reply) =>
    visitorPage(request, reply, { passportNumber: '', nationality: '', firstName: '', lastName: '' }),
  )

  app.post('/register/visitor', ipLimit, async (request, reply) => {
    const form = fields(request.body, ['passportNumber', 'nationality', 'firstName', 'lastName'])
    try {
      rememberIdentity(reply, registration.proveVisitor(form))
      return reply.redirect('/register/details', 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return visitorPage(request, reply, form, error)
    }
  })

  const detailsPage = (request: FastifyRequest, reply: FastifyReply, identity: ProvenIdentity, form: Record<string, string>, error?: Invalid) =>
    reply.page('accounts/views/register-details.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title: request.t('register.details.title') }) : request.t('register.details.title'),
      name: identity.firstName,
      form,
      errors: error && errorSummary(error, request.t),
    })

  app.get('/register/details', allow('public'), async (request, reply) => {
    const identity = readIdentity(request)
    if (!identity) return reply.redirect('/register', 303)
    return detailsPage(request, reply, identity, { email: '', phone: '' })
  })

  app.post('/register/details', ipLimit, async (request, reply) => {
    const identity = readIdentity(request)
    if (!identity) return reply.redirect('/register', 303)
    const form = fields(request.body, ['email', 'phone', 'password'])
    try {
      const account = await registration.register(identity, form, request.language(), requestContext(request))
      reply.clearCookie(IDENTITY_COOKIE, { path: '/register' })
      if (account) await sessions.start(request, reply, account.id, 'signed-in')
      return reply.redirect('/register/check-email', 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      // Everything typed comes back, except the password.
      return detailsPage(request, reply, identity, { email: form.email, phone: form.phone }, error)
    }
  })

  app.get('/register/check-email', allow('public'), async (request, reply) =>
    reply.page('accounts/views/register-check-email.njk', { pageTitle: request.t('register.checkEmail.title'), signedIn: request.session?.stage === 'signed-in' }),
  )
}
