import http, { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Counter } from 'prom-client'

/** A request as a lane sees it: parsed only when its path has a lane. */
export interface LaneRequest {
  method: string
  url: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  cookies: Record<string, string | undefined>
}

/**
 * What a lane answers with, sent as it is: the headers as a flat name, value list, Content-Length
 * included (X-Request-Id is added here).
 */
export interface FastAnswer {
  status: number
  headers: string[]
  body?: Buffer
}

/** The answer to a GET from memory, or undefined and the request goes the normal way. Must not wait. */
export type FastLane = (request: LaneRequest) => FastAnswer | undefined

declare module 'fastify' {
  interface FastifyInstance {
    /** Puts a lane (see FastLane) in front of the portal for GET requests to exactly these paths. */
    addFastLane(paths: string[], lane: FastLane): void
  }
}

/**
 * A few public answers are the same bytes for every anonymous visitor and are asked for in floods (the
 * status page during an incident). Their lanes sit in front of Fastify, on the HTTP server itself: an
 * answered request skips Fastify's request objects and hooks (cookies, rate limiting, load shedding,
 * CSRF, sessions, rendering, the access log line), which cost several times what sending the bytes
 * does (measured in the bench). Such answers are counted on /metrics like any other, by route, but get
 * no access log line each. `app.inject` goes straight to Fastify: tests of a lane listen on a port.
 */
export class FastLanes {
  readonly #lanes = new Map<string, FastLane>()
  #app: FastifyInstance | undefined
  #requests: Counter | undefined

  constructor(private readonly requestId: (request: IncomingMessage) => string) {}

  /** Fastify's `serverFactory`: this listener first, Fastify's own for everything no lane answers. */
  readonly serverFactory = (handler: (request: IncomingMessage, response: ServerResponse) => void): Server =>
    http.createServer((request, response) => {
      if (!this.#answer(request, response)) handler(request, response)
    })

  register(app: FastifyInstance): void {
    this.#app = app
    app.decorate('addFastLane', (paths: string[], lane: FastLane) => {
      for (const path of paths) this.#lanes.set(path, lane)
    })
  }

  #answer(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'GET' || this.#lanes.size === 0) return false
    const url = request.url ?? '/'
    const mark = url.indexOf('?')
    const path = mark < 0 ? url : url.slice(0, mark)
    const lane = this.#lanes.get(path)
    if (!lane) return false
    const header = request.headers.cookie
    const answer = lane({
      method: 'GET',
      url,
      query: mark < 0 ? {} : Object.fromEntries(new URLSearchParams(url.slice(mark + 1))),
      headers: request.headers,
      // The cookie plugin's own parser, so both ways read the same cookies.
      cookies: header ? this.#app!.parseCookie(header) : {},
    })
    if (!answer) return false
    response.writeHead(answer.status, answer.headers.concat('x-request-id', this.requestId(request)))
    response.end(answer.body)
    // Counted as any request is, by route pattern; not timed (the duration histogram cost as much again).
    this.#requests ??= this.#app!.metricsRegistry.getSingleMetric('http_requests_total') as Counter
    this.#requests.inc({ method: 'GET', route: path, status: String(answer.status) })
    return true
  }
}
