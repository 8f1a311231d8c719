import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { Browser, createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import type { Account } from '../accounts/store.js'
import { insertApplicationRow } from '../../../test/helpers/application-rows.js'
import { allow } from '../../platform/access/access.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { sendToAccount } from './inbox.js'
import { notificationDb, notify } from './service.js'
import type { NotificationDb } from './store.js'

const submitted = (n: number) => ({
  template: 'application-submitted' as const,
  params: (language: 'en' | 'sw') => ({ reference: `APP-${n}`, service: language === 'sw' ? 'Cheti' : 'Certificate', link: 'https://portal.example/applications/1' }),
})

describe(`the notification centre on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let db: NotificationDb
  let person: Account
  let other: Account
  let browser: Browser

  const send = (account: Account, key: string, n: number) =>
    sendToAccount(t.database.db, t.jobs, { key, accountId: account.id, language: 'en', email: account.email, phone: account.phone, ...submitted(n) })
  const channelsSent = async (prefix: string) =>
    (await db.selectFrom('notifications').select('channel').where('idempotency_key', 'like', `${prefix}:%`).orderBy('channel').execute()).map((r) => r.channel)

  before(async () => {
    t = await testApp({
      // Shows what the layout is given, so the test sees when the count is (and is not) read.
      routes: (app) => app.get('/test/unread-badge', allow('public'), async (request) => ({ unread: request.unreadMessages ?? null })),
    })
    db = notificationDb(t.database.db)
    person = await createAccount(t.database.db)
    other = await createAccount(t.database.db)
    browser = new Browser(t.app)
    browser.cookies.set('session', (await signedInCookie(t.database.db, person.id)).slice('session='.length))
  })
  after(() => t.close())

  it('files an in-app copy and sends email and SMS through notify', async () => {
    assert.equal(await send(person, 'inbox-test:first', 1), true)
    assert.equal(await send(person, 'inbox-test:first', 1), false, 'the same cause files nothing twice')
    assert.deepEqual(await channelsSent('inbox-test:first'), ['email', 'sms'])
    const page = await browser.get('/account/messages')
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Application APP-1 received/)
    assert.match(page.body, /Unread messages: 1/)
    const sw = await browser.get('/account/messages?lang=sw')
    assert.match(sw.body, /Maombi APP-1 yamepokelewa/)
    assert.match(sw.body, /Jumbe ambazo hujasoma: 1/)
    await browser.get('/account/messages?lang=en')
  })

  it('pages through older messages newest first', async () => {
    for (let n = 2; n <= 25; n++) await send(person, `inbox-test:page:${n}`, n)
    const first = await browser.get('/account/messages')
    const titles = [...first.body.matchAll(/Application (APP-\d+) received/g)].map((m) => m[1])
    assert.equal(titles.length, 20)
    assert.equal(titles[0], 'APP-25')
    const older = /href="(\/account\/messages\?before=\d+)"/.exec(first.body)?.[1]
    assert.ok(older, 'a link to older messages')
    const second = await browser.get(older)
    const rest = [...second.body.matchAll(/Application (APP-\d+) received/g)].map((m) => m[1])
    assert.deepEqual(rest, ['APP-5', 'APP-4', 'APP-3', 'APP-2', 'APP-1'])
    assert.doesNotMatch(second.body, /rel="next"/)
  })

  it('marks a message read when opened, and hides other people’s', async () => {
    const mine = await db.selectFrom('inbox_messages').select('id').where('idempotency_key', '=', 'inbox-test:first').executeTakeFirstOrThrow()
    const opened = await browser.get(`/account/messages/${mine.id}`)
    assert.equal(opened.statusCode, 200)
    assert.match(opened.body, /We received your application APP-1/)
    assert.match((await browser.get('/account/messages')).body, /Unread messages: 24/)

    await send(other, 'inbox-test:other', 99)
    const theirs = await db.selectFrom('inbox_messages').select('id').where('idempotency_key', '=', 'inbox-test:other').executeTakeFirstOrThrow()
    assert.equal((await browser.get(`/account/messages/${theirs.id}`)).statusCode, 404)
    assert.equal((await browser.get('/account/messages/nonsense')).statusCode, 404)
    const still = await db.selectFrom('inbox_messages').select('read_at').where('id', '=', theirs.id).executeTakeFirstOrThrow()
    assert.equal(still.read_at, null)
  })

  it('marks everything read with the form, and refuses the form without its CSRF token', async () => {
    assert.equal((await browser.post('/account/messages/read-all', {})).statusCode, 403)
    const done = await browser.submit('/account/messages', '/account/messages/read-all', {})
    assert.equal(done.statusCode, 303)
    const page = await browser.get(done.headers.location as string)
    assert.match(page.body, /Unread messages: 0/)
    assert.match(page.body, /All your messages are marked as read/)
    const theirs = await db.selectFrom('inbox_messages').select('read_at').where('account_id', '=', other.id).executeTakeFirstOrThrow()
    assert.equal(theirs.read_at, null, 'another person’s messages are untouched')
  })

  it('sends only on the channels the person chose, keeping the in-app copy', async () => {
    const form = await browser.get('/account/messages/preferences')
    assert.match(form.body, /Security messages always go out/)
    assert.equal((await browser.post('/account/messages/preferences', { applications: 'email' })).statusCode, 403)
    const saved = await browser.submit('/account/messages/preferences', '/account/messages/preferences', { applications: 'email', payments: 'sms' })
    assert.equal(saved.statusCode, 303)
    assert.match((await browser.get(saved.headers.location as string)).body, /Your choices are saved/)

    await send(person, 'inbox-test:email-only', 30)
    assert.deepEqual(await channelsSent('inbox-test:email-only'), ['email'])
    const copy = await db.selectFrom('inbox_messages').select('channels').where('idempotency_key', '=', 'inbox-test:email-only').executeTakeFirstOrThrow()
    assert.equal(copy.channels, 'email')

    // notify itself holds back a channel the person turned off.
    const held = await notify(t.database.db, t.jobs, { key: 'inbox-test:direct:sms', channel: 'sms', to: person.phone!, language: 'en', accountId: person.id, ...submitted(31), params: submitted(31).params('en') })
    assert.equal(held, false)
    assert.deepEqual(await channelsSent('inbox-test:direct'), [])

    await browser.submit('/account/messages/preferences', '/account/messages/preferences', {})
    await send(person, 'inbox-test:app-only', 32)
    assert.deepEqual(await channelsSent('inbox-test:app-only'), [])
    const page = await browser.get('/account/messages')
    assert.match(page.body, /Application APP-32 received/)
  })

  it('sends security messages whatever the preferences say', async () => {
    const sent = await notify(t.database.db, t.jobs, { key: 'inbox-test:direct-security:sms', channel: 'sms', to: person.phone!, language: 'en', accountId: person.id, template: 'password-changed', params: {} })
    assert.equal(sent, true)
    await sendToAccount(t.database.db, t.jobs, { key: 'inbox-test:security', accountId: person.id, language: 'en', email: person.email, phone: person.phone, template: 'password-changed', params: () => ({}) })
    assert.deepEqual(await channelsSent('inbox-test:security'), ['email', 'sms'])
    assert.deepEqual(await channelsSent('inbox-test:direct-security'), ['sms'])
  })

  it('gives the layout an unread count for signed-in people only', async () => {
    const signedOut = await t.app.inject({ method: 'GET', url: '/test/unread-badge' })
    assert.deepEqual(signedOut.json(), { unread: null })
    const before = (await browser.get('/test/unread-badge')).json() as { unread: number }
    await send(person, 'inbox-test:badge', 40)
    assert.deepEqual((await browser.get('/test/unread-badge')).json(), { unread: before.unread + 1 })
  })

  it('files what an application sends, on the channels the person left on', async () => {
    await browser.submit('/account/messages/preferences', '/account/messages/preferences', { applications: 'sms' })
    await upsertAgencies(t.database.db, DEMO_AGENCIES)
    const row = await insertApplicationRow(t.database.db, { accountId: person.id, agency: 'DCI', slug: 'certificate-of-good-conduct' })
    // Just submitted, where the applicant may still withdraw.
    const application = await t.database.db.updateTable('applications').set({ stage: 'submitted' }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow()
    await t.database.db.transaction().execute((trx) =>
      t.app.modules.recordStatusChange(trx, application, { to: 'withdrawn', actor: { kind: 'applicant', accountId: person.id } }),
    )
    const filed = await db.selectFrom('inbox_messages').select(['idempotency_key', 'channels']).where('title_en', 'like', `%${row.reference}%`).executeTakeFirstOrThrow()
    assert.equal(filed.channels, 'sms')
    assert.deepEqual(await channelsSent(filed.idempotency_key), ['sms'])
    assert.match((await browser.get('/account/messages')).body, new RegExp(row.reference))
  })
})
