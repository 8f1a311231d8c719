import type { FastifyInstance } from 'fastify'
import type { Agency } from '../agencies/store.js'

export function homeRoutes(app: FastifyInstance, deps: { agencies: () => Promise<Agency[]> }): void {
  app.get('/', async (request, reply) => {
    const lang = request.language()
    const agencies = (await deps.agencies()).map((agency) => ({
      code: agency.code,
      name: lang === 'sw' ? agency.name_sw : agency.name_en,
      summary: lang === 'sw' ? agency.summary_sw : agency.summary_en,
    }))
    return reply.page('home/views/home.njk', { pageTitle: request.t('home.title'), agencies })
  })
}
