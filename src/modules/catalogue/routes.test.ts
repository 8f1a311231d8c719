import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Browser, createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { Category } from './categories.js'
import { loadServicesOrExplain } from './load.js'
import { syncCatalogue } from './store.js'

/** The service pages a catalogue page links to, in order. */
const linked = (html: string) => [...html.matchAll(/href="\/services\/([a-z0-9-]+)"/g)].map((match) => match[1])

describe(`the service catalogue pages on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let catalogue: ServiceCatalogue
  let categories: Category[]
  const get = async (url: string, cookie?: string) => {
    const response = await t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })
    assert.equal(response.statusCode, 200, `${url}: ${response.statusCode}`)
    return response.body
  }

  before(async () => {
    const database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    ;({ catalogue, categories } = await loadServicesOrExplain())
    await syncCatalogue(database.db, catalogue, categories)
    t = await testApp({
      database,
    })
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  it('declares both pages public', () => {
    for (const url of ['/services', '/services/:slug']) {
      assert.equal(t.app.routeAccess.find((route) => route.method === 'GET' && route.url === url)?.access, 'public')
    }
  })

  it('offers a search form that works without JavaScript, the categories, the agencies and every service', async () => {
    const html = await get('/services')
    assert.match(html, /<form method="get" action="\/services" role="search"/)
    assert.match(html, /name="q"/)
    assert.match(html, /href="\/services\?category=travel"[^>]*>Travel and immigration</)
    assert.match(html, /href="\/services\?agency=DIS"[^>]*>Department of Immigration Services</)
    assert.equal(linked(html).length, catalogue.list().length)
  })

  it('finds the passport by English, Kiswahili and partial words, in either language', async () => {
    for (const url of ['/services?q=passport', '/services?q=pasipoti', '/services?q=passport&lang=sw', '/services?q=pasipoti&lang=sw', '/services?q=passp']) {
      assert.equal(linked(await get(url))[0], 'ordinary-passport', url)
    }
    assert.equal(linked(await get('/services?q=good+conduct'))[0], 'certificate-of-good-conduct')
    assert.match(await get('/services?q=passp'), /Services matching “passp”/)
  })

  it('says so when nothing matches, and escapes what was typed', async () => {
    const html = await get('/services?q=%3Cscript%3Exyzzy')
    assert.deepEqual(linked(html), [])
    assert.match(html, /No service matches/)
    assert.doesNotMatch(html, /<script>xyzzy/)
    assert.match(html, /&lt;script&gt;xyzzy/)
  })

  it('filters by agency, by category, and by both with words', async () => {
    assert.deepEqual(linked(await get('/services?agency=DIS')).sort(), ['electronic-travel-authorisation', 'ordinary-passport'])
    assert.deepEqual(linked(await get('/services?agency=dis')).sort(), ['electronic-travel-authorisation', 'ordinary-passport'])
    assert.deepEqual(linked(await get('/services?category=travel')).sort(), ['electronic-travel-authorisation', 'ordinary-passport'])
    assert.deepEqual(linked(await get('/services?category=family&agency=CRS')), ['birth-certificate'])
    assert.deepEqual(linked(await get('/services?q=passport&category=family')), ['ordinary-passport'])
    assert.deepEqual(linked(await get('/services?q=passport&agency=DCI')), [])
    // The filters chosen stay chosen in the form, which combines them.
    const html = await get('/services?agency=CRS&category=family')
    assert.match(html, /<option value="CRS" selected>/)
    assert.match(html, /<option value="family" selected>/)
  })

  it('ignores filters that name nothing', async () => {
    assert.equal(linked(await get('/services?agency=XYZ&category=nothing')).length, catalogue.list().length)
  })

  it('shows the passport’s fees per number of pages, the replacement fee and the convenience fee', async () => {
    const html = await get('/services/ordinary-passport')
    assert.match(html, /<h1 class="govuk-heading-xl">Apply for an ordinary passport<\/h1>/)
    const rows = [...html.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((row) =>
      [...(row[1] ?? '').matchAll(/<t[hd][^>]*>\s*([^<]*?)\s*<\/t[hd]>/g)].map((cell) => cell[1]),
    )
    assert.deepEqual(rows, [
      ['Application', 'Government fee', 'Convenience fee', 'Total'],
      ['Ordinary passport: 34 pages (KES 7,500)', 'KES 7,500', 'KES 50', 'KES 7,550'],
      ['Ordinary passport: 50 pages (KES 9,500)', 'KES 9,500', 'KES 50', 'KES 9,550'],
      ['Ordinary passport: 66 pages (KES 12,500)', 'KES 12,500', 'KES 50', 'KES 12,550'],
      ['Replacement of a lost or damaged passport', 'KES 20,000', 'KES 50', 'KES 20,050'],
    ])
    assert.match(html, /It costs KES 7,550 to KES 20,050, including the convenience fee\./)
    assert.match(html, /You pay before the application goes to the agency\./)
  })

  it('says who can apply, what to have ready, how long it takes and whether there is an appointment', async () => {
    const html = await get('/services/ordinary-passport')
    assert.match(html, /Citizen, with a national ID card/)
    assert.doesNotMatch(html, /Visitor, with a passport/)
    assert.match(html, /<li>yourself<\/li>\s*<li>your child under 18<\/li>/)
    assert.match(html, /<strong>National ID card<\/strong>\s*<strong class="govuk-tag govuk-tag--blue">\s*Upload with the application/)
    assert.match(html, /<strong>The passport being renewed<\/strong>\s*<strong class="govuk-tag govuk-tag--grey">\s*Bring to the office or appointment/)
    assert.match(html, /Only if the answer to “Type of application” is “Renewal of a passport that has expired or is about to”/)
    assert.match(html, /Up to 7 working days after you send the application\./)
    assert.match(html, /You will book an appointment for: Photo, fingerprints and signature\./)
    assert.match(await get('/services/business-name-search'), /You do not need an appointment\./)
  })

  it('speaks Kiswahili and shows dollars for a visitor’s authorisation', async () => {
    const sw = await get('/services/ordinary-passport?lang=sw')
    assert.match(sw, /Omba pasipoti ya kawaida/)
    assert.match(sw, /Pasipoti ya kawaida: Kurasa 34 \(KES 7,500\)/)
    assert.match(sw, /Ada ya huduma ya eCitizen/)
    assert.match(sw, /Hadi siku 7 za kazi/)
    assert.match(sw, /Anza sasa/)
    const eta = await get('/services/electronic-travel-authorisation')
    assert.match(eta, /USD 30<\/td>\s*<td[^>]*>USD 1<\/td>\s*<td[^>]*>USD 31<\/td>/)
    assert.match(eta, /Visitor, with a passport/)
  })

  it('sends a signed-out visitor to sign in, and gives a signed-in person the start form', async () => {
    const signedOut = await get('/services/ordinary-passport')
    assert.match(signedOut, /<a href="\/services\/ordinary-passport\/start" role="button"[^>]*class="govuk-button govuk-button--start"/)
    assert.doesNotMatch(signedOut, /name="_csrf"/)
    const start = await t.app.inject('/services/ordinary-passport/start')
    assert.equal(start.headers.location, '/sign-in', 'the start address sends a signed-out visitor to sign in')

    const account = await createAccount(t.database.db)
    const signedIn = await get('/services/ordinary-passport', await signedInCookie(t.database.db, account.id))
    assert.match(signedIn, /<form method="post" action="\/services\/ordinary-passport\/start"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+">/)
    assert.match(signedIn, /govuk-button--start/)
    // The signed-in page was not cached for the next signed-out visitor.
    assert.doesNotMatch(await get('/services/ordinary-passport'), /action="\/services\/ordinary-passport\/start"/)

    // A double press on Start makes one draft: the form carries a key the second press repeats.
    const browser = new Browser(t.app)
    browser.cookies.set('session', (await signedInCookie(t.database.db, account.id)).split('=')[1]!)
    const page = await browser.get('/services/ordinary-passport')
    const startKey = /name="startKey" value="([^"]+)"/.exec(page.body)?.[1]
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1]
    assert.ok(startKey && token)
    const first = await browser.post('/services/ordinary-passport/start', { _csrf: token, startKey })
    const second = await browser.post('/services/ordinary-passport/start', { _csrf: token, startKey })
    assert.equal(first.statusCode, 303)
    assert.equal(second.headers.location, first.headers.location)
    const drafts = await t.database.db.selectFrom('applications').select('id').where('account_id', '=', account.id).execute()
    assert.equal(drafts.length, 1)
  })

  it('answers 404 for a service that does not exist', async () => {
    for (const url of ['/services/no-such-service', '/services/ORDINARY-PASSPORT', '/services/%E2%9C%93']) {
      const response = await t.app.inject(url)
      assert.equal(response.statusCode, 404, url)
      assert.match(response.headers['content-type'] as string, /text\/html/)
    }
  })

  it('serves signed-out visitors from the page cache, per language, and signed-in people afresh', async () => {
    const url = '/services?category=police'
    assert.deepEqual(linked(await get(url)), ['certificate-of-good-conduct'])
    assert.deepEqual(linked(await get(`${url}&lang=sw`)), ['certificate-of-good-conduct'])
    await t.database.db.deleteFrom('catalogue_entries').where('slug', '=', 'certificate-of-good-conduct').execute()
    try {
      assert.deepEqual(linked(await get(url)), ['certificate-of-good-conduct'], 'signed out: the cached page')
      assert.deepEqual(linked(await get(`/services?lang=sw&category=police`)), ['certificate-of-good-conduct'], 'the same query in another order')
      // Unknown parameters are never cached (the page's own links would carry them to others).
      assert.deepEqual(linked(await get(`${url}&utm=x`)), [])
      const account = await createAccount(t.database.db)
      assert.deepEqual(linked(await get(url, await signedInCookie(t.database.db, account.id))), [], 'signed in: rendered afresh')
    } finally {
      await syncCatalogue(t.database.db, catalogue, categories)
    }
  })
})
