import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import type { Language, Translate } from '../../platform/i18n/i18n.js'
import { sessionCookieName } from '../../platform/sessions/sessions.js'
import { PageCache } from '../../platform/views/page-cache.js'
import { memo, type StatusBoard, type StatusSnapshot } from './board.js'
import { FAST_PATHS, KeptAnswers, keyFor, statusFastLane } from './fast-lane.js'
import { atomFeed } from './feed.js'
import { statusJson, statusPageModel } from './page-model.js'

/** Shared caches may keep the public answers as long as the board itself does. */
const PUBLIC_CACHE = 'public, max-age=5'

/**
 * The public status page, its JSON and its Atom feed. All three come from the board's memory and are
 * worked out once per snapshot, so a rush of visitors during an incident costs no database reads.
 * What these routes send an anonymous visitor is also kept for the fast lane (fast-lane.ts), which
 * serves the same bytes to the next ones without the rest of the per-request work.
 */
export function statusRoutes(app: FastifyInstance, deps: { board: StatusBoard; names: Record<Language, Translate>; publicUrl: string; portalName: string }): void {
  const { board } = deps
  const cache = new PageCache(60_000)
  /** Older than this, the page says it could not check for news. */
  const staleAfterMs = Math.max(3 * board.refreshMs, 30_000)
  const isStale = (snapshot: StatusSnapshot) => Date.now() - snapshot.asOf.getTime() > staleAfterMs
  /** The snapshot and key each answer is to be kept under, for the onSend hook below. */
  const keep = new WeakMap<FastifyRequest, { snapshot: StatusSnapshot; key: string }>()
  const answers = new KeptAnswers()
  const kept = {
    onSend: (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) => {
      const target = keep.get(request)
      if (target) answers.keep(target.snapshot, target.key, reply, payload)
      done(null, payload)
    },
  }
  app.addFastLane(Object.keys(FAST_PATHS), statusFastLane({ board, isStale, sessionCookie: sessionCookieName(deps.publicUrl.startsWith('https:')) }))

  app.get('/status', { ...allow('public'), ...kept }, async (request, reply) => {
    const snapshot = await board.current()
    const lang = request.language()
    const stale = isStale(snapshot)
    const query = Object.keys(request.query as object)
    const cacheable = query.length === 0 || (query.length === 1 && query[0] === 'lang')
    // A signed-in visitor's page carries their own header: never kept for others.
    if (cacheable && !request.session) keep.set(request, { snapshot, key: keyFor('page', lang, stale) })
    const load = async () => ({
      pageTitle: request.t('statusPage.title'),
      asOf: snapshot.asOf,
      stale,
      ...memo(snapshot, `page:${lang}`, () => statusPageModel(snapshot, lang, request.t)),
    })
    return reply.page('status/views/status.njk', load, cacheable ? { store: cache, key: `${snapshot.id}:${stale}:${request.url}` } : undefined)
  })

  app.get('/status.json', { ...allow('public'), ...kept }, async (request, reply) => {
    const snapshot = await board.current()
    const body = memo(snapshot, 'json', () => JSON.stringify(statusJson(snapshot, deps.names)))
    keep.set(request, { snapshot, key: keyFor('json') })
    return reply.header('Cache-Control', PUBLIC_CACHE).type('application/json; charset=utf-8').send(body)
  })

  app.get('/status/feed.atom', { ...allow('public'), ...kept }, async (request, reply) => {
    const snapshot = await board.current()
    const lang = request.language()
    const body = memo(snapshot, `feed:${lang}`, () => atomFeed(snapshot, { lang, t: request.t, publicUrl: deps.publicUrl, portalName: deps.portalName }))
    keep.set(request, { snapshot, key: keyFor('feed', lang) })
    return reply.header('Cache-Control', PUBLIC_CACHE).header('Content-Language', lang).type('application/atom+xml; charset=utf-8').send(body)
  })
}
