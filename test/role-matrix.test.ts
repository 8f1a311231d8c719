import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { DEMO_AGENCIES } from '../src/modules/agencies/demo-agencies.js'
import { upsertAgencies } from '../src/modules/agencies/store.js'
import { PERMISSIONS, roleMay, STAFF_ENROLMENT_PATH, type RouteAccess } from '../src/platform/access/access.js'
import type { Role, SecondFactor } from '../src/platform/db/schema.js'
import { createAccount, signedInCookie } from './helpers/accounts.js'
import { testApp, type TestApp } from './helpers/app.js'
import { TEST_ENGINE } from './helpers/database.js'

/**
 * Every role against every route that is not public: who gets in, who gets 403, who is sent to sign
 * in or to set up a second factor. New routes join the matrix by being registered: nothing to list here.
 */
const ROLES: Role[] = ['citizen', 'agency_officer', 'agency_supervisor', 'agency_admin', 'agency_finance', 'support_agent', 'platform_admin']
const AGENCY_ROLES = new Set<Role>(['agency_officer', 'agency_supervisor', 'agency_admin', 'agency_finance'])

describe(`the role matrix on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let routes: RouteAccess[]
  before(async () => {
    // Every route for every role is thousands of requests from one address in well under a minute.
    t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } })
    await upsertAgencies(t.database.db, DEMO_AGENCIES)
    routes = t.app.routeAccess.filter((route) => route.access !== 'public' && route.method !== 'HEAD')
  })
  after(() => t.close())

  /** A path for a route pattern: parameters get a value that names nothing. */
  const pathOf = (url: string) => url.replace(/:[A-Za-z]+/g, 'no-such-record').replace(/\*$/, 'x')

  /** One request with a fresh session, so no request's effect (a sign-out, say) spoils the next. */
  async function request(route: RouteAccess, cookie: string | undefined): Promise<LightMyRequestResponse> {
    const url = pathOf(route.url)
    if (route.method === 'GET') return t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })
    // A real form post: the CSRF token comes from a page, as a browser's would.
    const page = await t.app.inject({ method: 'GET', url: '/feedback', headers: cookie ? { cookie } : {} })
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
    const csrfCookie = page.cookies.find((c) => c.name === '_csrf')
    const cookies = [cookie, csrfCookie && `_csrf=${csrfCookie.value}`].filter(Boolean).join('; ')
    return t.app.inject({
      method: route.method as 'POST',
      url,
      headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: token }).toString(),
    })
  }

  async function cookieFor(role: Role, secondFactor: SecondFactor): Promise<string> {
    const account = await createAccount(t.database.db, { role, agencyCode: AGENCY_ROLES.has(role) ? 'DIS' : undefined, secondFactor })
    return signedInCookie(t.database.db, account.id)
  }

  const sentTo = (response: LightMyRequestResponse) => (response.statusCode === 303 ? response.headers.location : undefined)

  it('covers the protected routes registered so far', () => {
    assert.ok(routes.length >= 8, `only ${routes.length} protected routes`)
    for (const route of routes) assert.ok(route.access === 'signed-in' || route.access in PERMISSIONS)
  })

  it('sends people who are not signed in to sign in, on every protected route', async () => {
    for (const route of routes) {
      const response = await request(route, undefined)
      assert.equal(sentTo(response), '/sign-in', `${route.method} ${route.url}`)
    }
  })

  for (const role of ROLES) {
    it(`lets ${role} use exactly the routes its permissions allow`, async () => {
      const secondFactor = role === 'citizen' ? 'sms' : 'totp'
      for (const route of routes) {
        const response = await request(route, await cookieFor(role, secondFactor))
        const label = `${role} ${route.method} ${route.url} → ${response.statusCode} ${sentTo(response) ?? ''}`
        assert.ok(response.statusCode < 500, label)
        const allowed = route.access === 'signed-in' || (route.access !== 'public' && roleMay(role, route.access))
        if (allowed) {
          assert.notEqual(response.statusCode, 403, label)
          assert.notEqual(sentTo(response), '/sign-in', label)
          assert.notEqual(sentTo(response), STAFF_ENROLMENT_PATH, label)
        } else {
          assert.equal(response.statusCode, 403, label)
        }
      }
    })
  }

  it('makes staff without an authenticator app or passkey set one up before anything else', async () => {
    for (const route of routes) {
      const response = await request(route, await cookieFor('agency_officer', 'sms'))
      const label = `${route.method} ${route.url}`
      if (route.access === 'signed-in') assert.notEqual(sentTo(response), STAFF_ENROLMENT_PATH, label)
      else assert.equal(sentTo(response), STAFF_ENROLMENT_PATH, label)
    }
  })
})
