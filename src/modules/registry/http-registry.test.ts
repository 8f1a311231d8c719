import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import {
  DEMO_COMPANY,
  DEMO_BUSINESS_NAME,
  DEMO_ODHIAMBO_MINOR,
  DEMO_RESIDENT,
  DEMO_WANJIKU,
  DEMO_WANJIKU_CHILDREN,
  generateDemoRegistry,
} from './demo-population.js'
import { RegistryError, RegistryProtocolError, RegistryTimeout, RegistryUnavailable } from './errors.js'
import { startFakeRegistry, type FakeRegistry } from './fake-registry-server.js'
import { HttpBusinessRegistry, HttpPopulationRegistry } from './http-registry.js'

const demo = generateDemoRegistry()
// ID numbers that make the fake registry misbehave.
const DOWN = '11111111'
const SILENT = '22222222'
const STALLS_MID_BODY = '33333333'
const NOT_JSON = '44444444'
const WRONG_SHAPE = '55555555'

describe('registries over HTTP', () => {
  let fake: FakeRegistry
  let population: HttpPopulationRegistry
  let business: HttpBusinessRegistry

  before(async () => {
    demo.businesses.push({ ...DEMO_BUSINESS_NAME, registrationNumber: 'CPR/2015/123', name: 'An older number', directorIdNumbers: ['654321'] })
    fake = await startFakeRegistry(demo, (path, response) => {
      if (path.endsWith(`/people/${DOWN}`)) response.writeHead(503).end('busy')
      else if (path.endsWith(`/people/${SILENT}`)) return true // never answers
      else if (path.endsWith(`/people/${STALLS_MID_BODY}`)) response.writeHead(200, { 'content-type': 'application/json' }).write('{"idNumber":')
      else if (path.endsWith(`/people/${NOT_JSON}`)) response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Gateway login</h1>')
      else if (path.endsWith(`/people/${WRONG_SHAPE}`)) response.writeHead(200).end(JSON.stringify({ idNumber: WRONG_SHAPE, name: 'X' }))
      else return false
      return true
    })
    // Long enough that a loaded test machine never mistakes a slow answer for a silent registry.
    const options = { baseUrl: fake.baseUrl.replace(/\/$/, ''), token: fake.token, timeoutMs: 1000 }
    population = new HttpPopulationRegistry(options)
    business = new HttpBusinessRegistry(options)
  })
  after(() => fake.close())

  it('reads a person with a bearer token, asking for JSON', async () => {
    assert.deepEqual(await population.findPerson('12345678'), DEMO_WANJIKU)
    assert.deepEqual(fake.requests.at(-1), {
      path: '/api/v1/people/12345678',
      authorization: `Bearer ${fake.token}`,
      accept: 'application/json',
    })
    assert.deepEqual(await population.findPerson(' 654 321'), DEMO_RESIDENT)
    assert.deepEqual(await population.findByBirthCertificate('123456789'), DEMO_WANJIKU_CHILDREN[0])
  })

  it('answers null for a 404, without asking for an empty number', async () => {
    assert.equal(await population.findPerson('99999999'), null)
    assert.equal(await population.findByBirthCertificate('111111111'), null)
    const asked = fake.requests.length
    assert.equal(await population.findPerson('  '), null)
    assert.equal(fake.requests.length, asked)
  })

  it('matches identities with the same rule as the embedded register', async () => {
    const claim = { idNumber: '12345678', firstName: ' wanjiku', yearOfBirth: 1990 }
    assert.deepEqual(await population.matchIdentity(claim), DEMO_WANJIKU)
    assert.equal(await population.matchIdentity({ ...claim, firstName: 'Wambui' }), null)
    assert.equal(await population.matchIdentity({ ...claim, yearOfBirth: 1999 }), null)
    assert.deepEqual(await population.matchIdentity({ idNumber: '654321', firstName: 'HELENE', yearOfBirth: 1985 }), DEMO_RESIDENT)
  })

  it('keeps only the children under 18 from what the register lists', async () => {
    assert.deepEqual(await population.childrenOf('12345678', '2026-11-26'), [DEMO_WANJIKU_CHILDREN[1], DEMO_WANJIKU_CHILDREN[0]])
    // The register lists Mercy (grown up) too; she is left out.
    assert.deepEqual(await population.childrenOf('23456789', '2026-11-26'), [DEMO_ODHIAMBO_MINOR])
    assert.deepEqual(await population.childrenOf('23456789', '2030-11-30'), [])
    assert.deepEqual(await population.childrenOf('99999999', '2026-11-26'), [], 'unknown parent: 404')
  })

  it('reads businesses and directorships, keeping a number with slashes in one path segment', async () => {
    assert.deepEqual(await business.findBusiness('pvt-demo001'), DEMO_COMPANY)
    assert.deepEqual(await business.businessesDirectedBy('12345678'), [DEMO_COMPANY, DEMO_BUSINESS_NAME])
    assert.deepEqual(await business.businessesDirectedBy('99999999'), [])
    assert.equal((await business.findBusiness('CPR/2015/123'))?.name, 'An older number')
    assert.equal(fake.requests.at(-1)?.path, '/api/v1/businesses/CPR%2F2015%2F123')
    assert.equal(await business.findBusiness('BN-NOTHERE'), null)
  })

  it('reports a registry in trouble (5xx) as unavailable, naming neither path nor number', async () => {
    const error = await population.findPerson(DOWN).catch((e: unknown) => e)
    assert.ok(error instanceof RegistryUnavailable && !(error instanceof RegistryTimeout))
    assert.equal(error.upstreamStatus, 503)
    assert.equal(error.status, 503, 'the person sees the "try again later" page')
    assert.equal(error.message, 'population registry answered 503')
  })

  it('gives up after the timeout, whether the registry is silent or stalls half-way through the body', async () => {
    for (const id of [SILENT, STALLS_MID_BODY]) {
      const started = performance.now()
      const error = await population.findPerson(id).catch((e: unknown) => e)
      const elapsed = performance.now() - started
      assert.ok(error instanceof RegistryTimeout, `${id}: ${String(error)}`)
      assert.ok(error instanceof RegistryUnavailable, 'a timeout is a kind of unavailable')
      assert.ok(elapsed >= 950 && elapsed < 4000, `gave up after ${Math.round(elapsed)} ms`)
      assert.doesNotMatch(error.message, new RegExp(id))
    }
  })

  it('reports an answer outside the contract as a protocol error', async () => {
    await assert.rejects(population.findPerson(NOT_JSON), RegistryProtocolError)
    await assert.rejects(population.findPerson(WRONG_SHAPE), (error: Error) => {
      assert.ok(error instanceof RegistryProtocolError)
      assert.match(error.message, /person of the wrong shape/)
      assert.doesNotMatch(error.message, new RegExp(WRONG_SHAPE))
      return true
    })
    const wrongToken = new HttpPopulationRegistry({ baseUrl: fake.baseUrl, token: 'wrong', timeoutMs: 1000 })
    await assert.rejects(wrongToken.findPerson('12345678'), (error: Error) => {
      assert.ok(error instanceof RegistryProtocolError && !(error instanceof RegistryUnavailable))
      assert.equal(error.upstreamStatus, 401)
      return true
    })
  })

  it('reports a registry that cannot be reached as unavailable', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const unreachable = new HttpPopulationRegistry({ baseUrl: `http://127.0.0.1:${port}/`, token: 't', timeoutMs: 1000 })
    await assert.rejects(unreachable.findPerson('12345678'), (error: Error) => {
      assert.ok(error instanceof RegistryUnavailable && !(error instanceof RegistryTimeout))
      assert.ok(error instanceof RegistryError)
      assert.equal(error.message, 'population registry could not be reached')
      return true
    })
  })

  it('refuses settings that cannot work', () => {
    assert.throws(() => new HttpPopulationRegistry({ baseUrl: 'ftp://registry.example/', token: 't' }), RangeError)
    assert.throws(() => new HttpPopulationRegistry({ baseUrl: 'https://registry.example/', token: '' }), RangeError)
    assert.throws(() => new HttpBusinessRegistry({ baseUrl: 'not a url', token: 't' }), TypeError)
  })
})
