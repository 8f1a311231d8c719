import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Browser, createAccount, TEST_PASSWORD } from '../../../test/helpers/accounts.js'
import { serverErrors, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { makeStale, profileTestApp, signIn } from '../../../test/helpers/profile.js'
import { isRecentlyAuthenticated, safeNext } from './reauthentication.js'
import { FREE_ATTEMPTS } from './sign-in.js'

describe('where confirm-password may send people back to', () => {
  it('keeps the person’s own account pages, query included', () => {
    assert.equal(safeNext('/account/email'), '/account/email')
    assert.equal(safeNext('/account/authenticator?x=1'), '/account/authenticator?x=1')
    assert.equal(safeNext('/account'), '/account')
  })

  it('sends anything else to the account page: no open redirect', () => {
    for (const next of ['https://evil.example/account/', '//evil.example/account/', '/\\evil.example', '/account/../sign-out', '/accounts', '/account//evil.example', '/dashboard', 'account/email', '/account/\r\nx', undefined, 42, '/account/' + 'x'.repeat(300)]) {
      assert.equal(safeNext(next), '/account', String(next))
    }
  })

  it('counts a password as recent for ten minutes, and only in a signed-in session', () => {
    const base = { tokenHash: 'x', accountId: 'a', lastSeenAt: new Date(), role: 'citizen', agencyCode: null, firstName: 'A', secondFactor: 'sms', verified: true } as const
    const now = Date.now()
    assert.equal(isRecentlyAuthenticated({ ...base, stage: 'signed-in', reauthenticatedAt: new Date(now - 9 * 60_000) }, now), true)
    assert.equal(isRecentlyAuthenticated({ ...base, stage: 'signed-in', reauthenticatedAt: new Date(now - 11 * 60_000) }, now), false)
    assert.equal(isRecentlyAuthenticated({ ...base, stage: 'signed-in', reauthenticatedAt: null }, now), false)
    assert.equal(isRecentlyAuthenticated({ ...base, stage: 'second-factor', reauthenticatedAt: new Date(now) }, now), false)
    assert.equal(isRecentlyAuthenticated(null, now), false)
  })
})

describe(`re-authentication on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await profileTestApp()
  })
  after(() => t.close())

  it('lets a person who has just signed in change things without asking again', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    await signIn(t, browser, account)
    assert.equal((await browser.get('/account/email')).statusCode, 200)
    assert.equal((await browser.get('/account/authenticator')).statusCode, 200)
  })

  it('asks for the password again after ten minutes, then goes back to the page that asked', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    await signIn(t, browser, account)
    await makeStale(t.database.db, account.id)
    for (const path of ['/account/email', '/account/phone', '/account/authenticator']) {
      const asked = await browser.get(path)
      assert.equal(asked.headers.location, `/account/confirm-password?next=${encodeURIComponent(path)}`, path)
    }
    // A form posted after the time ran out is not acted on.
    const late = await browser.submit('/account/confirm-password?next=%2Faccount%2Femail', '/account/email', { email: 'late@example.ke' })
    assert.equal(late.headers.location, '/account/confirm-password?next=%2Faccount%2Femail')
    assert.equal((await t.database.db.selectFrom('accounts').select('pending_email').where('id', '=', account.id).executeTakeFirstOrThrow()).pending_email, null)

    const page = await browser.get('/account/confirm-password?next=%2Faccount%2Fphone')
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Confirm it is you/)
    assert.match(page.body, /name="next" value="\/account\/phone"/)
    const done = await browser.submit('/account/confirm-password?next=%2Faccount%2Fphone', '/account/confirm-password', { password: TEST_PASSWORD, next: '/account/phone' })
    assert.equal(done.headers.location, '/account/phone')
    assert.equal((await browser.get('/account/phone')).statusCode, 200)
    const audit = await t.database.db.selectFrom('audit_log').select('outcome').where('action', '=', 'reauthenticate').where('actor_id', '=', account.id).execute()
    assert.deepEqual(audit.map((row) => row.outcome), ['success'])
  })

  it('never sends anyone off the site afterwards', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    await signIn(t, browser, account)
    const done = await browser.submit('/account/confirm-password', '/account/confirm-password', { password: TEST_PASSWORD, next: '//evil.example/account/' })
    assert.equal(done.headers.location, '/account')
  })

  it('refuses a wrong password at the field, in the person’s language, and counts it towards the lock', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    await signIn(t, browser, account)
    await makeStale(t.database.db, account.id)
    const wrong = await browser.submit('/account/confirm-password?lang=sw', '/account/confirm-password', { password: 'not my password at all', next: '/account/email' })
    assert.equal(wrong.statusCode, 400)
    assert.match(wrong.body, /govuk-error-summary/)
    assert.match(wrong.body, /Nenosiri si sahihi/)
    assert.match(wrong.body, /name="next" value="\/account\/email"/, 'still going back to the same page')
    assert.doesNotMatch(wrong.body, /not my password at all/)
    assert.equal((await browser.get('/account/email')).statusCode, 303, 'still not re-authenticated')

    for (let i = 1; i < FREE_ATTEMPTS; i++) {
      await browser.submit('/account/confirm-password?lang=en', '/account/confirm-password', { password: 'not my password at all', next: '/account/email' })
    }
    const locking = await browser.submit('/account/confirm-password', '/account/confirm-password', { password: 'not my password at all', next: '/account/email' })
    assert.match(locking.body, /too many wrong passwords/)
    const row = await t.database.db.selectFrom('accounts').select(['failed_sign_ins', 'locked_until']).where('id', '=', account.id).executeTakeFirstOrThrow()
    assert.equal(row.failed_sign_ins, FREE_ATTEMPTS + 1)
    assert.ok(row.locked_until && row.locked_until.getTime() > Date.now())
    const locked = await browser.submit('/account/confirm-password', '/account/confirm-password', { password: TEST_PASSWORD, next: '/account/email' })
    assert.equal(locked.statusCode, 400, 'while locked, even the right password is refused')
    assert.deepEqual(serverErrors(t.logs), [])
  })

  it('needs a signed-in person', async () => {
    assert.equal((await t.app.inject('/account/confirm-password')).headers.location, '/sign-in')
  })
})
