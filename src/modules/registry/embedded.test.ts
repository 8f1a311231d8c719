import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import {
  DEMO_BUSINESS_NAME,
  DEMO_COMPANY,
  DEMO_DIRECTOR,
  DEMO_ODHIAMBO,
  DEMO_ODHIAMBO_ADULT_CHILD,
  DEMO_ODHIAMBO_MINOR,
  DEMO_RESIDENT,
  DEMO_WANJIKU,
  DEMO_WANJIKU_CHILDREN,
  generateDemoRegistry,
} from './demo-population.js'
import { EmbeddedBusinessRegistry, EmbeddedPopulationRegistry } from './embedded.js'
import { startFakeRegistry } from './fake-registry-server.js'
import { HttpBusinessRegistry, HttpPopulationRegistry } from './http-registry.js'
import { seedRegistry } from './seed.js'
import { countRegistry } from './store.js'
import { registryDb } from './tables.js'

const demo = generateDemoRegistry()
const expectedCounts = {
  people: demo.people.length,
  minors: demo.people.filter((p) => p.kind === 'minor').length,
  residents: demo.people.filter((p) => p.kind === 'resident').length,
  businesses: demo.businesses.length,
  directorships: demo.businesses.reduce((sum, b) => sum + b.directorIdNumbers.length, 0),
}

describe(`embedded registries on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let population: EmbeddedPopulationRegistry
  let business: EmbeddedBusinessRegistry

  before(async () => {
    database = await freshDatabase()
    population = new EmbeddedPopulationRegistry(database.db)
    business = new EmbeddedBusinessRegistry(database.db)
  })
  after(() => database.close())

  it('seeds the demo register quickly, and seeding again changes nothing', async () => {
    const started = performance.now()
    await seedRegistry(database.db)
    const seconds = (performance.now() - started) / 1000
    assert.ok(seconds < 10, `seeding took ${seconds.toFixed(1)} s`)
    assert.deepEqual(await countRegistry(database.db), expectedCounts)
    await seedRegistry(database.db)
    assert.deepEqual(await countRegistry(database.db), expectedCounts)
  })

  it("seeds within the caller's transaction, and not at all when it rolls back", async () => {
    const edited = { ...demo, people: demo.people.map((p) => (p.idNumber === DEMO_DIRECTOR.idNumber ? { ...p, county: 'Nandi' } : p)) }
    await database.db
      .transaction()
      .execute(async (trx) => {
        await seedRegistry(trx, edited)
        assert.equal((await new EmbeddedPopulationRegistry(trx).findPerson(DEMO_DIRECTOR.idNumber ?? ''))?.county, 'Nandi')
        throw new Error('roll back')
      })
      .catch((error: Error) => assert.equal(error.message, 'roll back'))
    assert.equal((await population.findPerson(DEMO_DIRECTOR.idNumber ?? ''))?.county, 'Uasin Gishu')
    assert.deepEqual(await countRegistry(database.db), expectedCounts)
  })

  it('finds people by ID number and birth certificate, exactly as generated', async () => {
    assert.deepEqual(await population.findPerson('12345678'), DEMO_WANJIKU)
    assert.deepEqual(await population.findPerson(' 6543 21 '), DEMO_RESIDENT)
    assert.equal(await population.findPerson('99999999'), null)
    assert.equal(await population.findPerson(''), null)
    assert.deepEqual(await population.findByBirthCertificate('123456789'), DEMO_WANJIKU_CHILDREN[0])
    assert.deepEqual(await population.findByBirthCertificate('200405101'), DEMO_ODHIAMBO_ADULT_CHILD)
    assert.equal(await population.findByBirthCertificate('111111111'), null)
    // A sample of the crowd reads back unchanged: dates, nulls and apostrophes survive the round trip.
    for (const person of demo.people.filter((_, i) => i % 97 === 0)) {
      const found = person.idNumber
        ? await population.findPerson(person.idNumber)
        : await population.findByBirthCertificate(person.birthCertificateNumber ?? '')
      assert.deepEqual(found, person)
    }
  })

  it('matches an identity on ID number, first name and year of birth', async () => {
    const claim = { idNumber: '12345678', firstName: 'Wanjiku', yearOfBirth: 1990 }
    assert.deepEqual(await population.matchIdentity(claim), DEMO_WANJIKU)
    assert.deepEqual(await population.matchIdentity({ ...claim, firstName: '  WANJIKU ' }), DEMO_WANJIKU, 'case and spaces')
    assert.equal(await population.matchIdentity({ ...claim, firstName: 'Wanjiru' }), null, 'wrong first name')
    assert.equal(await population.matchIdentity({ ...claim, firstName: 'Kamau' }), null, 'the surname')
    assert.equal(await population.matchIdentity({ ...claim, yearOfBirth: 1989 }), null, 'wrong year')
    assert.equal(await population.matchIdentity({ ...claim, idNumber: '12345670' }), null, 'unknown ID')
    const resident = { idNumber: '654321', firstName: 'helene', yearOfBirth: 1985 }
    assert.deepEqual(await population.matchIdentity(resident), DEMO_RESIDENT, 'without the accents')
  })

  it('lists only the children under 18 linked to the parent, youngest first', async () => {
    const today = '2026-11-26'
    assert.deepEqual(await population.childrenOf('12345678', today), [DEMO_WANJIKU_CHILDREN[1], DEMO_WANJIKU_CHILDREN[0]])
    assert.deepEqual(await population.childrenOf(DEMO_ODHIAMBO.idNumber ?? '', today), [DEMO_ODHIAMBO_MINOR], 'not the grown-up')
    assert.deepEqual(await population.childrenOf(DEMO_DIRECTOR.idNumber ?? '', today), [])
    assert.deepEqual(await population.childrenOf('99999999', today), [])
    // Brian turns 18 on 30 November 2030.
    assert.equal((await population.childrenOf('23456789', '2030-11-29')).length, 1)
    assert.equal((await population.childrenOf('23456789', '2030-11-30')).length, 0)
    assert.equal((await population.childrenOf('12345678')).length, 2, "today's date by default")
    await assert.rejects(population.childrenOf('12345678', '2026-02-30'), RangeError)
  })

  it('counts a leap-day child as a minor until 1 March', async () => {
    await registryDb(database.db)
      .insertInto('registry_people')
      .values({
        kind: 'minor',
        first_name: 'Leap',
        last_name: 'Kamau',
        date_of_birth: '2008-02-29',
        sex: 'M',
        county: 'Nairobi',
        birth_certificate_number: '20080229',
        parent_id_number: DEMO_DIRECTOR.idNumber,
      })
      .execute()
    const names = async (today: string) => (await population.childrenOf('45678901', today)).map((c) => c.firstName)
    assert.deepEqual(await names('2026-02-28'), ['Leap'])
    assert.deepEqual(await names('2026-03-01'), [])
    await registryDb(database.db).deleteFrom('registry_people').where('birth_certificate_number', '=', '20080229').execute()
  })

  it('finds businesses and the businesses a person directs', async () => {
    assert.deepEqual(await business.findBusiness('PVT-DEMO001'), DEMO_COMPANY)
    assert.deepEqual(await business.findBusiness(' bn-demo001 '), DEMO_BUSINESS_NAME, 'as people type it')
    assert.equal(await business.findBusiness('PVT-NOTHERE'), null)
    assert.deepEqual(await business.businessesDirectedBy('12345678'), [DEMO_COMPANY, DEMO_BUSINESS_NAME])
    assert.deepEqual(await business.businessesDirectedBy(DEMO_DIRECTOR.idNumber ?? ''), [DEMO_COMPANY])
    assert.deepEqual(await business.businessesDirectedBy(DEMO_ODHIAMBO.idNumber ?? ''), [])
    for (const generated of demo.businesses.slice(2, 12)) {
      assert.deepEqual(await business.findBusiness(generated.registrationNumber), generated)
      for (const id of generated.directorIdNumbers) {
        assert.ok((await business.businessesDirectedBy(id)).some((b) => b.registrationNumber === generated.registrationNumber))
      }
    }
  })

  it('refuses records the register must never hold', async () => {
    const db = registryDb(database.db)
    const minor = {
      kind: 'minor' as const,
      first_name: 'Test',
      last_name: 'Child',
      date_of_birth: '2020-01-01',
      sex: 'F' as const,
      county: 'Nairobi',
      birth_certificate_number: '555555555',
      parent_id_number: '12345678',
    }
    const refused = async (values: Record<string, unknown>, pattern: RegExp) =>
      assert.rejects(db.insertInto('registry_people').values({ ...minor, ...values }).execute(), pattern)
    await refused({ birth_certificate_number: null }, /check constraint/)
    await refused({ birth_certificate_number: '123456789' }, /unique|duplicate/)
    await refused({ birth_certificate_number: '12-34' }, /check constraint/)
    await refused({ parent_id_number: '99999999' }, /foreign key/)
    await refused({ county: 'Atlantis' }, /check constraint/)
    await refused({ kind: 'citizen', id_number: '56565656', nationality: 'UG' }, /check constraint/)
    await refused({ kind: 'resident', id_number: '565656', parent_id_number: null }, /check constraint/)
    await assert.rejects(
      db.insertInto('registry_business_directors').values({ business_number: 'PVT-DEMO001', director_id_number: '99999999' }).execute(),
      /foreign key/,
    )
    assert.deepEqual(await countRegistry(database.db), expectedCounts)
  })

  it('answers exactly as the same register reached over HTTP', async () => {
    const fake = await startFakeRegistry(demo)
    try {
      const options = { baseUrl: fake.baseUrl, token: fake.token }
      const remote = { population: new HttpPopulationRegistry(options), business: new HttpBusinessRegistry(options) }
      const today = '2026-11-26'
      for (const person of demo.people.filter((p, i) => i < 12 || i % 50 === 0)) {
        const id = person.idNumber ?? ''
        const certificate = person.birthCertificateNumber ?? ''
        const claim = { idNumber: id, firstName: person.firstName.toUpperCase(), yearOfBirth: Number(person.dateOfBirth.slice(0, 4)) }
        assert.deepEqual(await remote.population.findPerson(id), await population.findPerson(id))
        assert.deepEqual(await remote.population.findByBirthCertificate(certificate), await population.findByBirthCertificate(certificate))
        assert.deepEqual(await remote.population.matchIdentity(claim), await population.matchIdentity(claim))
        assert.deepEqual(await remote.population.childrenOf(id, today), await population.childrenOf(id, today))
        assert.deepEqual(await remote.business.businessesDirectedBy(id), await business.businessesDirectedBy(id))
      }
      for (const { registrationNumber } of demo.businesses.slice(0, 10)) {
        assert.deepEqual(await remote.business.findBusiness(registrationNumber), await business.findBusiness(registrationNumber))
      }
    } finally {
      await fake.close()
    }
  })
})
