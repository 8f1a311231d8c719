import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { Browser, codeIn, createAccount, lastMessageTo, TEST_PASSWORD } from '../../../test/helpers/accounts.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { FREE_ATTEMPTS } from './sign-in.js'

describe(`sign in on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
  })
  after(() => t.close())

  async function signIn(browser: Browser, name: string) {
    const first = await browser.submit('/sign-in', '/sign-in', { name, password: TEST_PASSWORD })
    assert.equal(first.statusCode, 303)
    assert.equal(first.headers.location, '/sign-in/code')
    return first
  }

  it('signs in with ID number, password and an SMS code, with a new session id after the code', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    await signIn(browser, account.id_number!)
    const halfway = browser.cookies.get('session')
    assert.ok(halfway)
    assert.equal((await browser.get('/dashboard')).headers.location, '/sign-in', 'one factor is not enough')
    const codePage = await browser.get('/sign-in/code')
    assert.match(codePage.body, /ending ••• \d{3}/)
    const code = codeIn(await lastMessageTo(t.database.db, account.phone))
    const done = await browser.submit('/sign-in/code', '/sign-in/code', { code })
    assert.equal(done.headers.location, '/dashboard')
    assert.notEqual(browser.cookies.get('session'), halfway, 'the session id changes at the privilege change')
    const dashboard = await browser.get('/dashboard')
    assert.equal(dashboard.statusCode, 200)
    assert.match(dashboard.body, /Welcome, Achieng/)
    assert.match(dashboard.body, /action="\/sign-out"/)
  })

  it('signs in with an email address in any case, the code by email when chosen', async () => {
    const account = await createAccount(t.database.db, { secondFactor: 'email' })
    const browser = new Browser(t.app)
    await signIn(browser, account.email.toUpperCase())
    const code = codeIn(await lastMessageTo(t.database.db, account.email))
    assert.equal((await browser.submit('/sign-in/code', '/sign-in/code', { code })).headers.location, '/dashboard')
  })

  it('refuses a wrong code, and after a resend only the newest code works', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    await signIn(browser, account.email)
    const first = codeIn(await lastMessageTo(t.database.db, account.phone))
    const wrong = await browser.submit('/sign-in/code', '/sign-in/code', { code: first === '000000' ? '111111' : '000000' })
    assert.equal(wrong.statusCode, 400)
    assert.match(wrong.body, /The code is not right/)
    await browser.submit('/sign-in/code', '/sign-in/code/resend', {})
    const second = codeIn(await lastMessageTo(t.database.db, account.phone))
    if (second !== first) {
      const old = await browser.submit('/sign-in/code', '/sign-in/code', { code: first })
      assert.equal(old.statusCode, 400)
      assert.match(old.body, /The code is not right/)
    }
    const ok = await browser.submit('/sign-in/code', '/sign-in/code', { code: second })
    assert.equal(ok.headers.location, '/dashboard')
  })

  it('answers the same for an unknown name and a wrong password, keeping the name typed', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    const unknown = await browser.submit('/sign-in', '/sign-in', { name: 'nobody@example.ke', password: 'whatever password' })
    const wrong = await browser.submit('/sign-in', '/sign-in', { name: account.email, password: 'not the password' })
    assert.equal(unknown.statusCode, 400)
    assert.equal(wrong.statusCode, 400)
    const message = (body: string) => /<p class="govuk-error-message"[^>]*>([\s\S]*?)<\/p>/.exec(body)?.[1]?.replace(/\s+/g, ' ')
    assert.equal(message(unknown.body), message(wrong.body))
    assert.match(wrong.body, new RegExp(`value="${account.email}"`))
    assert.doesNotMatch(wrong.body, /not the password/, 'the password is never sent back')
  })

  it('locks an account after repeated failures, tells the owner, and records every attempt', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    for (let i = 0; i <= FREE_ATTEMPTS; i++) await browser.submit('/sign-in', '/sign-in', { name: account.email, password: `wrong ${i}` })
    const locked = await browser.submit('/sign-in', '/sign-in', { name: account.email, password: TEST_PASSWORD })
    assert.equal(locked.statusCode, 400, 'even the right password waits out the lock')
    assert.match(await lastMessageTo(t.database.db, account.email), /sign-in to your account is paused/)
    const attempts = await sql<{ n: string }>`select count(*)::text as n from audit_log where actor_id = ${account.id} and action = 'sign-in.password'`.execute(t.database.db)
    assert.equal(attempts.rows[0]?.n, String(FREE_ATTEMPTS + 2))
  })

  it('lists sessions, signs another device out, and signs out server-side', async () => {
    const account = await createAccount(t.database.db)
    const phone = new Browser(t.app)
    const laptop = new Browser(t.app)
    for (const browser of [phone, laptop]) {
      await signIn(browser, account.email)
      await browser.submit('/sign-in/code', '/sign-in/code', { code: codeIn(await lastMessageTo(t.database.db, account.phone)) })
    }
    const list = await laptop.get('/account/sessions')
    assert.equal(list.statusCode, 200)
    assert.equal((list.body.match(/name="session" value="[0-9a-f]{16}"/g) ?? []).length, 2)
    await laptop.submit('/account/sessions', '/account/sessions/sign-out', { session: 'others' })
    assert.equal((await phone.get('/dashboard')).headers.location, '/sign-in', 'the other device is signed out')
    const stolen = laptop.cookies.get('session')!
    await laptop.submit('/dashboard', '/sign-out', {})
    const replay = await t.app.inject({ url: '/dashboard', cookies: { session: stolen } })
    assert.equal(replay.headers.location, '/sign-in', 'a copied cookie is useless after sign-out')
  })

  it('cannot sign out another person’s session', async () => {
    const mine = await createAccount(t.database.db)
    const theirs = await createAccount(t.database.db)
    const me = new Browser(t.app)
    const them = new Browser(t.app)
    for (const [browser, account] of [[me, mine], [them, theirs]] as const) {
      await signIn(browser, account.email)
      await browser.submit('/sign-in/code', '/sign-in/code', { code: codeIn(await lastMessageTo(t.database.db, account.phone)) })
    }
    const theirId = /name="session" value="([0-9a-f]{16})"/.exec((await them.get('/account/sessions')).body)?.[1]
    const attempt = await me.submit('/account/sessions', '/account/sessions/sign-out', { session: theirId! })
    assert.equal(attempt.statusCode, 404)
    assert.equal((await them.get('/dashboard')).statusCode, 200)
  })

  it('returns a person to the page they were sent to sign in from, once', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    const asked = await browser.get('/account/language?from=message')
    assert.equal(asked.headers.location, '/sign-in')
    await signIn(browser, account.email)
    const done = await browser.submit('/sign-in/code', '/sign-in/code', { code: codeIn(await lastMessageTo(t.database.db, account.phone)) })
    assert.equal(done.headers.location, '/account/language?from=message')
    assert.equal(browser.cookies.get('ecitizen_next'), undefined, 'used once')
  })

  it('never sends a person off the site after sign-in, whatever the cookie says', async () => {
    const account = await createAccount(t.database.db)
    for (const planted of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', '/sign-out']) {
      const browser = new Browser(t.app)
      browser.cookies.set('ecitizen_next', encodeURIComponent(planted))
      await signIn(browser, account.email)
      const done = await browser.submit('/sign-in/code', '/sign-in/code', { code: codeIn(await lastMessageTo(t.database.db, account.phone)) })
      assert.equal(done.headers.location, '/dashboard', planted)
    }
  })

  it('sends a signed-out visitor from the dashboard to sign in', async () => {
    const response = await t.app.inject('/dashboard')
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/sign-in')
  })
})

describe(`the demo account on ${TEST_ENGINE}`, () => {
  it('is seeded once and signs in as the README says', async () => {
    const t = await testApp()
    try {
      const { seedDemoAccounts, DEMO_ACCOUNTS } = await import('./demo-accounts.js')
      await upsertAgencies(t.database.db, DEMO_AGENCIES)
      assert.equal(await seedDemoAccounts(t.database.db), DEMO_ACCOUNTS.length)
      assert.equal(await seedDemoAccounts(t.database.db), 0, 'seeding again changes nothing')
      const demo = DEMO_ACCOUNTS[0]!
      const browser = new Browser(t.app)
      const first = await browser.submit('/sign-in', '/sign-in', { name: demo.idNumber!, password: demo.password })
      assert.equal(first.headers.location, '/sign-in/code')
      const code = codeIn(await lastMessageTo(t.database.db, demo.phone))
      assert.equal((await browser.submit('/sign-in/code', '/sign-in/code', { code })).headers.location, '/dashboard')
    } finally {
      await t.close()
    }
  })
})
