import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { cached } from '../../platform/cache.js'
import type { Db } from '../../platform/db/database.js'
import { NotFound } from '../../platform/http/errors.js'
import { PageCache } from '../../platform/views/page-cache.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { ServiceDefinition } from '../services/definition.js'
import type { Category } from './categories.js'
import { servicePage } from './service-page.js'
import { agenciesWithServices, searchCatalogue } from './store.js'

export interface CatalogueDeps {
  db: Db
  catalogue: ServiceCatalogue
  categories: readonly Category[]
}

/** Enough to choose from on a phone; more asks the person to narrow the search. */
const RESULTS_LIMIT = 50
const MAX_QUERY = 200
/** The query parameters the catalogue reads; a URL with any other is rendered afresh, never cached. */
const CATALOGUE_PARAMS = new Set(['q', 'agency', 'category', 'lang'])

export function catalogueRoutes(app: FastifyInstance, deps: CatalogueDeps): void {
  // Catalogue pages are the same for every signed-out visitor in a language, and the catalogue changes
  // only when the portal restarts: render them once a minute. Searches get a cache of their own, so a
  // stream of one-off searches cannot push the service pages out.
  const pages = new PageCache(60_000, 1000)
  const searches = new PageCache(60_000, 300)
  const agencies = cached(60_000, () => agenciesWithServices(deps.db))

  app.get('/services', allow('public'), async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const lang = request.language()
    const agencyList = await agencies()
    const text = typeof query.q === 'string' ? query.q.trim().slice(0, MAX_QUERY) : ''
    // Filters that name nothing are dropped rather than refused: an old bookmark still shows the catalogue.
    const agencyCode = typeof query.agency === 'string' ? query.agency.toUpperCase() : undefined
    const agency = agencyList.find((entry) => entry.code === agencyCode)
    const category = typeof query.category === 'string' ? deps.categories.find((entry) => entry.id === query.category) : undefined
    const filters = { q: text, agency: agency?.code ?? '', category: category?.id ?? '' }
    const cacheable = Object.entries(query).every(([key, value]) => CATALOGUE_PARAMS.has(key) && typeof value === 'string')

    const load = async () => {
      const t = request.t
      const { hits, total } = await searchCatalogue(deps.db, { language: lang, text, agency: agency?.code, category: category?.id, limit: RESULTS_LIMIT })
      const agencyName = new Map(agencyList.map((entry) => [entry.code, entry.name[lang]]))
      const heading = text
        ? t('catalogue.index.searchTitle', { q: text })
        : category && !agency
          ? category.name[lang]
          : agency && !category
            ? (agencyName.get(agency.code) ?? agency.code)
            : t('catalogue.index.title')
      return {
        pageTitle: heading,
        heading,
        q: text,
        filtered: Boolean(text || agency || category),
        clearHref: '/services',
        agencyOptions: [
          { value: '', text: t('catalogue.search.allAgencies') },
          ...agencyList.map((entry) => ({ value: entry.code, text: entry.name[lang], selected: entry.code === agency?.code })),
        ],
        categoryOptions: [
          { value: '', text: t('catalogue.search.allCategories') },
          ...deps.categories.map((entry) => ({ value: entry.id, text: entry.name[lang], selected: entry.id === category?.id })),
        ],
        results: hits.map((hit) => ({
          href: `/services/${hit.slug}`,
          name: hit.name[lang],
          summary: hit.summary[lang],
          agency: agencyName.get(hit.agency) ?? hit.agency,
        })),
        total,
        more: total > hits.length,
        // Browsing starts afresh (the counts are of all services); the form combines words and filters.
        categories: deps.categories.map((entry) => ({
          name: entry.name[lang],
          description: entry.description[lang],
          count: entry.services.length,
          href: `/services?category=${entry.id}`,
          current: entry.id === category?.id,
        })),
        agencies: agencyList.map((entry) => ({
          name: entry.name[lang],
          code: entry.code,
          count: entry.services,
          href: `/services?agency=${entry.code}`,
          current: entry.code === agency?.code,
        })),
      }
    }
    const key = `/services?${new URLSearchParams(filters)}`
    return reply.page('catalogue/views/index.njk', load, cacheable ? { store: text ? searches : pages, key } : undefined)
  })

  /** What a service's page and help page say, in the request's language. */
  const pageOf = async (definition: ServiceDefinition, request: FastifyRequest) => {
    const lang = request.language()
    const agency = (await agencies()).find((entry) => entry.code === definition.agency)
    return servicePage(definition, deps.catalogue.convenienceFees, { lang, t: request.t, agencyName: agency?.name[lang] ?? definition.agency })
  }

  app.get('/services/:slug', allow('public'), async (request, reply) => {
    const { slug } = request.params as { slug: string }
    const definition = deps.catalogue.latest(slug)
    if (!definition) throw new NotFound(`no service ${slug.slice(0, 80)}`)
    const cacheable = Object.keys(request.query as object).every((key) => key === 'lang')
    const load = async () => {
      const lang = request.language()
      const service = await pageOf(definition, request)
      return {
        pageTitle: service.name,
        service,
        convenienceLabel: deps.catalogue.convenienceFees.label[lang],
        feeRows: service.fees.rows.map((row) => [
          { text: row.description },
          { text: row.government, format: 'numeric' },
          { text: row.convenience, format: 'numeric' },
          { text: row.total, format: 'numeric' },
        ]),
        categories: deps.categories
          .filter((category) => category.services.includes(slug))
          .map((category) => ({ name: category.name[lang], href: `/services?category=${category.id}` })),
        agencyHref: `/services?agency=${definition.agency}`,
        // The applications module answers this address. Signed-in people get a POST form; signed-out
        // visitors a link (GET), since a cached page must not carry anyone's CSRF token.
        startAction: `/services/${slug}/start`,
        // One draft however often the button is pressed (signed-in pages are never cached).
        startKey: request.session?.stage === 'signed-in' ? randomUUID() : undefined,
      }
    }
    return reply.page('catalogue/views/service.njk', load, cacheable ? { store: pages, key: `/services/${slug}` } : undefined)
  })

  // The help text and the questions people ask without the rest of the service page: the one page an
  // application's question pages need to link to.
  app.get('/services/:slug/help', allow('public'), async (request, reply) => {
    const { slug } = request.params as { slug: string }
    const definition = deps.catalogue.latest(slug)
    if (!definition) throw new NotFound(`no service ${slug.slice(0, 80)}`)
    const cacheable = Object.keys(request.query as object).every((key) => key === 'lang')
    const load = async () => {
      const service = await pageOf(definition, request)
      return { pageTitle: request.t('catalogue.faq.helpTitle', { service: service.name }), service, serviceHref: `/services/${slug}` }
    }
    return reply.page('catalogue/views/help.njk', load, cacheable ? { store: pages, key: `/services/${slug}/help` } : undefined)
  })
}
