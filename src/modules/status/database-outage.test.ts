import assert from 'node:assert/strict'
import net, { type AddressInfo } from 'node:net'
import { after, before, describe, it, mock } from 'node:test'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { openDatabase, type DatabaseHandle } from '../../platform/db/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { StatusBoard } from './board.js'
import { StatusService, type Actor } from './service.js'
import { PAYMENTS_INCIDENT } from './test-incident.js'

/**
 * A TCP proxy between the app and PostgreSQL: `stop()` drops every connection and refuses new ones,
 * as a stopped database server does; `start()` listens again on the same port. The test server is
 * shared, so it is never stopped itself.
 */
class DatabaseProxy {
  #server: net.Server | undefined
  readonly #sockets = new Set<net.Socket>()
  port = 0

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target)
      for (const [socket, other] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.#sockets.add(socket)
        socket.on('error', () => {})
        socket.on('close', () => {
          this.#sockets.delete(socket)
          other.destroy()
        })
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve))
    this.port = (server.address() as AddressInfo).port
    this.#server = server
  }

  /** Stops listening once the app's own connections have ended (a closed pool ends them a moment later). */
  async close(): Promise<void> {
    for (let i = 0; i < 50 && this.#sockets.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    await this.stop()
  }

  async stop(): Promise<void> {
    const server = this.#server!
    const closed = new Promise((resolve) => server.close(resolve))
    for (const socket of this.#sockets) socket.destroy()
    await closed
  }
}

/** The database the app is given, and how this test takes it away (and, on PostgreSQL, gives it back). */
interface Outage {
  /** The app's connection: through the proxy on PostgreSQL. */
  database: DatabaseHandle
  /** The same database, not through the proxy: another process that can still reach it. */
  direct: DatabaseHandle
  stop(t: TestApp): Promise<void>
  restore?(): Promise<void>
  close(t: TestApp): Promise<void>
}

async function outageFor(): Promise<Outage> {
  const direct = await freshDatabase()
  if (!process.env.TEST_DATABASE_URL) {
    // PGlite runs inside this process: there is no connection to cut, so the database is closed (and
    // cannot come back). The jobs go first, as nothing else may use it.
    return {
      database: direct,
      direct,
      stop: async (t) => {
        await t.jobs.stop(1000)
        await direct.close()
      },
      close: (t) => t.app.close(),
    }
  }
  const server = new URL(process.env.TEST_DATABASE_URL)
  const proxy = new DatabaseProxy({ host: server.hostname, port: Number(server.port || 5432) })
  await proxy.start()
  const { rows } = await (await import('kysely')).sql<{ name: string }>`select current_database() as name`.execute(direct.db)
  const url = new URL(server)
  url.host = `127.0.0.1:${proxy.port}`
  url.pathname = `/${rows[0]!.name}`
  const database = await openDatabase({ url: url.toString(), poolSize: 5 })
  return {
    database,
    direct,
    // The background jobs stop first, as on PGlite: this test is about the web answers.
    stop: async (t) => {
      await t.jobs.stop(1000)
      await proxy.stop()
    },
    restore: () => proxy.start(),
    close: async (t) => {
      await t.close()
      await proxy.close()
      await direct.close()
    },
  }
}

const STALE = /We cannot check for news at the moment/

describe(`the status answers while the database is stopped, on ${TEST_ENGINE}`, () => {
  let outage: Outage
  let t: TestApp
  let actor: Actor
  let cookie: string
  let asOf: string
  /** Over HTTP, as visitors ask: the status fast lane sits on the server, in front of app.inject. */
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}${url}`, { headers })
    return { statusCode: response.status, fast: response.headers.has('etag'), body: await response.text() }
  }
  before(async () => {
    outage = await outageFor()
    t = await testApp({ database: outage.database })
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    await upsertAgencies(t.database.db, DEMO_AGENCIES)
    const account = await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })
    actor = { accountId: account.id, role: 'platform_admin' }
    cookie = await signedInCookie(t.database.db, account.id)
    await t.app.modules.status.service.openIncident(PAYMENTS_INCIDENT, actor, {})
  })
  after(async () => {
    mock.timers.reset()
    await outage.close(t)
  })

  it('keeps answering with the last known state, says so once it is stale, and is not ready', async () => {
    for (const url of ['/status', '/status', '/status.json', '/status/feed.atom']) assert.equal((await get(url)).statusCode, 200, url)
    asOf = JSON.parse((await get('/status.json')).body).asOf
    assert.equal((await t.app.inject('/readyz')).statusCode, 200)

    await outage.stop(t)
    const ready = await t.app.inject('/readyz')
    assert.equal(ready.statusCode, 503)
    assert.deepEqual(ready.json(), { status: 'unavailable', database: 'unreachable' })
    const json = await get('/status.json')
    assert.equal(json.statusCode, 200)
    assert.equal(JSON.parse(json.body).asOf, asOf)
    assert.equal(JSON.parse(json.body).components.find((c: { id: string }) => c.id === 'payments-prompt').state, 'major-outage')
    const feed = await get('/status/feed.atom')
    assert.equal(feed.statusCode, 200)
    assert.match(feed.body, /M-Pesa prompts delayed/)
    // A signed-in person's session cannot be looked up: they get the page as any visitor does.
    const signedIn = await get('/status', { cookie })
    assert.equal(signedIn.statusCode, 200)
    assert.match(signedIn.body, /Prompts are not reaching phones\./)

    // Ten minutes on, the board's reads have failed all along: the page says it could not check.
    mock.timers.enable({ apis: ['Date'], now: Date.now() + 10 * 60_000 })
    await t.app.modules.status.board.refresh()
    assert.ok(t.logs.some((line) => line.msg === 'status read failed; serving the last known state'))
    const first = await get('/status')
    const again = await get('/status')
    for (const page of [first, again]) {
      assert.equal(page.statusCode, 200)
      assert.match(page.body, STALE)
      assert.match(page.body, /Prompts are not reaching phones\./)
    }
    assert.ok(again.fast, 'the stale page is kept for the fast lane too')
    assert.equal(again.body, first.body)
    const sw = await get('/status', { 'accept-language': 'sw' })
    assert.match(sw.body, /Hatuwezi kuangalia habari mpya kwa sasa/)
    assert.equal(JSON.parse((await get('/status.json')).body).asOf, asOf)
    assert.equal((await get('/status/feed.atom')).statusCode, 200)
    assert.equal((await get('/status', { cookie })).statusCode, 200)
    assert.equal((await t.app.inject('/readyz')).statusCode, 503)
  })

  it(
    'catches up once the database is back, with a change another process made meanwhile (PostgreSQL: the proxy opens again)',
    { skip: TEST_ENGINE === 'pglite' && 'PGlite runs in this process: there is no connection to cut and give back' },
    async () => {
      // Another web process, still connected, resolves the incident while this one cannot read.
      const elsewhere = new StatusService(outage.direct.db, new StatusBoard(outage.direct.db, t.app.log))
      const [open] = await t.app.modules.status.activeIncidents()
      await elsewhere.postUpdate(open!.id, { status: 'resolved', messageEn: 'Fixed.', messageSw: 'Imerekebishwa.' }, actor, {})

      await outage.restore!()
      mock.timers.tick(t.app.modules.status.board.refreshMs)
      let json = JSON.parse((await get('/status.json')).body)
      for (let i = 0; i < 50 && json.asOf === asOf; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        json = JSON.parse((await get('/status.json')).body)
      }
      assert.notEqual(json.asOf, asOf)
      assert.equal(json.components.find((c: { id: string }) => c.id === 'payments-prompt').state, 'operational')
      for (const headers of [{}, {}, { cookie }] as Record<string, string>[]) {
        const page = await get('/status', headers)
        assert.equal(page.statusCode, 200)
        assert.match(page.body, /All services are working normally/)
        assert.doesNotMatch(page.body, STALE)
      }
      assert.equal((await t.app.inject('/readyz')).statusCode, 200)
    },
  )
})
