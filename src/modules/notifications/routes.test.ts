import assert from 'node:assert/strict'
import fs from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import { notificationRoutes } from './routes.js'
import { notificationDb } from './service.js'
import { insertNotification, markNotificationFailed, markNotificationSent, type NotificationDb } from './store.js'

// What the app's translator shows for the page's strings: the locale files' words once this module's
// strings are in them.
const translator = new Translator(loadMessages())

describe(`the developer outbox on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let db: NotificationDb

  before(async () => {
    const database = await freshDatabase()
    db = notificationDb(database.db)
    t = await testApp({
      database,
      // Once the app registers the page itself, the test uses the app's; until then it adds it.
      routes: (app) => {
        if (!app.hasRoute({ method: 'GET', url: '/dev/outbox' })) notificationRoutes(app, { db, environment: 'development' })
      },
    })
  })
  after(() => t.close())

  it('says so when nothing was sent', async () => {
    const response = await t.app.inject('/dev/outbox')
    assert.equal(response.statusCode, 200)
    assert.match(response.body, new RegExp(translator.for('en')('outbox.empty')))
  })

  it('lists messages newest first with their channel, recipient, words and status', async () => {
    await insertNotification(db, {
      idempotency_key: 'outbox-1',
      channel: 'email',
      recipient: 'wanjiku@example.com',
      language: 'en',
      template: 'email-verification',
      subject: 'Confirm your email address',
      body: 'Open <this> link:\n\nhttps://ecitizen.example/verify/abc',
    })
    await insertNotification(db, {
      idempotency_key: 'outbox-2',
      channel: 'sms',
      recipient: '+254712345678',
      language: 'sw',
      template: 'sign-in-code',
      subject: null,
      body: 'Nambari yako ya kuingia ni 493817.',
    })
    await insertNotification(db, {
      idempotency_key: 'outbox-3',
      channel: 'sms',
      recipient: '+254733000222',
      language: 'en',
      template: 'password-changed',
      subject: null,
      body: 'Your password was changed.',
    })
    await markNotificationSent(db, 'outbox-2', 'ATXid_1')
    await markNotificationFailed(db, 'outbox-3', 'SmsNotSent: 406 UserInBlacklist', true)

    const response = await t.app.inject('/dev/outbox')
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    const html = response.body
    const en = translator.for('en')
    assert.match(html, new RegExp(`<h1 class="govuk-heading-l">${en('outbox.title')}</h1>`))
    assert.match(html, /<table class="govuk-table">/)
    assert.match(html, new RegExp(`<th scope="col" class="govuk-table__header">\\s*${en('outbox.to')}\\s*</th>`))

    const positions = ['+254733000222', '+254712345678', 'wanjiku@example.com'].map((to) => html.indexOf(to))
    assert.ok(positions.every((p) => p > 0), 'every message listed')
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'newest first')

    assert.match(html, /Confirm your email address/)
    assert.match(html, /Open &lt;this&gt; link:<br \/>\n<br \/>\nhttps:\/\/ecitizen\.example\/verify\/abc/, 'escaped, line breaks kept')
    assert.match(html, /Nambari yako ya kuingia ni 493817\./)
    assert.match(html, /govuk-tag--green/)
    assert.match(html, /govuk-tag--red/)
    assert.match(html, /govuk-tag--grey/)
    assert.match(html, /406 UserInBlacklist/)
    assert.match(html, /<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time>/)
  })

  it('speaks Kiswahili', async () => {
    const response = await t.app.inject('/dev/outbox?lang=sw')
    const sw = translator.for('sw')
    assert.equal(response.headers['content-language'], 'sw')
    assert.match(response.body, new RegExp(`<h1 class="govuk-heading-l">${sw('outbox.title')}</h1>`))
    assert.match(response.body, new RegExp(sw('outbox.statuses.sent')))
  })
})

describe(`the developer outbox in production on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    const database = await freshDatabase()
    const db = notificationDb(database.db)
    t = await testApp({
      database,
      env: { NODE_ENV: 'production', COOKIE_SECRET: 'x'.repeat(40), MPESA_CALLBACK_SECRET: 'a-production-callback-secret-of-40-chars' },
      routes: (app) => notificationRoutes(app, { db, environment: 'production' }),
    })
  })
  after(() => t.close())

  it('does not exist', async () => {
    const response = await t.app.inject('/dev/outbox')
    assert.equal(response.statusCode, 404)
    assert.doesNotMatch(response.body, /govuk-table/)
  })
})

describe('the outbox page strings', () => {
  const locale = (lang: string) => JSON.parse(fs.readFileSync(new URL(`../../../locales/${lang}.json`, import.meta.url), 'utf8')) as { outbox: object }
  const strings = { en: { outbox: locale('en').outbox }, sw: { outbox: locale('sw').outbox } }
  const flatten = (tree: object, prefix = ''): Record<string, string> =>
    Object.fromEntries(
      Object.entries(tree).flatMap(([key, value]) =>
        typeof value === 'string' ? [[`${prefix}${key}`, value]] : Object.entries(flatten(value as object, `${prefix}${key}.`)),
      ),
    )
  const en = flatten(strings.en)
  const sw = flatten(strings.sw)
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

  it('has every string in both languages with the same placeholders', () => {
    assert.deepEqual(Object.keys(sw).sort(), Object.keys(en).sort())
    for (const [key, text] of Object.entries(en)) {
      assert.deepEqual(placeholders(sw[key] ?? ''), placeholders(text), key)
      assert.ok(text.trim() && sw[key]?.trim(), `${key} is empty`)
    }
  })

  it('has every string the page asks for', () => {
    const template = fs.readFileSync(new URL('./views/outbox.njk', import.meta.url), 'utf8')
    const used = [...template.matchAll(/t\('(outbox\.[\w.]+?)'[,)]/g)].map((m) => m[1] as string)
    const dynamic = ['email', 'sms'].map((c) => `outbox.channels.${c}`).concat(['queued', 'sent', 'failed'].map((s) => `outbox.statuses.${s}`))
    for (const key of [...used, ...dynamic]) assert.ok(en[key], key)
    assert.ok(used.length > 10)
  })
})
