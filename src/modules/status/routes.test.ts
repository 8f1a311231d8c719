import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { StatusBoard, StatusUnavailable } from './board.js'
import type { Actor } from './service.js'

/** A time as the maintenance form takes it: Nairobi time, to the minute. */
const nairobi = (date: Date) => new Date(date.getTime() + 3 * 3600_000).toISOString().slice(0, 16)
const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000)

async function setUp(): Promise<{ t: TestApp; actor: Actor }> {
  const t = await testApp()
  await upsertAgencies(t.database.db, DEMO_AGENCIES)
  // The board read the empty database at start-up; read again rather than wait for its next refresh.
  await t.app.modules.status.board.reload()
  const account = await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })
  return { t, actor: { accountId: account.id, role: 'platform_admin' } }
}

const PROMPT_DOWN = {
  components: ['payments-prompt'],
  impact: 'major-outage',
  titleEn: 'M-Pesa prompts & receipts <delayed>',
  titleSw: 'Maombi ya M-Pesa yamechelewa',
  messageEn: 'Prompts are not reaching phones.',
  messageSw: 'Maombi hayafiki kwenye simu.',
}

const BANNER = /govuk-notification-banner/

describe(`the public status page on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let actor: Actor
  before(async () => {
    ;({ t, actor } = await setUp())
  })
  after(() => t.close())

  it('says everything works when nothing is open', async () => {
    const page = await t.app.inject('/status')
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /All services are working normally/)
    assert.match(page.body, /<th scope="row" class="govuk-table__header">M-Pesa payment prompt<\/th>/)
    assert.match(page.body, /Department of Immigration Services/, 'one component per agency')
    assert.equal((page.body.match(/<li class="app-status-day/g) ?? []).length, 90 * 13, '90 days for each of 6 platform components and 7 agencies')
    assert.match(page.body, /rel="alternate" type="application\/atom\+xml"/)
    const json = (await t.app.inject('/status.json')).json()
    assert.equal(json.components.length, 13)
    assert.ok(json.components.every((c: { state: string }) => c.state === 'operational'))
    const home = await t.app.inject('/')
    assert.doesNotMatch(home.body, BANNER)
  })

  it('shows a banner with what to do instead on every page while an incident is open, and drops it on resolve', async () => {
    const id = await t.app.modules.status.service.openIncident(PROMPT_DOWN, actor, {})
    // The home page was cached without a banner a moment ago: the banner must still appear at once.
    for (const url of ['/', '/feedback', '/services']) {
      const page = await t.app.inject(url)
      assert.match(page.body, BANNER, url)
      assert.match(page.body, /M-Pesa prompts &amp; receipts &lt;delayed&gt;/, url)
      assert.match(page.body, new RegExp(`paybill number ${t.config.mpesaShortcode}`), url)
    }
    const sw = await t.app.inject('/?lang=sw')
    assert.match(sw.body, /Maombi ya M-Pesa yamechelewa/)
    assert.match(sw.body, new RegExp(`nambari ya paybill ${t.config.mpesaShortcode}`))
    assert.deepEqual((await t.app.modules.status.activeIncidents()).map((i) => i.id), [id])
    assert.equal((await t.app.modules.status.currentStatus()).components.find((c) => c.id === 'payments-prompt')?.state, 'major-outage')

    await t.app.modules.status.service.postUpdate(id, { status: 'resolved', messageEn: 'Fixed.', messageSw: 'Imerekebishwa.' }, actor, {})
    for (const url of ['/', '/feedback', '/?lang=sw']) assert.doesNotMatch((await t.app.inject(url)).body, BANNER, url)
    assert.deepEqual(await t.app.modules.status.activeIncidents(), [])
  })

  it('shows incidents with their updates and maintenance, in English and Kiswahili, as a page, JSON and a feed', async () => {
    const { service } = t.app.modules.status
    const id = await service.openIncident({ ...PROMPT_DOWN, components: ['payments-prompt', 'agency-dis'] }, actor, {})
    await service.postUpdate(id, { status: 'identified', messageEn: 'The gateway is down.', messageSw: 'Lango halifanyi kazi.' }, actor, {})
    const base = { messageEn: 'Email upgrade', messageSw: 'Uboreshaji wa barua pepe' }
    await service.scheduleMaintenance({ ...base, components: ['email'], startsAt: nairobi(inHours(-1)), endsAt: nairobi(inHours(2)) }, actor, {})
    await service.scheduleMaintenance({ ...base, components: ['sms'], startsAt: nairobi(inHours(24)), endsAt: nairobi(inHours(26)) }, actor, {})

    const page = (await t.app.inject('/status')).body
    assert.match(page, /Some services are not working normally/)
    assert.match(page, /Current problems/)
    assert.match(page, /The gateway is down\./)
    assert.match(page, /Prompts are not reaching phones\./)
    assert.match(page, /Cause found/)
    assert.match(page, /M-Pesa payment prompt<\/th>\s*<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--red">Unavailable/)
    assert.match(page, /Emails<\/th>\s*<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--grey">Under maintenance/)
    assert.match(page, /Under way now/)
    assert.match(page, /Planned/)
    assert.match(page, /Past problems/, 'the incident resolved earlier')
    assert.match(page, /app-status-day--major-outage/)
    assert.match(page, /: Unavailable<\/li>/, 'each bad day also as text')
    const sw = (await t.app.inject('/status?lang=sw')).body
    assert.match(sw, /Maombi ya M-Pesa yamechelewa/)
    assert.match(sw, /Lango halifanyi kazi\./)
    assert.match(sw, /Chanzo kimepatikana/)
    assert.match(sw, /Idara ya Huduma za Uhamiaji/)

    const json = (await t.app.inject('/status.json')).json()
    const state = (component: string) => json.components.find((c: { id: string }) => c.id === component).state
    assert.equal(state('payments-prompt'), 'major-outage')
    assert.equal(state('agency-dis'), 'major-outage')
    assert.equal(state('email'), 'under-maintenance')
    assert.equal(state('sms'), 'operational')
    const open = json.incidents.find((i: { id: string }) => i.id === id)
    assert.deepEqual(open.title, { en: PROMPT_DOWN.titleEn, sw: PROMPT_DOWN.titleSw })
    assert.deepEqual(open.updates.map((u: { status: string }) => u.status), ['identified', 'investigating'])
    assert.equal(open.resolvedAt, null)
    assert.deepEqual(json.maintenance.map((m: { active: boolean }) => m.active), [true, false])

    const feed = await t.app.inject('/status/feed.atom')
    assert.equal(feed.statusCode, 200)
    assert.match(String(feed.headers['content-type']), /^application\/atom\+xml/)
    const xml = feed.body
    assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/)
    for (const element of ['id', 'title', 'updated']) assert.match(xml, new RegExp(`^  <${element}>[^<]+</${element}>$`, 'm'), `feed ${element}`)
    const entries = xml.match(/<entry>[\s\S]*?<\/entry>/g) ?? []
    assert.equal(entries.length, 2 + 2 + 2, 'two incidents and their two updates each')
    for (const entry of entries) {
      assert.match(entry, /<id>urn:uuid:[0-9a-f-]{36}<\/id>/)
      assert.match(entry, /<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/updated>/)
      assert.match(entry, /<title>[^<]+<\/title>/)
    }
    assert.equal(new Set(entries.map((e) => /<id>([^<]+)/.exec(e)![1])).size, entries.length, 'entry ids are unique')
    assert.doesNotMatch(xml, /&(?!amp;|lt;|gt;|quot;|apos;)/, 'every & escaped')
    assert.match(xml, /M-Pesa prompts &amp; receipts &lt;delayed&gt;: Cause found/)
    assert.match((await t.app.inject('/status/feed.atom?lang=sw')).body, /<title>Maombi ya M-Pesa yamechelewa: Chanzo kimepatikana<\/title>/)

    const banner = (await t.app.inject('/feedback')).body
    assert.match(banner, /Email upgrade/, 'active maintenance is on the banner')
    assert.doesNotMatch(banner, /Text messages/, 'maintenance still to come is not')
    assert.deepEqual(serverErrors(t.logs), [])
  })
})

describe(`the status page when the database fails, on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let actor: Actor
  before(async () => {
    ;({ t, actor } = await setUp())
  })
  after(() => t.app.close())

  it('keeps serving the last state it read, with its time', async () => {
    await t.app.modules.status.service.openIncident(PROMPT_DOWN, actor, {})
    const before = (await t.app.inject('/status.json')).json()
    const cookie = await signedInCookie(t.database.db, actor.accountId)
    // The database goes away: no jobs left to use it, then the handle closed.
    await t.jobs.stop(1000)
    await t.database.close()
    await t.app.modules.status.board.refresh()
    assert.ok(t.logs.some((line) => line.msg === 'status read failed; serving the last known state'))

    const json = await t.app.inject('/status.json')
    assert.equal(json.statusCode, 200)
    assert.equal(json.json().asOf, before.asOf)
    assert.equal(json.json().components.find((c: { id: string }) => c.id === 'payments-prompt').state, 'major-outage')
    const page = await t.app.inject('/status')
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Prompts are not reaching phones\./)
    assert.match(page.body, /Last checked/)
    const feed = await t.app.inject('/status/feed.atom')
    assert.equal(feed.statusCode, 200)
    assert.match(feed.body, /M-Pesa prompts &amp; receipts/)
    assert.match((await t.app.inject('/feedback')).body, BANNER, 'the banner too')
    // A signed-in person's session cannot be looked up: they get the page as a visitor would.
    for (const url of ['/status', '/status.json', '/status/feed.atom']) {
      assert.equal((await t.app.inject({ url, headers: { cookie } })).statusCode, 200, url)
    }
    assert.deepEqual(serverErrors(t.logs), [])

    // A process that has never read the status has nothing to fall back on: a 503, not a crash.
    const blank = new StatusBoard(t.database.db, t.app.log)
    await assert.rejects(blank.current(), StatusUnavailable)
  })
})
