import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { createAccount, lastMessageTo, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { StatusSubscriptions } from './subscriptions.js'
import { PURGE_JOB } from './subscriptions-jobs.js'
import { FAN_OUT_JOB } from './subscriptions-sending.js'
import { MAX_CODE_ATTEMPTS } from './subscriptions-service.js'

const PUBLIC_URL = 'http://portal.test'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const outbox = { send: async () => 'outbox' }

describe(`the status subscription pages on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let subscriptions: StatusSubscriptions
  let admin: string

  before(async () => {
    const database = await freshDatabase()
    t = await testApp({
      database,
      env: { PUBLIC_URL },
    })
    // The app's own subscriptions, wired by the status module; messages stay in the outbox and the
    // test runs the fan-out itself.
    subscriptions = t.app.modules.status.subscriptions
    admin = await signedInCookie(t.database.db, (await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })).id)
  })
  after(async () => {
    await t.close()
  })

  /** Each test comes from its own address, so the subscribe form's rate limit counts per test. */
  let remoteAddress = ''
  let tests = 0
  beforeEach(() => {
    remoteAddress = `127.0.1.${++tests}`
  })
  async function submit(page: string, action: string, fields: [string, string][], cookie = ''): Promise<LightMyRequestResponse> {
    const form = await t.app.inject({ url: page, headers: { cookie }, remoteAddress })
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? ''
    const headers = { ...FORM, cookie: [cookie, ...form.cookies.map((c) => `${c.name}=${c.value}`)].filter(Boolean).join('; ') }
    return t.app.inject({ method: 'POST', url: action, headers, remoteAddress, payload: new URLSearchParams([['_csrf', token], ...fields]).toString() })
  }
  const subscribe = (fields: Record<string, string>, page = '/status/subscribe') => submit(page, '/status/subscribe', Object.entries(fields))
  const messagesTo = async (address: string) => Number((await sql<{ n: string }>`select count(*)::text as n from notifications where recipient = ${address}`.execute(t.database.db)).rows[0]?.n)

  /** A confirmed email subscriber and the unsubscribe link of the first update they were sent. */
  async function subscriberWithLink(email: string): Promise<string> {
    await subscribe({ channel: 'email', email, language: 'en' })
    const link = /(\/status\/subscribe\/confirm\/[\w-]+)/.exec(await lastMessageTo(t.database.db, email))![1]!
    await submit(link, link, [])
    const fields = { components: 'portal', impact: 'degraded', titleEn: 'Slow pages', titleSw: 'Kurasa polepole', messageEn: 'Looking.', messageSw: 'Tunaangalia.' }
    const opened = await submit('/admin/status/incidents/new', '/admin/status/incidents', Object.entries(fields), admin)
    const incidentId = String(opened.headers.location).split('/').at(-1)!
    const { id } = await t.database.db.selectFrom('status_incident_updates').select('id').where('incident_id', '=', incidentId).executeTakeFirstOrThrow()
    await subscriptions.jobDefinitions({ email: outbox, sms: outbox }).find((d) => d.name === FAN_OUT_JOB)!.handle({ kind: 'update', id }, { id: 'test', attempt: 1 })
    return /http:\/\/portal\.test(\/status\/unsubscribe\/[\w-]+)/.exec(await lastMessageTo(t.database.db, email))![1]!
  }

  it('is linked from the status page and offers every component', async () => {
    assert.match((await t.app.inject('/status')).body, /<a class="govuk-link" href="\/status\/subscribe">Get updates by email or SMS<\/a>/)
    const page = await t.app.inject('/status/subscribe?lang=sw')
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Pata taarifa za hali ya huduma/)
    assert.match(page.body, /value="payments-prompt"/)
    assert.match(page.body, /name="language" type="radio" value="sw" checked/)
  })

  it('shows errors at the fields, in the person\'s language, keeping what was typed', async () => {
    const none = await subscribe({})
    assert.equal(none.statusCode, 400)
    assert.match(none.body, /href="#channel">Choose email or SMS/)

    const email = await subscribe({ channel: 'email', email: 'amina at example', language: 'en' })
    assert.equal(email.statusCode, 400)
    assert.match(email.body, /href="#email">Enter an email address in the right format/)
    assert.match(email.body, /value="amina at example"/)
    assert.match(email.body, /value="email" checked/)

    const phone = await subscribe({ channel: 'sms', phone: '0812 345 678', language: 'sw' }, '/status/subscribe?lang=sw')
    assert.equal(phone.statusCode, 400)
    assert.match(phone.body, /href="#phone">Weka nambari ya simu ya Kenya/)
    assert.match(phone.body, /value="0812 345 678"/)

    const unknown = await submit('/status/subscribe', '/status/subscribe', [['channel', 'email'], ['email', 'a@example.com'], ['language', 'fr'], ['components', 'nope']])
    assert.match(unknown.body, /href="#language">/)
    assert.match(unknown.body, /href="#components">Choose from the parts listed/)
    assert.equal(await messagesTo('a@example.com'), 0)
  })

  it('answers the same for an address already subscribed, and sends it nothing', async () => {
    await subscriberWithLink('known@example.com')
    const before = await messagesTo('known@example.com')
    const known = await subscribe({ channel: 'email', email: 'known@example.com', language: 'sw' })
    const fresh = await subscribe({ channel: 'email', email: 'new@example.com', language: 'en' })
    assert.equal(known.statusCode, fresh.statusCode)
    assert.equal(known.headers.location, fresh.headers.location)
    assert.equal(await messagesTo('known@example.com'), before)
    assert.equal(await messagesTo('new@example.com'), 1)
    const row = await t.database.db.selectFrom('status_subscriptions').select('language').where('address', '=', 'known@example.com').executeTakeFirst()
    assert.equal(row?.language, 'en', 'a confirmed subscription is not changed by someone else')
  })

  it('normalises Kenyan numbers, and stops a code after too many wrong tries', async () => {
    const response = await subscribe({ channel: 'sms', phone: '+254 110 123 456', language: 'en' })
    assert.equal(response.headers.location, '/status/subscribe/confirm')
    const again = await subscribe({ channel: 'sms', phone: '0110 123 456', language: 'sw' })
    assert.equal(again.headers.location, '/status/subscribe/confirm')
    assert.equal(await messagesTo('+254110123456'), 1, 'one code a minute to a number, however often it is asked')
    const code = /\b(\d{6})\b/.exec(await lastMessageTo(t.database.db, '+254110123456'))![1]!
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    for (let i = 1; i <= MAX_CODE_ATTEMPTS; i++) await submit('/status/subscribe/confirm', '/status/subscribe/confirm', [['phone', '0110123456'], ['code', wrong]])
    const blocked = await submit('/status/subscribe/confirm', '/status/subscribe/confirm', [['phone', '0110123456'], ['code', code]])
    assert.equal(blocked.statusCode, 400)
    assert.match(blocked.body, /Too many wrong codes/)
    const unknown = await submit('/status/subscribe/confirm', '/status/subscribe/confirm', [['phone', '0799999999'], ['code', '123456']])
    assert.match(unknown.body, /The code is wrong or has expired/, 'a number never subscribed reads as a wrong code')
  })

  it('limits how often one address may subscribe', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await subscribe({ channel: 'email', email: `limit${i}@example.com`, language: 'en' })).statusCode, 303)
    assert.equal((await subscribe({ channel: 'email', email: 'limit10@example.com', language: 'en' })).statusCode, 429)
    assert.equal(await messagesTo('limit10@example.com'), 0)
  })

  it('lets an expired confirmation link lead nowhere', async () => {
    await subscribe({ channel: 'email', email: 'late@example.com', language: 'en' })
    const link = /(\/status\/subscribe\/confirm\/[\w-]+)/.exec(await lastMessageTo(t.database.db, 'late@example.com'))![1]!
    await t.database.db.updateTable('status_subscriptions').set({ expires_at: new Date(Date.now() - 1000) }).where('address', '=', 'late@example.com').execute()
    const page = await t.app.inject(link)
    assert.equal(page.statusCode, 404)
    assert.match(page.body, /This confirmation link does not work/)
  })

  it('announces maintenance to the subscribers of its components, in one SMS', async () => {
    await subscribe({ channel: 'sms', phone: '0722 000 111', language: 'en' })
    const code = /\b(\d{6})\b/.exec(await lastMessageTo(t.database.db, '+254722000111'))![1]!
    await submit('/status/subscribe/confirm', '/status/subscribe/confirm', [['phone', '0722000111'], ['code', code]])
    const fields = { components: 'payments-paybill', startsAt: '2030-12-01 22:00', endsAt: '2030-12-02 02:00', messageEn: 'Paybill payments pause overnight.', messageSw: 'Malipo ya paybill yatasimama usiku.' }
    const scheduled = await submit('/admin/status/maintenance/new', '/admin/status/maintenance', Object.entries(fields), admin)
    assert.equal(scheduled.statusCode, 303, scheduled.body.slice(0, 300))
    const { id } = await t.database.db.selectFrom('status_maintenance').select('id').executeTakeFirstOrThrow()
    await subscriptions.jobDefinitions({ email: outbox, sms: outbox }).find((d) => d.name === FAN_OUT_JOB)!.handle({ kind: 'maintenance', id }, { id: 'test', attempt: 1 })
    const sms = await lastMessageTo(t.database.db, '+254722000111')
    assert.match(sms, /^Planned maintenance 1 Dec 22:00 - 2 Dec 02:00: M-Pesa paybill(\.\.\.| payments) http:\/\/portal\.test\/status /, 'the list of parts gives way to the links')
    const email = await lastMessageTo(t.database.db, 'known@example.com')
    assert.match(email, /^Planned maintenance from 1 December 2030 22:00 to 2 December 2030 02:00\.\n\nPaybill payments pause overnight\./)
    assert.match(sms, / Stop: http:\/\/portal\.test\/status\/unsubscribe\/[\w-]{24}$/)
    assert.ok(sms.length <= 160, `${sms.length}: ${sms}`)
  })

  it('forgets pending subscriptions a day after they expired, nightly', async () => {
    await subscribe({ channel: 'email', email: 'never@example.com', language: 'en' })
    await t.database.db.updateTable('status_subscriptions').set({ expires_at: new Date(Date.now() - 2 * 24 * 3600_000) }).where('address', '=', 'never@example.com').execute()
    const purge = subscriptions.jobDefinitions({ email: outbox, sms: outbox }).find((d) => d.name === PURGE_JOB)!
    assert.ok(purge.cron)
    await purge.handle({}, { id: 'test', attempt: 1 })
    const left = await t.database.db.selectFrom('status_subscriptions').select('address').where('address', 'in', ['never@example.com', 'known@example.com']).execute()
    assert.deepEqual(left.map((r) => r.address), ['known@example.com'])
  })

  it('unsubscribes a person by the button, with its CSRF token', async () => {
    const link = await subscriberWithLink('button@example.com')
    const page = await t.app.inject(link)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Stop status updates/)
    const forged = await t.app.inject({ method: 'POST', url: link, headers: FORM, payload: '' })
    assert.equal(forged.statusCode, 403, 'without the token or the one-click body')
    const done = await submit(link, link, [])
    assert.equal(done.headers.location, '/status/unsubscribed')
    assert.equal(await t.database.db.selectFrom('status_subscriptions').select('id').where('address', '=', 'button@example.com').executeTakeFirst(), undefined)
    assert.equal((await t.app.inject(link)).statusCode, 404)
  })

  it('takes the one-click POST as multipart/form-data too, as RFC 8058 prefers', async () => {
    const link = await subscriberWithLink('multipart@example.com')
    const boundary = 'one-click-boundary'
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`
    const response = await t.app.inject({ method: 'POST', url: link, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })
    assert.equal(response.statusCode, 200, response.body)
    assert.equal(await t.database.db.selectFrom('status_subscriptions').select('id').where('address', '=', 'multipart@example.com').executeTakeFirst(), undefined)
  })

  it('refuses a malformed one-click request with a reason, changing nothing', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/status/unsubscribe/not*a*token', headers: FORM, payload: 'List-Unsubscribe=One-Click' })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /malformed unsubscribe link/)
    const other = await t.app.inject({ method: 'POST', url: '/status/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAA', headers: FORM, payload: 'List-Unsubscribe=Yes' })
    assert.equal(other.statusCode, 403)
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
