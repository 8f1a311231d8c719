import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { SAMPLE_DEFINITION, servicesFolder } from '../../../test/helpers/service-definitions.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { loadCatalogue, type ServiceCatalogue } from '../services/catalogue.js'
import type { Language } from '../services/definition.js'

/** Text as the templates write it into HTML. */
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** Each govuk details component's summary and the paragraphs it opens to, in order. */
function detailsOf(html: string): { summary: string; body: string[] }[] {
  return [...html.matchAll(/<details class="govuk-details">([\s\S]*?)<\/details>/g)].map((match) => {
    const inner = match[1] ?? ''
    const summary = /<span class="govuk-details__summary-text">\s*([\s\S]*?)\s*<\/span>/.exec(inner)?.[1] ?? ''
    const body = [...inner.matchAll(/<p class="govuk-body">([\s\S]*?)<\/p>/g)].map((paragraph) => paragraph[1] ?? '')
    return { summary, body }
  })
}

const SLUG = 'certificate-of-good-conduct'

describe(`questions people ask, on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let catalogue: ServiceCatalogue
  const get = async (url: string) => {
    const response = await t.app.inject({ method: 'GET', url })
    assert.equal(response.statusCode, 200, `${url}: ${response.statusCode}`)
    return response.body
  }
  /** The definition's questions and answer paragraphs, as the page should show them. */
  const expected = (lang: Language) =>
    (catalogue.latest(SLUG)?.faq ?? []).map((entry) => ({
      summary: escaped(entry.question[lang]),
      body: entry.answer[lang].split(/\n\s*\n/).map((paragraph) => escaped(paragraph.trim())).filter(Boolean),
    }))

  before(async () => {
    const database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    t = await testApp({ database })
    catalogue = t.app.modules.catalogue
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  it('declares the help page public', () => {
    assert.equal(t.app.routeAccess.find((route) => route.method === 'GET' && route.url === '/services/:slug/help')?.access, 'public')
  })

  it('lists every question on the service page, each opening to its answer, then points to support', async () => {
    const html = await get(`/services/${SLUG}`)
    assert.ok(expected('en').length >= 3)
    assert.match(html, /<h2 class="govuk-heading-m" id="questions">Questions people ask<\/h2>/)
    assert.deepEqual(detailsOf(html), expected('en'))
    assert.match(html, /Still need help\? <a class="govuk-link" href="\/support">Contact support<\/a>/)
    assert.match(detailsOf(html)[0]?.body.join(' ') ?? '', /2 to 4 weeks/)
  })

  it('asks and answers them in Kiswahili', async () => {
    const html = await get(`/services/${SLUG}?lang=sw`)
    assert.match(html, />Maswali yanayoulizwa mara kwa mara<\/h2>/)
    assert.deepEqual(detailsOf(html), expected('sw'))
    assert.match(html, /Bado unahitaji msaada\? <a class="govuk-link" href="\/support">Wasiliana na kitengo cha msaada<\/a>/)
    assert.doesNotMatch(html, /Questions people ask/)
  })

  it('shows the help text and the questions alone on the help page, in either language', async () => {
    const en = await get(`/services/${SLUG}/help`)
    assert.match(en, /<title>Help: Apply for a police clearance certificate \(certificate of good conduct\)/)
    assert.match(en, /<h1 class="govuk-heading-xl">Help with this service<\/h1>/)
    assert.match(en, /The certificate is usually ready 2 to 4 weeks after the fingerprints are taken\. It is valid for 12 months\./)
    assert.deepEqual(detailsOf(en), expected('en'))
    assert.match(en, /href="\/support">Contact support</)
    assert.match(en, /<a class="govuk-link" href="\/services\/certificate-of-good-conduct">About this service/)
    assert.doesNotMatch(en, /What it costs|Start now/, 'the fees and the start button stay on the service page')

    const sw = await get(`/services/${SLUG}/help?lang=sw`)
    assert.match(sw, /<h1 class="govuk-heading-xl">Msaada kuhusu huduma hii<\/h1>/)
    assert.match(sw, /Kwa kawaida cheti huwa tayari wiki 2 hadi 4/)
    assert.deepEqual(detailsOf(sw), expected('sw'))
    assert.match(sw, /Maswali yanayoulizwa mara kwa mara/)
  })

  it('has a help page for every service, each with its own questions', async () => {
    for (const definition of catalogue.list()) {
      const html = await get(`/services/${definition.slug}/help`)
      assert.equal(detailsOf(html).length, definition.faq?.length, definition.slug)
      assert.match(html, new RegExp(escaped(definition.faq?.[0]?.question.en ?? '-').replace(/[?()]/g, '\\$&')), definition.slug)
    }
  })

  it('answers 404 for the help of a service that does not exist', async () => {
    const response = await t.app.inject('/services/no-such-service/help')
    assert.equal(response.statusCode, 404)
    assert.match(response.headers['content-type'] as string, /text\/html/)
  })
})

describe('a service without questions', () => {
  let t: TestApp

  before(async () => {
    const catalogue = await loadCatalogue(servicesFolder({ 'DIS/sample-service.yaml': SAMPLE_DEFINITION }))
    const database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    t = await testApp({ database, catalogue })
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  it('shows no empty section, and still points to support', async () => {
    for (const url of ['/services/sample-service', '/services/sample-service/help']) {
      const response = await t.app.inject(url)
      assert.equal(response.statusCode, 200, url)
      assert.doesNotMatch(response.body, /Questions people ask|govuk-details/, url)
      assert.match(response.body, /href="\/support">Contact support</, url)
    }
  })
})
