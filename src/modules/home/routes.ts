import type { FastifyInstance } from 'fastify'
import { PageCache } from '../../platform/views/page-cache.js'
import type { Agency } from '../agencies/store.js'
import { allow } from '../../platform/access/access.js'

export function homeRoutes(app: FastifyInstance, deps: { agencies: () => Promise<Agency[]> }): void {
  // The home page is the same for everyone in a language: render it once a minute, not per visit.
  const cache = new PageCache(60_000)

  app.get('/', allow('public'), async (request, reply) => {
    const query = Object.keys(request.query as object)
    const cacheable = query.length === 0 || (query.length === 1 && query[0] === 'lang')
    const load = async () => {
      const lang = request.language()
      const agencies = (await deps.agencies()).map((agency) => ({
        code: agency.code,
        name: lang === 'sw' ? agency.name_sw : agency.name_en,
        summary: lang === 'sw' ? agency.summary_sw : agency.summary_en,
      }))
      return { pageTitle: request.t('home.title'), agencies }
    }
    return reply.page('home/views/home.njk', load, cacheable ? { store: cache, key: request.url } : undefined)
  })
}
