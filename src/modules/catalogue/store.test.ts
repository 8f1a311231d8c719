import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { SAMPLE_DEFINITION, servicesFolder } from '../../../test/helpers/service-definitions.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import type { Language } from '../services/definition.js'
import { loadServicesOrExplain } from './load.js'
import { agenciesWithServices, prefixQuery, searchCatalogue, syncCatalogue } from './store.js'

describe(`catalogue search on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  const find = async (text: string, language: Language = 'en', filters: { agency?: string; category?: string } = {}) =>
    (await searchCatalogue(database.db, { language, text, limit: 50, ...filters })).hits.map((hit) => hit.slug)

  before(async () => {
    database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    const { catalogue, categories } = await loadServicesOrExplain()
    await syncCatalogue(database.db, catalogue, categories)
  })
  after(() => database.close())

  it('finds the passport in English and in Kiswahili, whichever language the person reads', async () => {
    for (const language of ['en', 'sw'] as const) {
      assert.equal((await find('passport', language))[0], 'ordinary-passport', `"passport" in ${language}`)
      assert.equal((await find('pasipoti', language))[0], 'ordinary-passport', `"pasipoti" in ${language}`)
    }
  })

  it('stems English words and ranks names above summaries', async () => {
    assert.equal((await find('passports'))[0], 'ordinary-passport')
    assert.equal((await find('good conduct'))[0], 'certificate-of-good-conduct')
    assert.equal((await find('maadili mema', 'sw'))[0], 'certificate-of-good-conduct')
    assert.equal((await find('applying for a passport'))[0], 'ordinary-passport')
  })

  it('finds Kiswahili-only and English-only words from either language', async () => {
    const sw = await find('cheti', 'en')
    assert.ok(sw.includes('birth-certificate') && sw.includes('certificate-of-good-conduct'))
    assert.ok((await find('certificate', 'sw')).includes('birth-certificate'))
  })

  it('falls back to the beginning of words for partial ones', async () => {
    assert.deepEqual(await find('passp'), ['ordinary-passport'])
    assert.deepEqual(await find('pasip', 'sw'), ['ordinary-passport'])
    assert.ok((await find('drivi')).includes('provisional-driving-licence'))
  })

  it('takes whatever a person types without an error', async () => {
    for (const text of ['"passport', "o'clock", '-', '&|!:*()', 'the', 'passport -visa or "good conduct"', 'ü'.repeat(300)]) {
      await searchCatalogue(database.db, { language: 'en', text, limit: 5 })
    }
    assert.deepEqual(await find('xyzzyplugh'), [])
  })

  it('filters by agency and category, alone, together and with words', async () => {
    assert.deepEqual((await find('', 'en', { agency: 'DIS' })).sort(), ['electronic-travel-authorisation', 'ordinary-passport'])
    assert.deepEqual((await find('', 'en', { category: 'travel' })).sort(), ['electronic-travel-authorisation', 'ordinary-passport'])
    assert.deepEqual(await find('', 'en', { category: 'family', agency: 'CRS' }), ['birth-certificate'])
    assert.deepEqual(await find('passport', 'en', { agency: 'NTSA' }), [])
    assert.deepEqual(await find('licence', 'en', { agency: 'NTSA', category: 'driving' }).then((slugs) => slugs.sort()), [
      'driving-licence-renewal',
      'provisional-driving-licence',
    ])
  })

  it('lists everything without words, by name in the person’s language, with the total', async () => {
    const all = await searchCatalogue(database.db, { language: 'en', limit: 3 })
    assert.equal(all.hits.length, 3)
    assert.ok(all.total >= 8)
    const names = all.hits.map((hit) => hit.name.en)
    assert.deepEqual(names, [...names].sort())
  })

  it('counts each agency’s services, named from the agencies table', async () => {
    const agencies = await agenciesWithServices(database.db)
    assert.deepEqual(agencies.find((agency) => agency.code === 'DIS'), {
      code: 'DIS',
      name: { en: 'Department of Immigration Services', sw: 'Idara ya Huduma za Uhamiaji' },
      services: 2,
    })
  })

  it('turns typed words into prefixes and nothing else', () => {
    assert.equal(prefixQuery('passp'), 'passp:*')
    assert.equal(prefixQuery('  Good  COND! '), 'good:* & cond:*')
    assert.equal(prefixQuery("a ' & | :*"), undefined)
  })
})

describe(`catalogue sync on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  before(async () => {
    database = await freshDatabase()
  })
  after(() => database.close())

  const second = SAMPLE_DEFINITION.replace('slug: sample-service', 'slug: other-service').replace('Sample service', 'Other service')
  const rows = () => database.db.selectFrom('catalogue_entries').select(['slug', 'version', 'name_en', 'categories']).orderBy('slug').execute()

  it('ranks matches in the person’s own language above those in the other', async () => {
    // "mashua" (boat) is in one service's Kiswahili name and, as a borrowed word, in another's English one.
    const boat = SAMPLE_DEFINITION.replace('slug: sample-service', 'slug: boat-licence').replace('name: { en: Sample service, sw: Huduma ya mfano }', 'name: { en: Boat licence, sw: Leseni ya mashua }')
    const dhow = SAMPLE_DEFINITION.replace('slug: sample-service', 'slug: dhow-register').replace('name: { en: Sample service, sw: Huduma ya mfano }', 'name: { en: Mashua and dhow register, sw: Rejista ya vyombo }')
    const loaded = await loadServicesOrExplain(servicesFolder({ 'DIS/boat-licence.yaml': boat, 'DIS/dhow-register.yaml': dhow }))
    await syncCatalogue(database.db, loaded.catalogue, loaded.categories)
    const search = async (language: Language) => (await searchCatalogue(database.db, { language, text: 'mashua', limit: 5 })).hits.map((hit) => hit.slug)
    assert.deepEqual(await search('sw'), ['boat-licence', 'dhow-register'])
    assert.deepEqual(await search('en'), ['dhow-register', 'boat-licence'])
  })

  it('adds, updates only what changed, and removes deleted definitions', async () => {
    const both = await loadServicesOrExplain(servicesFolder({ 'DIS/sample-service.yaml': SAMPLE_DEFINITION, 'DIS/other-service.yaml': second }))
    // The two services of the test before leave; these two arrive.
    assert.deepEqual(await syncCatalogue(database.db, both.catalogue, both.categories), { changed: 2, removed: 2 })
    assert.deepEqual(
      (await rows()).map((row) => row.slug),
      ['other-service', 'sample-service'],
    )
    // Nothing changed: nothing is rewritten (many web processes run this at start-up).
    assert.deepEqual(await syncCatalogue(database.db, both.catalogue, both.categories), { changed: 0, removed: 0 })

    const renamed = SAMPLE_DEFINITION.replace('version: 2', 'version: 3').replace('Sample service', 'Renamed service')
    const categories = 'categories:\n  - id: tests\n    name: { en: Tests, sw: Majaribio }\n    description: { en: For tests, sw: Kwa majaribio }\n    services: [sample-service]\n'
    const one = await loadServicesOrExplain(servicesFolder({ 'DIS/sample-service.yaml': renamed, '_platform/categories.yaml': categories }))
    assert.deepEqual(await syncCatalogue(database.db, one.catalogue, one.categories), { changed: 1, removed: 1 })
    assert.deepEqual(await rows(), [{ slug: 'sample-service', version: 3, name_en: 'Renamed service', categories: ['tests'] }])
    assert.deepEqual((await searchCatalogue(database.db, { language: 'en', text: 'renamed', limit: 5 })).hits.map((hit) => hit.slug), ['sample-service'])
    assert.deepEqual((await searchCatalogue(database.db, { language: 'en', text: 'other', limit: 5 })).hits, [])
  })
})
