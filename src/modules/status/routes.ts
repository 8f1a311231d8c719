import type { FastifyInstance } from 'fastify'
import { allow } from '../../platform/access/access.js'
import type { Language, Translate } from '../../platform/i18n/i18n.js'
import { PageCache } from '../../platform/views/page-cache.js'
import { memo, type StatusBoard } from './board.js'
import { atomFeed } from './feed.js'
import { statusJson, statusPageModel } from './page-model.js'

/** Shared caches may keep the public answers as long as the board itself does. */
const PUBLIC_CACHE = 'public, max-age=5'

/**
 * The public status page, its JSON and its Atom feed. All three come from the board's memory and are
 * worked out once per snapshot, so a rush of visitors during an incident costs no database reads.
 */
export function statusRoutes(app: FastifyInstance, deps: { board: StatusBoard; names: Record<Language, Translate>; publicUrl: string; portalName: string }): void {
  const { board } = deps
  const cache = new PageCache(60_000)
  /** Older than this, the page says it could not check for news. */
  const staleAfterMs = Math.max(3 * board.refreshMs, 30_000)

  app.get('/status', allow('public'), async (request, reply) => {
    const snapshot = await board.current()
    const lang = request.language()
    const stale = Date.now() - snapshot.asOf.getTime() > staleAfterMs
    const query = Object.keys(request.query as object)
    const cacheable = query.length === 0 || (query.length === 1 && query[0] === 'lang')
    const load = async () => ({
      pageTitle: request.t('statusPage.title'),
      asOf: snapshot.asOf,
      stale,
      ...memo(snapshot, `page:${lang}`, () => statusPageModel(snapshot, lang, request.t)),
    })
    return reply.page('status/views/status.njk', load, cacheable ? { store: cache, key: `${snapshot.id}:${stale}:${request.url}` } : undefined)
  })

  app.get('/status.json', allow('public'), async (_request, reply) => {
    const snapshot = await board.current()
    const body = memo(snapshot, 'json', () => JSON.stringify(statusJson(snapshot, deps.names)))
    return reply.header('Cache-Control', PUBLIC_CACHE).type('application/json; charset=utf-8').send(body)
  })

  app.get('/status/feed.atom', allow('public'), async (request, reply) => {
    const snapshot = await board.current()
    const lang = request.language()
    const body = memo(snapshot, `feed:${lang}`, () => atomFeed(snapshot, { lang, t: request.t, publicUrl: deps.publicUrl, portalName: deps.portalName }))
    return reply.header('Cache-Control', PUBLIC_CACHE).header('Content-Language', lang).type('application/atom+xml; charset=utf-8').send(body)
  })
}
