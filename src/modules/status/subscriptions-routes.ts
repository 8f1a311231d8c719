import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { uploadForms } from '../uploads/multipart.js'
import type { Component } from './model.js'
import { componentName } from './names.js'
import { PENDING_HOURS, readSubscribeForm, TOKEN, type SubscribeForm, type SubscriptionService } from './subscriptions-service.js'

/** Remembers the number a code was sent to, so the code page can fill it in. */
const PHONE_COOKIE = 'status_subscribe_phone'
const LIMITED = { rateLimit: { max: 10, timeWindow: '10 minutes' } }

type TokenRequest = FastifyRequest<{ Params: { token: string } }>

function field(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value : ''
}

export function subscriptionRoutes(app: FastifyInstance, deps: { subscriptions: SubscriptionService; components: () => Promise<Component[]>; secureCookies: boolean }): void {
  const { subscriptions } = deps

  const formPage = async (request: FastifyRequest, reply: FastifyReply, form: SubscribeForm, error?: Invalid) => {
    const lang = request.language()
    const all = await deps.components()
    const title = request.t('statusPage.subscribe.title')
    return reply.page('status/views/subscribe.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title }) : title,
      form,
      components: all.map((c) => ({ value: c.id, text: componentName(all, c.id, lang, request.t) })),
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get('/status/subscribe', allow('public'), async (request, reply) =>
    formPage(request, reply, { channel: '', email: '', phone: '', language: request.language(), components: [] }),
  )

  // The same answer whether or not the address was already subscribed.
  app.post('/status/subscribe', allow('public', LIMITED), async (request, reply) => {
    const form = readSubscribeForm(request.body, request.language())
    try {
      const { channel, address } = await subscriptions.subscribe(form)
      if (channel === 'email') return reply.redirect('/status/subscribe/check-email', 303)
      reply.setCookie(PHONE_COOKIE, address, { path: '/status/subscribe', httpOnly: true, sameSite: 'lax', signed: true, secure: deps.secureCookies, maxAge: PENDING_HOURS * 3600 })
      return reply.redirect('/status/subscribe/confirm', 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return formPage(request, reply, form, error)
    }
  })

  app.get('/status/subscribe/check-email', allow('public'), async (request, reply) =>
    reply.page('status/views/subscribe-check-email.njk', { pageTitle: request.t('statusPage.subscribe.checkEmail.title') }),
  )

  const codePage = (request: FastifyRequest, reply: FastifyReply, phone: string, error?: Invalid) => {
    const title = request.t('statusPage.subscribe.code.title')
    return reply.page('status/views/subscribe-code.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title }) : title,
      phone,
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get('/status/subscribe/confirm', allow('public'), async (request, reply) => {
    const cookie = request.cookies[PHONE_COOKIE]
    const remembered = cookie ? request.unsignCookie(cookie) : undefined
    return codePage(request, reply, remembered?.valid ? (remembered.value ?? '') : '')
  })

  app.post('/status/subscribe/confirm', allow('public', { rateLimit: { max: 20, timeWindow: '10 minutes' } }), async (request, reply) => {
    const phone = field(request, 'phone').slice(0, 40)
    try {
      await subscriptions.confirmCode(phone, field(request, 'code').slice(0, 20))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return codePage(request, reply, phone, error)
    }
    reply.clearCookie(PHONE_COOKIE, { path: '/status/subscribe' })
    return reply.redirect('/status/subscribe/done', 303)
  })

  /** A link that does not work (never ours, used, or expired) says so, and where to start again. */
  const linkProblem = (request: FastifyRequest, reply: FastifyReply, kind: 'confirm' | 'unsubscribe') =>
    reply.code(404).page('status/views/subscribe-link.njk', { pageTitle: request.t(`statusPage.subscribe.link.${kind}Problem`), problem: kind })

  // Opening the link shows a button: mail scanners follow links, and only a person presses a button.
  app.get<{ Params: { token: string } }>('/status/subscribe/confirm/:token', allow('public'), async (request: TokenRequest, reply) => {
    if ((await subscriptions.confirmationLinkState(request.params.token)) !== 'ok') return linkProblem(request, reply, 'confirm')
    return reply.page('status/views/subscribe-link.njk', {
      pageTitle: request.t('statusPage.subscribe.link.confirmTitle'),
      action: `/status/subscribe/confirm/${request.params.token}`,
      kind: 'confirm',
    })
  })

  app.post<{ Params: { token: string } }>('/status/subscribe/confirm/:token', allow('public', LIMITED), async (request: TokenRequest, reply) => {
    if ((await subscriptions.confirmLink(request.params.token)) !== 'ok') return linkProblem(request, reply, 'confirm')
    return reply.redirect('/status/subscribe/done', 303)
  })

  app.get('/status/subscribe/done', allow('public'), async (request, reply) =>
    reply.page('status/views/subscribe-done.njk', { pageTitle: request.t('statusPage.subscribe.done.title') }),
  )

  app.get<{ Params: { token: string } }>('/status/unsubscribe/:token', allow('public'), async (request: TokenRequest, reply) => {
    if ((await subscriptions.unsubscribeLinkState(request.params.token)) !== 'ok') return linkProblem(request, reply, 'unsubscribe')
    return reply.page('status/views/subscribe-link.njk', {
      pageTitle: request.t('statusPage.subscribe.link.unsubscribeTitle'),
      action: `/status/unsubscribe/${request.params.token}`,
      kind: 'unsubscribe',
    })
  })

  /**
   * A person's button (with its CSRF token), or a mail client's RFC 8058 one-click POST, which carries
   * `List-Unsubscribe=One-Click` and no token: the link's own secret is what it proves. RFC 8058 prefers
   * multipart/form-data for that POST, so the route takes it as well as an ordinary form.
   */
  uploadForms(app, { maxBytes: 1, files: 0 }, (scope) => {
    const options = {
      // No tighter limit than the global one: a mail provider sends many people's one-click requests.
      ...allow('public', { csrf: false }),
      preHandler: (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) =>
        oneClick(request) ? done() : app.csrfProtection(request, reply, done),
    }
    scope.post<{ Params: { token: string } }>('/status/unsubscribe/:token', options, async (request: TokenRequest, reply) => {
      const { token } = request.params
      if (oneClick(request)) {
        if (!TOKEN.test(token)) return machineRefusal(request, reply, 400, 'malformed unsubscribe link')
        if ((await subscriptions.unsubscribe(token)) !== 'ok') return machineRefusal(request, reply, 404, 'unknown or already used unsubscribe link')
        return reply.type('text/plain; charset=utf-8').send('unsubscribed')
      }
      if ((await subscriptions.unsubscribe(token)) !== 'ok') return linkProblem(request, reply, 'unsubscribe')
      return reply.redirect('/status/unsubscribed', 303)
    })
  })

  app.get('/status/unsubscribed', allow('public'), async (request, reply) =>
    reply.page('status/views/subscribe-done.njk', { pageTitle: request.t('statusPage.subscribe.unsubscribed.title'), unsubscribed: true }),
  )
}

function oneClick(request: FastifyRequest): boolean {
  return field(request, 'List-Unsubscribe') === 'One-Click'
}

function machineRefusal(request: FastifyRequest, reply: FastifyReply, status: 400 | 404, reason: string) {
  request.log.info({ reason }, 'one-click unsubscribe refused')
  return reply.code(status).send({ error: { status, reason, requestId: request.id } })
}
