import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { StatusBoard } from './board.js'
import { StatusService, type Actor } from './service.js'
import { PAYMENTS_INCIDENT } from './test-incident.js'


interface Answer {
  statusCode: number
  headers: http.IncomingHttpHeaders
  rawPayload: Buffer
  body: string
}

/** Only the fast lane sends an ETag: it tells which way an answer came. */
const fast = (response: Answer) => response.headers.etag !== undefined

/** Headers that are per request, or that only the fast lane adds (its ETag, Vary and encoding). */
const PER_REQUEST = new Set(['x-request-id', 'date', 'etag', 'vary', 'content-encoding', 'content-length', 'connection'])
const sameHeaders = (response: Answer) => Object.fromEntries(Object.entries(response.headers).filter(([name]) => !PER_REQUEST.has(name)))

describe(`the status fast lane on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let actor: Actor
  let base: string
  /** The lane sits on the HTTP server, in front of Fastify (app.inject goes past it): asked over HTTP. */
  const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<Answer>((resolve, reject) => {
      http
        .request(`${base}${url}`, { method, headers }, (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () => {
            const rawPayload = Buffer.concat(chunks)
            resolve({ statusCode: response.statusCode!, headers: response.headers, rawPayload, body: rawPayload.toString() })
          })
        })
        .on('error', reject)
        .end()
    })
  before(async () => {
    t = await testApp()
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
    await upsertAgencies(t.database.db, DEMO_AGENCIES)
    await t.app.modules.status.board.reload()
    const account = await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })
    actor = { accountId: account.id, role: 'platform_admin' }
  })
  after(() => t.close())

  /**
   * The same request by the normal way and by the fast lane, on one snapshot (the board reads every few
   * seconds; a read between the two starts the pair again). A session cookie that names no session
   * sends a page the normal way, which then renders it as for any visitor.
   */
  async function bothWays(url: string, headers: Record<string, string>) {
    const { board } = t.app.modules.status
    for (;;) {
      const snapshot = board.peek()
      const cookie = [headers.cookie, 'session=no-such-session'].filter(Boolean).join('; ')
      const normal = await get(url, { ...headers, cookie })
      const served = await get(url, headers)
      if (board.peek() === snapshot) return { normal, served }
    }
  }

  it('sends an anonymous visitor the bytes and headers the normal way rendered, in their language', async () => {
    const cases: { url: string; headers: Record<string, string>; lang?: string }[] = [
      { url: '/status', headers: {}, lang: 'en' },
      { url: '/status', headers: { 'accept-language': 'sw-KE,sw;q=0.9,en;q=0.5' }, lang: 'sw' },
      { url: '/status', headers: { cookie: 'lang=sw' }, lang: 'sw' },
      { url: '/status?lang=en', headers: { cookie: 'lang=en', 'accept-language': 'sw' }, lang: 'en' },
      { url: '/status.json', headers: {}, lang: undefined },
      { url: '/status/feed.atom', headers: { 'accept-language': 'sw' }, lang: 'sw' },
    ]
    for (const { url, headers, lang } of cases) {
      const label = `${url} ${JSON.stringify(headers)}`
      const { normal, served } = await bothWays(url, headers)
      assert.ok(fast(served), label)
      if (url === '/status') assert.ok(!fast(normal), label)
      assert.equal(served.statusCode, 200, label)
      assert.equal(served.body, normal.body, label)
      assert.deepEqual(sameHeaders(served), sameHeaders(normal), label)
      assert.equal(served.headers['content-language'], lang, label)
      assert.match(String(served.headers['content-security-policy']), /default-src 'self'/, label)
      assert.match(String(served.headers['x-request-id']), /^[0-9a-f-]{36}$/, label)
      assert.notEqual(served.headers['x-request-id'], normal.headers['x-request-id'], label)
    }
    assert.match((await get('/status', { cookie: 'lang=sw' })).body, /<html lang="sw"/)
  })

  it('compresses when the client accepts it and answers 304 to a matching If-None-Match', async () => {
    await get('/status')
    const plain = await get('/status')
    assert.ok(fast(plain))
    const br = await get('/status', { 'accept-encoding': 'gzip, deflate, br' })
    assert.equal(br.headers['content-encoding'], 'br')
    assert.equal(br.headers.vary, 'Accept-Encoding')
    assert.ok(br.rawPayload.length < plain.rawPayload.length / 5)
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), plain.body)
    const gz = await get('/status', { 'accept-encoding': 'gzip, br;q=0' })
    assert.equal(gz.headers['content-encoding'], 'gzip')
    assert.equal(gunzipSync(gz.rawPayload).toString(), plain.body)
    assert.equal((await get('/status', { 'accept-encoding': 'identity' })).body, plain.body)

    const unchanged = await get('/status', { 'if-none-match': String(plain.headers.etag) })
    assert.equal(unchanged.statusCode, 304)
    assert.equal(unchanged.body, '')
    assert.equal(unchanged.headers['content-security-policy'], plain.headers['content-security-policy'])
    assert.equal((await get('/status', { 'if-none-match': 'W/"other"' })).statusCode, 200)
  })

  it('leaves to the normal way a signed-in visitor, a new language choice, other parameters and HEAD', async () => {
    await get('/status')
    const cookie = await signedInCookie(t.database.db, actor.accountId)
    const signedIn = await get('/status', { cookie })
    assert.ok(!fast(signedIn))
    assert.match(signedIn.body, /Sign out/, 'their own header')
    assert.doesNotMatch((await get('/status')).body, /Sign out/, 'never kept for others')

    const choice = await get('/status?lang=sw')
    assert.ok(!fast(choice))
    assert.match(String(choice.headers['set-cookie']), /^lang=sw;/, 'the choice is remembered')
    assert.ok(fast(await get('/status?lang=sw', { cookie: 'lang=sw' })))
    assert.ok(!fast(await get('/status?utm_source=sms')))
    assert.ok(!fast(await get('/status', {}, 'HEAD')))
    await get('/status.json')
    assert.ok(fast(await get('/status.json', { cookie })), 'the JSON is the same for everyone')
  })

  it('follows the board: a change here shows at once, one from another process within the refresh time', async () => {
    await t.app.modules.status.service.openIncident(PAYMENTS_INCIDENT, actor, {})
    const page = await get('/status')
    assert.match(page.body, /Prompts are not reaching phones\./)
    const again = await get('/status')
    assert.ok(fast(again))
    assert.match(again.body, /Prompts are not reaching phones\./)

    // Another web process (its own board) resolves it: this one sees it at its next read.
    const elsewhere = new StatusService(t.database.db, new StatusBoard(t.database.db, t.app.log))
    const [open] = await t.app.modules.status.activeIncidents()
    await elsewhere.postUpdate(open!.id, { status: 'resolved', messageEn: 'Fixed.', messageSw: 'Imerekebishwa.' }, actor, {})
    const changed = Date.now()
    const { refreshMs } = t.app.modules.status.board
    let body = ''
    while (Date.now() - changed < refreshMs + 2000) {
      body = (await get('/status')).body
      if (/All services are working normally/.test(body)) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.match(body, /All services are working normally/)
    assert.ok(Date.now() - changed <= refreshMs + 2000)
    assert.ok(fast(await get('/status')))
  })

  it('counts its answers on /metrics (by route, as any request) instead of an access log line each', async () => {
    const metric = async () => {
      const text = (await t.app.inject('/metrics')).body
      return Number(/http_requests_total\{method="GET",route="\/status",status="200"\} (\d+)/.exec(text)?.[1] ?? 0)
    }
    await get('/status')
    const before = await metric()
    const lines = t.logs.length
    // Either way is counted; only the normal way (after the board's next read) writes a line.
    const answers = []
    for (let i = 0; i < 5; i++) answers.push(await get('/status'))
    assert.ok(answers.some(fast))
    assert.equal(await metric(), before + 5)
    const logged = t.logs.slice(lines).filter((line) => line.msg === 'request' && line.path === '/status')
    assert.equal(logged.length, answers.filter((answer) => !fast(answer)).length)
    const normal = await get('/status?utm_source=sms')
    assert.ok(!fast(normal))
    assert.ok(t.logs.slice(lines).some((line) => line.msg === 'request' && line.path === '/status' && line.status === 200), 'the normal way is logged')
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
