import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { KENYA_COUNTIES } from './counties.js'
import {
  DEMO_BUSINESS_NAME,
  DEMO_COMPANY,
  DEMO_REFERENCE_DATE,
  DEMO_RESIDENT,
  DEMO_WANJIKU,
  DEMO_WANJIKU_CHILDREN,
  FIXED_PEOPLE,
  generateDemoRegistry,
} from './demo-population.js'
import { adulthoodCutoff } from './registry.js'

const demo = generateDemoRegistry()
const ofKind = (kind: string) => demo.people.filter((p) => p.kind === kind)
const yearsBefore = (date: string, years: number) => `${Number(date.slice(0, 4)) - years}${date.slice(4)}`

describe('demo register', () => {
  it('comes out the same every time, and differently for another seed', () => {
    assert.deepEqual(generateDemoRegistry(), demo)
    assert.notDeepEqual(generateDemoRegistry(7).people.slice(FIXED_PEOPLE.length), demo.people.slice(FIXED_PEOPLE.length))
  })

  it('starts with the fixed people and businesses, exactly as documented', () => {
    assert.deepEqual(demo.people.slice(0, FIXED_PEOPLE.length), FIXED_PEOPLE)
    assert.deepEqual(demo.businesses.slice(0, 2), [DEMO_COMPANY, DEMO_BUSINESS_NAME])
    assert.deepEqual(
      demo.people.filter((p) => p.parentIdNumber === DEMO_WANJIKU.idNumber),
      [...DEMO_WANJIKU_CHILDREN],
      'the crowd never links to a fixed person',
    )
    assert.equal(demo.people.find((p) => p.idNumber === DEMO_RESIDENT.idNumber)?.nationality, 'CD')
  })

  it('holds over 1,000 adults with unique 8-digit ID numbers aged 18 to 85', () => {
    const citizens = ofKind('citizen')
    assert.ok(citizens.length >= 1000, `${citizens.length} citizens`)
    for (const person of citizens) {
      assert.match(person.idNumber ?? '', /^\d{8}$/)
      assert.ok(person.dateOfBirth <= adulthoodCutoff(DEMO_REFERENCE_DATE), `${person.dateOfBirth} is under 18`)
      assert.ok(person.dateOfBirth > yearsBefore(DEMO_REFERENCE_DATE, 86), `${person.dateOfBirth} is over 85`)
      assert.equal(person.nationality, null)
    }
    const ids = demo.people.flatMap((p) => (p.idNumber ? [p.idNumber] : []))
    assert.equal(new Set(ids).size, ids.length)
  })

  it('spreads people over all 47 counties and both sexes, with names from many communities', () => {
    assert.equal(KENYA_COUNTIES.length, 47)
    const counties = new Set(demo.people.map((p) => p.county))
    assert.deepEqual([...counties].sort(), [...KENYA_COUNTIES].sort())
    assert.deepEqual(new Set(demo.people.map((p) => p.sex)), new Set(['F', 'M']))
    const surnames = new Set(demo.people.map((p) => p.lastName))
    for (const surname of ['Kamau', 'Otieno', 'Rotich', 'Wafula', 'Mutua', 'Nyakundi', 'Mutuma', 'Katana', 'Farah', 'Sankale']) {
      assert.ok(surnames.has(surname), `no ${surname}`)
    }
  })

  it('links over 200 minors, each with a unique birth certificate, to a parent who was an adult at the birth', () => {
    const minors = ofKind('minor')
    assert.ok(minors.length >= 200, `${minors.length} minors`)
    const byId = new Map(demo.people.map((p) => [p.idNumber, p]))
    for (const child of minors) {
      assert.equal(child.idNumber, null)
      assert.match(child.birthCertificateNumber ?? '', /^\d{6,12}$/)
      assert.ok(child.dateOfBirth <= DEMO_REFERENCE_DATE)
      assert.ok(child.dateOfBirth > yearsBefore(DEMO_REFERENCE_DATE, 16), 'a minor for two years after the reference date')
      const parent = byId.get(child.parentIdNumber)
      assert.ok(parent && parent.kind !== 'minor', 'linked to an adult in the register')
      assert.ok(parent.dateOfBirth <= yearsBefore(child.dateOfBirth, 18))
    }
    const certificates = demo.people.flatMap((p) => (p.birthCertificateNumber ? [p.birthCertificateNumber] : []))
    assert.equal(new Set(certificates).size, certificates.length)
  })

  it('has foreign residents with alien card numbers and a nationality', () => {
    const residents = ofKind('resident')
    assert.ok(residents.length >= 10)
    for (const resident of residents) {
      assert.match(resident.idNumber ?? '', /^\d{6}$/)
      assert.match(resident.nationality ?? '', /^[A-Z]{2}$/)
      assert.notEqual(resident.nationality, 'KE')
    }
    assert.ok(new Set(residents.map((r) => r.nationality)).size >= 10)
  })

  it('registers over 50 businesses, each directed by one to three adults of age at registration', () => {
    assert.ok(demo.businesses.length >= 50)
    const adults = new Map(demo.people.filter((p) => p.kind !== 'minor').map((p) => [p.idNumber, p]))
    for (const business of demo.businesses) {
      const prefix = business.kind === 'private_company' ? 'PVT' : 'BN'
      assert.match(business.registrationNumber, new RegExp(`^${prefix}-[A-Z0-9]{7}$`))
      assert.ok(business.directorIdNumbers.length >= 1 && business.directorIdNumbers.length <= 3)
      assert.equal(new Set(business.directorIdNumbers).size, business.directorIdNumbers.length)
      for (const id of business.directorIdNumbers) {
        const director = adults.get(id)
        assert.ok(director, `director ${id} is an adult in the register`)
        assert.ok(director.dateOfBirth <= yearsBefore(business.registeredOn, 18))
      }
    }
    assert.ok(demo.businesses.some((b) => b.kind === 'business_name') && demo.businesses.some((b) => b.kind === 'private_company'))
    const numbers = demo.businesses.map((b) => b.registrationNumber)
    assert.equal(new Set(numbers).size, numbers.length)
    assert.equal(new Set(demo.businesses.map((b) => b.name)).size, numbers.length)
  })
})
