import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { testApp, serverErrors, type TestApp } from '../test/helpers/app.js'
import { TEST_ENGINE } from '../test/helpers/database.js'
import { seedDemoData } from './seed.js'
import pino from 'pino'

describe(`the web shell on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp({
      routes: (app) => {
        app.get('/test/boom', { config: { access: 'public' } }, async () => {
          throw new Error('secret internal detail at /srv/app/db.ts:42')
        })
        app.post('/test/echo', { config: { csrf: false, access: 'public' } }, async (request) => ({ got: request.body }))
      },
    })
    await seedDemoData(t.database, pino({ level: 'silent' }))
  })
  after(() => t.close())

  it('serves a home page that says what the portal does, with agencies and the main links', async () => {
    const response = await t.app.inject('/')
    assert.equal(response.statusCode, 200)
    assert.match(response.headers['content-type'] as string, /text\/html/)
    assert.match(response.body, /<html lang="en"/)
    assert.match(response.body, /government services in one place/)
    assert.match(response.body, /Department of Immigration Services/)
    for (const href of ['/services', '/sign-in', '/status']) assert.match(response.body, new RegExp(`href="${href}"`))
    assert.match(response.body, /class="govuk-skip-link"/)
  })

  it('switches to Kiswahili with ?lang=sw and remembers the choice', async () => {
    const switched = await t.app.inject('/?lang=sw')
    assert.match(switched.body, /<html lang="sw"/)
    assert.match(switched.body, /huduma za serikali mahali pamoja/)
    assert.match(switched.body, /Idara ya Huduma za Uhamiaji/)
    const cookie = switched.cookies.find((c) => c.name === 'lang')
    assert.equal(cookie?.value, 'sw')
    assert.equal(cookie?.httpOnly, true)
    const next = await t.app.inject({ url: '/', cookies: { lang: 'sw' } })
    assert.match(next.body, /<html lang="sw"/)
  })

  it("follows the browser's language when none was chosen", async () => {
    const response = await t.app.inject({ url: '/', headers: { 'accept-language': 'sw-KE,sw;q=0.9' } })
    assert.match(response.body, /<html lang="sw"/)
    assert.equal(response.headers['content-language'], 'sw')
  })

  it('sends a request id on every answer and keeps a sane one given by the caller', async () => {
    const fresh = await t.app.inject('/healthz')
    assert.match(fresh.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/)
    const given = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'lb-abc12345' } })
    assert.equal(given.headers['x-request-id'], 'lb-abc12345')
    const hostile = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': '<script>' } })
    assert.notEqual(hostile.headers['x-request-id'], '<script>')
    assert.ok(t.logs.some((line) => line.reqId === 'lb-abc12345'), 'the id is on the log lines')
  })

  it('sets a content security policy that allows no inline script, and no HSTS over http', async () => {
    const response = await t.app.inject('/')
    const csp = response.headers['content-security-policy'] as string
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.equal(response.headers['strict-transport-security'], undefined)
    assert.doesNotMatch(response.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script element')
    assert.doesNotMatch(response.body, /\sstyle="/, 'no inline style attribute')
  })

  it('serves fingerprinted assets compressed and cached for a year', async () => {
    const home = await t.app.inject('/')
    const css = /href="(\/assets\/app\.[0-9a-f]{12}\.css)"/.exec(home.body)?.[1]
    assert.ok(css, 'the stylesheet link is fingerprinted')
    const response = await t.app.inject({ url: css, headers: { 'accept-encoding': 'br, gzip' } })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['content-encoding'], 'br')
    assert.match(response.headers['cache-control'] as string, /max-age=31536000.*immutable|immutable.*max-age=31536000/)
    assert.ok(Number(response.headers['content-length']) < 30_000, 'compressed stylesheet stays small')
    assert.equal((await t.app.inject('/assets/app.000000000000.css')).statusCode, 404)
  })

  it('keeps pages light enough for a slow mobile network', async () => {
    const response = await t.app.inject({ url: '/', headers: { 'accept-encoding': 'identity' } })
    assert.ok(response.body.length < 30_000, `home page is ${response.body.length} bytes`)
  })

  describe('bad input and failures', () => {
    it('answers an unknown path with the friendly 404 page in the person’s language', async () => {
      const en = await t.app.inject('/no/such/page')
      assert.equal(en.statusCode, 404)
      assert.match(en.body, /Page not found/)
      const sw = await t.app.inject('/no/such/page?lang=sw')
      assert.equal(sw.statusCode, 404)
      assert.match(sw.body, /Ukurasa haukupatikana/)
    })

    it('answers a known path with the wrong method with 405 and Allow', async () => {
      const response = await t.app.inject({ method: 'DELETE', url: '/feedback' })
      assert.equal(response.statusCode, 405)
      assert.equal(response.headers.allow, 'GET, HEAD, POST')
      assert.match(response.body, /not available here/)
    })

    it('answers an oversized body with the 413 page', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/feedback',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `whatWrong=${'x'.repeat(t.config.bodyLimitBytes + 10)}`,
      })
      assert.equal(response.statusCode, 413)
      assert.match(response.body, /too large/)
    })

    it('answers malformed JSON with 400 and a reason', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        payload: '{"broken": ',
      })
      assert.equal(response.statusCode, 400)
      const body = response.json() as { error: { status: number; reason: string; requestId: string } }
      assert.equal(body.error.status, 400)
      assert.match(body.error.reason, /JSON/i)
      assert.equal(body.error.requestId, response.headers['x-request-id'])
    })

    it('answers an unsupported content type with 415', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/x-unknown' },
        payload: 'x',
      })
      assert.equal(response.statusCode, 415)
    })

    it('answers a form without a valid CSRF token with the 403 page', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/feedback',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'whatWrong=hello&_csrf=forged',
      })
      assert.equal(response.statusCode, 403)
      assert.match(response.body, /you cannot do that/)
    })

    it('shows the 500 page with a reference and no internals, and logs the error', async () => {
      const response = await t.app.inject('/test/boom')
      assert.equal(response.statusCode, 500)
      assert.match(response.body, /Sorry, there is a problem with the service/)
      assert.match(response.body, new RegExp(response.headers['x-request-id'] as string))
      assert.doesNotMatch(response.body, /secret internal detail|db\.ts|at \w+ \(/)
      const json = await t.app.inject({ url: '/test/boom', headers: { accept: 'application/json' } })
      assert.deepEqual(Object.keys(json.json().error), ['status', 'reason', 'requestId'])
      assert.equal(json.json().error.reason, 'internal error')
      assert.ok(serverErrors(t.logs).some((line) => line.reqId === response.headers['x-request-id']))
    })

    it('logs none of the refusals above as a server error', () => {
      const errors = serverErrors(t.logs).filter((line) => !String((line.err as { message?: string })?.message).includes('secret'))
      assert.deepEqual(errors, [])
    })
  })

  describe('operations', () => {
    it('reports liveness and readiness', async () => {
      assert.deepEqual((await t.app.inject('/healthz')).json(), { status: 'ok' })
      const ready = await t.app.inject('/readyz')
      assert.equal(ready.statusCode, 200)
      assert.equal(ready.json().database, 'ok')
    })

    it('publishes request counts and durations by route pattern, event-loop lag and queue depth', async () => {
      await t.app.inject('/no/such/page/12345')
      const metrics = (await t.app.inject('/metrics')).body
      assert.match(metrics, /http_requests_total\{method="GET",route="\/",status="200"\} \d+/)
      assert.match(metrics, /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/"/)
      assert.match(metrics, /route="unmatched",status="404"/)
      assert.doesNotMatch(metrics, /12345/, 'raw URLs never become labels')
      assert.match(metrics, /nodejs_eventloop_lag_seconds \d/)
      assert.match(metrics, /job_queue_depth \d+/)
    })
  })
})
