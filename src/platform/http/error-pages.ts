import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from './errors.js'

/** Statuses that have their own friendly page; anything else in 4xx shows the 400 page, 5xx the 500. */
const PAGES = new Set([400, 403, 404, 405, 409, 413, 415, 429, 500, 503])

/** Machine clients (the JSON API, callbacks, anything that asks for JSON) get JSON, people get pages. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url.startsWith('/payments/mpesa/')) return true
  const accept = request.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

function statusOf(error: FastifyError): number {
  if (error instanceof AppError) return error.status
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 413
  if (error.code?.startsWith('FST_CSRF')) return 403
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 415
  if (error.validation) return 400
  const status = error.statusCode ?? 500
  return status >= 400 && status < 600 ? status : 500
}

/** A reason a machine client can act on; for 5xx, never more than "internal error". */
function reasonOf(error: FastifyError, status: number): string {
  if (status >= 500) return status === 503 ? 'service unavailable' : 'internal error'
  if (status === 403 && error.code?.startsWith('FST_CSRF')) return 'missing or invalid CSRF token'
  return error.message
}

export async function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  reason: string,
): Promise<FastifyReply> {
  reply.code(status)
  if (wantsJson(request) || typeof reply.page !== 'function') {
    return reply.type('application/json').send({ error: { status, reason, requestId: request.id } })
  }
  const page = PAGES.has(status) ? status : status >= 500 ? 500 : 400
  const t = request.t
  try {
    return await reply.page('errors/error.njk', {
      pageTitle: t(`errors.${page}.title`),
      heading: t(`errors.${page}.title`),
      body: t(`errors.${page}.body`),
      requestId: request.id,
      status,
    })
  } catch (renderError) {
    request.log.error({ err: renderError }, 'error page failed to render')
    return reply.type('text/plain; charset=utf-8').send(`${status}`)
  }
}

export function registerErrorPages(app: FastifyInstance, methodsFor: (url: string) => string[]): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = statusOf(error)
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ status, code: error.code, reason: error.message }, 'request refused')
    if (status === 503) reply.header('Retry-After', '30')
    return sendErrorPage(request, reply, status, reasonOf(error, status))
  })

  app.setNotFoundHandler(async (request, reply) => {
    const allowed = methodsFor(request.url)
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('Allow', allowed.join(', '))
      return sendErrorPage(request, reply, 405, `method ${request.method} not allowed`)
    }
    return sendErrorPage(request, reply, 404, 'not found')
  })
}
