import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import { isLanguage } from '../../platform/i18n/i18n.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import type { ProfileService } from './profile.js'

export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value : ''
}

/** A page's title, marked "Error:" when the form came back with errors (screen readers hear it first). */
export function titleOf(request: FastifyRequest, key: string, error?: Invalid): string {
  return error ? request.t('feedback.errorTitle', { title: request.t(key) }) : request.t(key)
}

const DONE = new Set(['password', 'phone', 'language'])

/** The account overview, the password and the language. Email and phone are in contact-routes.ts. */
export function profileRoutes(app: FastifyInstance, deps: { profile: ProfileService }): void {
  const { profile } = deps

  app.get('/account', allow('account.own'), async (request, reply) => {
    const account = await profile.account(request.session!.accountId)
    const done = (request.query as Record<string, unknown>).done
    return reply.page('accounts/views/account.njk', {
      pageTitle: request.t('profile.title'),
      done: typeof done === 'string' && DONE.has(done) ? done : undefined,
      account: {
        name: `${account.first_name} ${account.last_name}`,
        idNumber: account.id_number,
        passportNumber: account.passport_number,
        email: account.email,
        pendingEmail: account.pending_email,
        phone: account.phone,
        pendingPhone: account.pending_phone,
        language: account.language,
        secondFactor: account.second_factor,
      },
    })
  })

  // The current password is asked for on the form itself: it serves as the re-authentication.
  const passwordPage = (request: FastifyRequest, reply: FastifyReply, error?: Invalid) =>
    reply.page('accounts/views/change-password.njk', {
      pageTitle: titleOf(request, 'profile.passwordChange.title', error),
      errors: error && errorSummary(error, request.t),
    })

  app.get('/account/password', allow('account.own'), async (request, reply) => passwordPage(request, reply))

  app.post('/account/password', allow('account.own', { rateLimit: { max: 20, timeWindow: '10 minutes' } }), async (request, reply) => {
    try {
      await profile.changePassword(request.session!, field(request.body, 'currentPassword'), field(request.body, 'newPassword'), requestContext(request))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      // Passwords are never sent back, right or wrong.
      return passwordPage(request, reply, error)
    }
    return reply.redirect('/account?done=password', 303)
  })

  const languagePage = async (request: FastifyRequest, reply: FastifyReply, error?: Invalid) =>
    reply.page('accounts/views/language.njk', {
      pageTitle: titleOf(request, 'profile.languageChange.title', error),
      language: (await profile.account(request.session!.accountId)).language,
      errors: error && errorSummary(error, request.t),
    })

  app.get('/account/language', allow('account.own'), async (request, reply) => languagePage(request, reply))

  app.post('/account/language', allow('account.own'), async (request, reply) => {
    const language = field(request.body, 'language')
    if (!isLanguage(language)) {
      reply.code(400)
      return languagePage(request, reply, new Invalid({ language: { key: 'profile.errors.language' } }))
    }
    await profile.setLanguage(request.session!.accountId, language, requestContext(request))
    // ?lang= switches the pages too and remembers it in the language cookie (platform/views).
    return reply.redirect(`/account?done=language&lang=${language}`, 303)
  })
}
