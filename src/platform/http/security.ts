import fastifyCookie from '@fastify/cookie'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyFormbody from '@fastify/formbody'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyUnderPressure from '@fastify/under-pressure'
import { Redis } from 'ioredis'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.js'
import { sendErrorPage } from './error-pages.js'
import { securityHeaders } from './security-headers.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for machine endpoints that authenticate otherwise (payment callbacks, USSD, API tokens). */
    csrf?: boolean
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export async function registerSecurity(app: FastifyInstance, config: Config): Promise<void> {
  // Behind a load balancer every web process must see the same counts, or a limit is multiplied by
  // the number of processes. Redis only ever holds counters; if it is away, requests are let through.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1 })
    : undefined
  redis?.on('error', (error) => app.log.warn({ err: error }, 'rate-limit store unavailable'))
  if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())))

  const https = config.publicUrl.startsWith('https:')

  const headers = securityHeaders(https)
  // Callback-style hooks on the hot path: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers)
    reply.header('X-Request-Id', request.id)
    done()
  })

  await app.register(fastifyCookie, { secret: config.cookieSecret })
  await app.register(fastifyFormbody)
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: '_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', signed: true, secure: https },
    getToken: (request: FastifyRequest) =>
      ((request.body as Record<string, unknown> | undefined)?._csrf as string | undefined) ??
      (request.headers['x-csrf-token'] as string | undefined),
  })

  // Every state-changing request carries a valid token unless its route says otherwise.
  app.addHook('preHandler', (request, reply, done) => {
    // Unmatched requests go on to the 404/405 page; there is nothing there to protect.
    if (!UNSAFE_METHODS.has(request.method) || request.is404 || request.routeOptions.config.csrf === false) return done()
    app.csrfProtection(request, reply, done)
  })

  await app.register(fastifyRateLimit, {
    global: true,
    redis,
    nameSpace: 'ecitizen-rate-limit-',
    skipOnError: true,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // The counters travel only on the 429 itself: writing them on every answer cost a tenth of throughput.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    allowList: (request: FastifyRequest) => ['/healthz', '/readyz', '/metrics'].includes(request.url),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `too many requests; try again in ${Math.ceil(context.ttl / 1000)} seconds`,
    }),
  })

  if (config.maxEventLoopDelayMs > 0) {
    await app.register(fastifyUnderPressure, {
      maxEventLoopDelay: config.maxEventLoopDelayMs,
      retryAfter: 10,
      pressureHandler: async (request: FastifyRequest, reply: FastifyReply) => {
        reply.header('Retry-After', '10')
        await sendErrorPage(request, reply, 503, 'server busy')
      },
    })
  }
}
