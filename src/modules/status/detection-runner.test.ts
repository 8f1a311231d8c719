import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { until } from '../../../test/helpers/wait.js'
import { allow } from '../../platform/access/access.js'
import { SEND_NOTIFICATION_JOB } from '../notifications/service.js'
import { PaymentsHealth } from '../payments/daraja/health.js'
import { runDetectionRound, startDetection, type DetectionDeps } from './detection-runner.js'
import { claimRound, openDraft, saveDetection } from './detection-store.js'
import { measure } from './probes.js'
import { recordTraffic } from './probes-traffic.js'

/** Small samples and the default three rounds each way, so a test breaks things with a few rows. */
const ENV = { STATUS_MINIMUM_SAMPLE: '5', STATUS_BREACH_ROUNDS: '3', STATUS_RECOVERY_ROUNDS: '3' }

describe(`automatic detection on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let deps: DetectionDeps
  let admin: string
  let traffic: { flush(): Promise<void> }
  const health = new PaymentsHealth()
  let round = 0
  /** Probe rounds as the worker runs them, then what a web process's board reads. */
  async function rounds(count: number) {
    for (let i = 0; i < count; i++) assert.ok(await runDetectionRound(deps, ++round), 'the round was claimed')
    await t.app.modules.status.board.reload()
  }
  const statusJson = async () => JSON.parse((await t.app.inject('/status.json')).body) as { components: { id: string; state: string }[]; incidents: { title: { en: string } }[] }
  const stateOf = async (component: string) => (await statusJson()).components.find((c) => c.id === component)?.state
  const drafts = () => t.database.db.selectFrom('status_incidents').selectAll().where('draft', '=', true).where('resolved_at', 'is', null).execute()

  before(async () => {
    const database = await freshDatabase()
    t = await testApp({
      env: ENV,
      database,
      routes: (app) => {
        // A sign-in page that fails, standing in for the real one breaking.
        app.get('/sign-in/broken', allow('public'), async () => {
          throw new Error('sign-in is broken')
        })
        app.get('/sign-in/paused', allow('public', { stopsInMaintenance: true as const }), async () => 'signed in')
        // As the app wires it: a service's pages count for the agency that runs it.
        traffic = recordTraffic(app, { db: database.db, health, agencyOfService: (slug) => app.modules.catalogue.latest(slug)?.agency })
      },
    })
    deps = { db: t.database.db, settings: t.config, log: t.app.log }
    admin = await signedInCookie(t.database.db, (await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })).id)
  })
  after(() => t.close())

  async function failingMessages(count: number, status: 'failed' | 'sent') {
    await t.database.db
      .insertInto('notifications')
      .values(
        Array.from({ length: count }, (_, i) => ({
          idempotency_key: `detection-test:${status}:${round}:${i}`,
          channel: 'sms' as const,
          recipient: '+254700000001',
          language: 'en' as const,
          template: 'test',
          body: 'Your code',
          status,
          attempts: status === 'failed' ? 6 : 1,
          sent_at: status === 'sent' ? new Date() : null,
        })),
      )
      .execute()
  }

  it('marks a component degraded after a sustained breach, with a draft only administrators see, and clears it on recovery', async () => {
    await failingMessages(8, 'failed')
    await failingMessages(2, 'sent')
    await rounds(2)
    assert.equal(await stateOf('sms'), 'operational', 'two rounds are not yet sustained')
    await rounds(1)
    assert.equal(await stateOf('sms'), 'degraded')
    assert.equal(await stateOf('email'), 'operational')

    const [draft] = await drafts()
    assert.ok(draft, 'a draft is opened')
    assert.equal(draft.detected_for, 'sms')
    const list = await t.app.inject({ url: '/admin/status', headers: { cookie: admin } })
    assert.match(list.body, /Text messages \(SMS\): not working normally/)
    assert.match(list.body, /80% of 10 recent messages could not be sent \(limit 25%\)\. Measured in 3 checks in a row\./)
    assert.match(list.body, new RegExp(`/admin/status/incidents/${draft.id}/publish`))
    const sw = await t.app.inject({ url: '/admin/status?lang=sw', headers: { cookie: admin } })
    assert.match(sw.body, /80% ya jumbe 10 za hivi karibuni hazikuweza kutumwa/)

    // Hidden from the public page, its JSON, the feed and the banner.
    assert.deepEqual((await statusJson()).incidents, [])
    const page = await t.app.inject('/status')
    assert.match(page.body, /Some services are not working normally/, 'the page shows sms degraded')
    for (const url of ['/status', '/status/feed.atom', '/']) assert.doesNotMatch((await t.app.inject(url)).body, /: not working normally/, url)

    // The banner tells everyone what the probes found, before any admin writes it up.
    const home = (await t.app.inject('/')).body
    assert.match(home, /Some services are slower or failing more often than usual\./)
    assert.match(home, /Text messages \(SMS\)/)

    // Another round while still failing opens nothing more.
    await rounds(1)
    assert.equal((await drafts()).length, 1)

    await t.database.db.updateTable('notifications').set({ status: 'sent', sent_at: new Date() }).where('channel', '=', 'sms').execute()
    await rounds(2)
    assert.equal(await stateOf('sms'), 'degraded', 'two good rounds are not yet a recovery')
    await rounds(1)
    assert.equal(await stateOf('sms'), 'operational')
    assert.deepEqual(await drafts(), [], 'the unpublished draft is closed')
    assert.doesNotMatch((await t.app.inject('/')).body, /Some services are slower/, 'the banner goes with it')
    const closed = await t.database.db.selectFrom('status_incidents').select(['status', 'draft']).where('id', '=', draft.id).executeTakeFirstOrThrow()
    assert.deepEqual(closed, { status: 'resolved', draft: true }, 'closed, and never public')
    assert.match((await t.app.inject({ url: `/admin/status/incidents/${draft.id}`, headers: { cookie: admin } })).body, /passed 3 times in a row/)
  })

  it("counts every process's server errors and gateway failures per component", async () => {
    for (let i = 0; i < 6; i++) assert.equal((await t.app.inject('/sign-in/broken')).statusCode, 500)
    for (let i = 0; i < 4; i++) assert.equal((await t.app.inject('/sign-in')).statusCode, 200)
    // Maintenance mode's refusals are announced, not failures: they are not counted.
    await t.database.db.insertInto('status_maintenance_mode').values({ message_en: 'Upgrading', message_sw: 'Tunaboresha', switched_on_by: null }).execute()
    await t.app.modules.status.board.reload()
    assert.equal((await t.app.inject('/sign-in/paused')).statusCode, 503)
    await t.database.db.deleteFrom('status_maintenance_mode').execute()
    await t.app.modules.status.board.reload()
    assert.equal((await t.app.inject('/services/certificate-of-good-conduct')).statusCode, 200)
    for (let i = 0; i < 5; i++) health.failure(i % 2 ? 'timeout' : 'error', 'gateway down')
    health.success()
    await traffic.flush()
    const rows = await t.database.db.selectFrom('status_traffic').select(['source', 'component', 'requests', 'failures']).orderBy('source').orderBy('component').execute()
    // The pages the earlier test read count for the portal, without a failure.
    assert.deepEqual(rows.find((r) => r.component === 'portal')?.failures, 0)
    assert.deepEqual(rows.filter((r) => r.component !== 'portal'), [
      { source: 'gateway', component: 'payments-prompt', requests: 6, failures: 5 },
      { source: 'http', component: 'agency-dci', requests: 1, failures: 0 },
      { source: 'http', component: 'sign-in', requests: 10, failures: 6 },
    ])
    await rounds(3)
    assert.equal(await stateOf('sign-in'), 'degraded')
    assert.equal(await stateOf('payments-prompt'), 'degraded')
    assert.equal(await stateOf('portal'), 'operational', 'the pages read above all succeeded')
    const measured = (await t.database.db.selectFrom('status_detections').select(['component', 'reason_en']).where('state', '=', 'degraded').orderBy('component').execute()).map((r) => r.reason_en)
    assert.match(measured[0]!, /83\.3% of 6 calls to the M-Pesa gateway failed or timed out/)
    assert.match(measured[1]!, /60% of 10 requests failed with a server error \(limit 10%\)/)
    assert.equal(serverErrors(t.logs).length, 6, 'only the broken page logged errors')

    // The window passes with no more failures: both recover.
    await t.database.db.deleteFrom('status_traffic').execute()
    await rounds(3)
    assert.equal(await stateOf('sign-in'), 'operational')
    assert.equal(await stateOf('payments-prompt'), 'operational')
  })

  it('lets only one of several workers probe a round, and opens one draft however they race', async () => {
    const next = ++round
    const claimed = await Promise.all([runDetectionRound(deps, next), runDetectionRound(deps, next)])
    assert.equal(claimed.filter(Boolean).length, 1)
    assert.equal(await claimRound(t.database.db, next - 1), false, 'an older round is never claimed again')

    // Two rounds that both see email two breaches in: both write (the later one last) and race to open.
    await saveDetection(t.database.db, 'email', { state: 'operational', streak: 2 }, ++round)
    await t.database.db
      .insertInto('notifications')
      .values(Array.from({ length: 5 }, (_, i) => ({ idempotency_key: `race:${i}`, channel: 'email' as const, recipient: 'a@example.org', language: 'en' as const, template: 't', subject: 's', body: 'b', status: 'failed' as const, attempts: 6 })))
      .execute()
    round += 2
    await Promise.all([runDetectionRound(deps, round - 1), runDetectionRound(deps, round)])
    const emailDrafts = (await drafts()).filter((d) => d.detected_for === 'email')
    assert.equal(emailDrafts.length, 1)
    assert.equal(await saveDetection(t.database.db, 'email', { state: 'operational', streak: 0 }, round - 2), false, 'a late round writes nothing over a newer one')
    const email = await t.database.db.selectFrom('status_detections').select('state').where('component', '=', 'email').executeTakeFirstOrThrow()
    assert.equal(email.state, 'degraded')
    const again = await openDraft(t.database.db, { component: 'email', title: { en: 'x', sw: 'x' }, message: { en: 'x', sw: 'x' } })
    assert.equal(again, undefined, 'the unique index refuses a second open one')
    // Two transactions opening at the same moment (on PostgreSQL, truly at once): one draft.
    const draft = { component: 'payments-paybill', title: { en: 'x', sw: 'x' }, message: { en: 'x', sw: 'x' } }
    const opened = await Promise.all([1, 2].map(() => t.database.db.transaction().execute((trx) => openDraft(trx, draft))))
    assert.equal(opened.filter(Boolean).length, 1)
  })
})

describe(`database and queue probes on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp({ env: { ...ENV, STATUS_DATABASE_LATENCY_MS: '0', STATUS_QUEUE_LAG_SECONDS: '60' } })
  })
  after(() => t.close())

  it('degrades the portal when the database answers slower than the threshold', async () => {
    const deps = { db: t.database.db, settings: t.config, log: t.app.log }
    for (let round = 1; round <= 3; round++) await runDetectionRound(deps, round)
    await t.app.modules.status.board.reload()
    const json = JSON.parse((await t.app.inject('/status.json')).body) as { components: { id: string; state: string }[] }
    assert.equal(json.components.find((c) => c.id === 'portal')?.state, 'degraded')
    const [draft] = await t.database.db.selectFrom('status_incidents').select(['title_en', 'title_sw', 'detected_for']).where('draft', '=', true).execute()
    assert.deepEqual(draft, { title_en: 'The website: not working normally', title_sw: 'Tovuti: huduma haifanyi kazi kama kawaida', detected_for: 'portal' })
  })

  it('runs a round each interval in the worker until stopped', async () => {
    const claimed = async () => Number((await t.database.db.selectFrom('status_detection_rounds').select('round').executeTakeFirstOrThrow()).round)
    const loop = startDetection({ db: t.database.db, settings: { ...t.config, statusProbeIntervalSeconds: 1 }, log: t.app.log })
    await until(async () => (await claimed()) > 3, 5000)
    await loop.stop()
    const last = await claimed()
    assert.ok(Math.abs(last - Math.floor(Date.now() / 1000)) <= 2, 'rounds are numbered by the clock, alike in every worker')
    await new Promise((resolve) => setTimeout(resolve, 1200))
    assert.equal(await claimed(), last, 'no round after stop')
  })

  it('measures how long the oldest due job has waited', async () => {
    await t.jobs.enqueue(t.database.db, SEND_NOTIFICATION_JOB, { key: 'lag-test' })
    const lag = async () => (await measure(t.database.db, t.config)).find((m) => m.signal === 'queue-lag')!.value
    assert.ok((await lag()) < 60)
    await sql`update pgboss.job set start_after = now() - interval '5 minutes' where data->>'key' = 'lag-test'`.execute(t.database.db)
    assert.ok((await lag()) >= 299)
  })
})
