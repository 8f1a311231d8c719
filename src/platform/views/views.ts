import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyView from '@fastify/view'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import nunjucks from 'nunjucks'
import type { Config } from '../../config.js'
import { fromAcceptLanguage, isLanguage, type Language, type Translate, type Translator } from '../i18n/i18n.js'
import type { AssetManifest } from './assets.js'
import type { PageCache } from './page-cache.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const LANGUAGE_COOKIE = 'lang'

/** A page's data, or (for cached pages) a function that loads it only when the page must be rendered. */
export type PageData = Record<string, unknown> | (() => Promise<Record<string, unknown>>)

/**
 * Something the layout shows on every page, worked out from memory per request (the status banner):
 * its template data, and a key that changes when it does, so a cached page is never served with an old one.
 */
export interface LayoutPart {
  data: Record<string, unknown>
  cacheKey: string
}
export type LayoutSource = (request: FastifyRequest) => LayoutPart | undefined

declare module 'fastify' {
  interface FastifyRequest {
    /** The person's language: ?lang=, then their saved choice, then their browser's, then English. */
    language(): Language
    t: Translate
  }
  interface FastifyInstance {
    /** Adds what every page's layout shows (see LayoutPart). Must not query the database. */
    addLayoutSource(source: LayoutSource): void
  }
  interface FastifyReply {
    /**
     * Renders a page in the person's language inside the portal's layout. With `cache`, a page that
     * is the same for every visitor is rendered once per key and kept in `cache` for a while.
     */
    page(template: string, data?: PageData, cache?: { store: PageCache; key: string }): Promise<FastifyReply>
  }
}

export function languageOf(request: FastifyRequest): Language {
  const query = (request.query as Record<string, unknown> | undefined)?.lang
  if (isLanguage(query)) return query
  const saved = request.cookies?.[LANGUAGE_COOKIE]
  if (isLanguage(saved)) return saved
  return fromAcceptLanguage(request.headers['accept-language']) ?? 'en'
}

export async function registerViews(
  app: FastifyInstance,
  options: { config: Config; manifest: AssetManifest; translator: Translator },
): Promise<void> {
  const { config, manifest, translator } = options
  const asset = (name: string) => {
    const file = manifest[name]
    if (!file) throw new Error(`no asset named ${name}`)
    return `/assets/${file}`
  }

  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: [
      path.join(ROOT, 'src/platform/views/templates'),
      path.join(ROOT, 'src/modules'),
      path.join(ROOT, 'node_modules/govuk-frontend/dist'),
    ],
    options: {
      autoescape: true,
      throwOnUndefined: false,
      onConfigure: (env: nunjucks.Environment) => {
        env.addFilter('dateTime', (value: Date | string, lang: Language) => formatDateTime(value, lang))
      },
    },
    // The paybill number is the portal's one till for every agency: invoices, notices and banners name it.
    defaultContext: { portalName: config.portalName, country: config.country, paybillNumber: config.mpesaShortcode, asset },
  })

  const layoutSources: LayoutSource[] = []
  app.decorate('addLayoutSource', (source: LayoutSource) => {
    layoutSources.push(source)
  })

  app.decorateRequest('language', function (this: FastifyRequest) {
    return languageOf(this)
  })
  app.decorateRequest('t', {
    getter(this: FastifyRequest) {
      return translator.for(this.language())
    },
  })

  // Choosing a language with ?lang= is remembered for the pages that follow.
  app.addHook('onRequest', (request, reply, done) => {
    const query = (request.query as Record<string, unknown>).lang
    if (isLanguage(query) && request.cookies[LANGUAGE_COOKIE] !== query) {
      reply.setCookie(LANGUAGE_COOKIE, query, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 })
    }
    done()
  })

  app.decorateReply('page', async function (
    this: FastifyReply,
    template: string,
    data: PageData = {},
    cache?: { store: PageCache; key: string },
  ) {
    const request = this.request
    const lang = request.language()
    this.header('Content-Language', lang)
    this.header('Cache-Control', 'no-store')
    this.type('text/html; charset=utf-8')
    // A signed-in person's pages show their name and a sign-out button: never from the shared cache.
    const parts = layoutSources.map((source) => source(request)).filter((part) => part !== undefined)
    const key = cache && !request.session && `${lang}:${parts.map((part) => part.cacheKey).join(':')}:${cache.key}`
    const hit = key && cache.store.get(key)
    if (hit) return this.send(hit)
    // One token per page: without a CSRF cookie yet, each generateCsrf() would start a new secret, and
    // only the last one's cookie would survive, leaving every earlier form on the page with a dead token.
    let csrfToken: string | undefined
    const html = await this.viewAsync(template, {
      lang,
      t: translator.for(lang),
      languageHref: (target: Language) => languageHref(request.url, target),
      csrfToken: () => (csrfToken ??= this.generateCsrf()),
      signedIn: request.session?.stage === 'signed-in',
      firstName: request.session?.firstName,
      ...Object.assign({}, ...parts.map((part) => part.data)),
      ...(typeof data === 'function' ? await data() : data),
    })
    if (key) cache.store.set(key, html)
    return this.send(html)
  })
}

const DATE_TIME = {
  en: new Intl.DateTimeFormat('en-KE', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Africa/Nairobi' }),
  sw: new Intl.DateTimeFormat('sw-KE', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Africa/Nairobi' }),
}

/** Times as people in Kenya read them: East Africa Time, in their language. */
export function formatDateTime(value: Date | string, lang: Language): string {
  return DATE_TIME[lang].format(typeof value === 'string' ? new Date(value) : value)
}

function languageHref(url: string, target: Language): string {
  const parsed = new URL(url, 'http://x')
  parsed.searchParams.set('lang', target)
  return `${parsed.pathname}${parsed.search}`
}
