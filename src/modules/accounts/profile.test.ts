import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { Browser, codeIn, createAccount, lastMessageTo, TEST_PASSWORD } from '../../../test/helpers/accounts.js'
import { serverErrors, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { profileTestApp, signIn } from '../../../test/helpers/profile.js'
import type { Account } from './store.js'

describe(`profile on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await profileTestApp()
  })
  after(() => t.close())

  const reload = (account: Account) => t.database.db.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow()
  const linkIn = (message: string) => /\/account\/email\/confirm\/([A-Za-z0-9_-]+)/.exec(message)?.[1]
  const auditCount = async (action: string, accountId: string) =>
    (await t.database.db.selectFrom('audit_log').select('id').where('action', '=', action).where('actor_id', '=', accountId).where('outcome', '=', 'success').execute()).length

  async function signedIn() {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    await signIn(t, browser, account)
    return { account, browser }
  }

  it('shows the person’s details with a way to change each', async () => {
    const { account, browser } = await signedIn()
    const page = await browser.get('/account')
    assert.equal(page.statusCode, 200)
    for (const text of ['Achieng Otieno', account.id_number!, account.email, account.phone, 'English', 'A code by text message']) assert.ok(page.body.includes(text), text)
    for (const href of ['/account/email', '/account/phone', '/account/password', '/account/language', '/account/authenticator', '/account/sessions', '/account/dependants', '/account/businesses']) {
      assert.ok(page.body.includes(`href="${href}"`), href)
    }
    assert.equal((await t.app.inject('/account')).headers.location, '/sign-in')
  })

  it('changes the email only once the link sent to the new address is opened', async () => {
    const { account, browser } = await signedIn()
    const sent = await browser.submit('/account/email', '/account/email', { email: '  New.Address@Example.KE ' })
    assert.equal(sent.headers.location, '/account/email/sent')
    assert.match((await browser.get('/account/email/sent')).body, /New\.Address@Example\.KE/)
    assert.match(await lastMessageTo(t.database.db, account.email), /asked to change its email address/, 'the current address is told')
    const token = linkIn(await lastMessageTo(t.database.db, 'New.Address@Example.KE'))
    assert.ok(token)

    const before = await reload(account)
    assert.equal(before.email, account.email, 'the old address stays until the new one is confirmed')
    assert.equal(before.pending_email, 'New.Address@Example.KE')
    assert.match((await browser.get('/account')).body, /Waiting for confirmation: New\.Address@Example\.KE/)

    // Opened on another device, without the session.
    const confirmed = await t.app.inject(`/account/email/confirm/${token}`)
    assert.equal(confirmed.statusCode, 200)
    assert.match(confirmed.body, /Your email address has been changed/)
    const after = await reload(account)
    assert.equal(after.email, 'New.Address@Example.KE')
    assert.equal(after.pending_email, null)
    assert.match(await lastMessageTo(t.database.db, account.email), /email address of your account was changed/, 'the old address is told')
    assert.equal(await auditCount('account.email-change', account.id), 1)

    const reused = await t.app.inject(`/account/email/confirm/${token}`)
    assert.equal(reused.statusCode, 410)
    assert.match(reused.body, /That link cannot be used/)
    assert.match(reused.body, /already been used/)
    assert.match(reused.body, /href="\/account\/email"[^>]*>Ask for a new link/)
    assert.equal((await t.app.inject('/account/email/confirm/not-a-real-token')).statusCode, 410)
  })

  it('keeps the email unique: an address of another account is never taken over, and nobody learns it has one', async () => {
    const other = await createAccount(t.database.db)
    const { account, browser } = await signedIn()
    const sent = await browser.submit('/account/email', '/account/email', { email: other.email.toUpperCase() })
    assert.equal(sent.headers.location, '/account/email/sent', 'the same next page as for a free address')
    const notice = await lastMessageTo(t.database.db, other.email.toUpperCase())
    assert.match(notice, /already belongs to an account/)
    assert.equal(linkIn(notice), undefined, 'no link goes out')

    // Both ask for the same free address; only the first to confirm gets it.
    const { account: second, browser: secondBrowser } = await signedIn()
    await browser.submit('/account/email', '/account/email', { email: 'shared@example.ke' })
    const firstToken = linkIn(await lastMessageTo(t.database.db, 'shared@example.ke'))!
    await secondBrowser.submit('/account/email', '/account/email', { email: 'shared@example.ke' })
    const secondToken = linkIn(await lastMessageTo(t.database.db, 'shared@example.ke'))!
    assert.equal((await t.app.inject(`/account/email/confirm/${secondToken}`)).statusCode, 200)
    const late = await t.app.inject(`/account/email/confirm/${firstToken}`)
    assert.equal(late.statusCode, 410)
    assert.match(late.body, /now belongs to another account/)
    assert.equal((await reload(account)).email, account.email)
    assert.equal((await reload(second)).email, 'shared@example.ke')
  })

  it('refuses a malformed or unchanged email at the field, keeping what was typed', async () => {
    const { account, browser } = await signedIn()
    const bad = await browser.submit('/account/email?lang=sw', '/account/email', { email: 'not-an-email' })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /govuk-error-summary/)
    assert.match(bad.body, /Andika anwani ya barua pepe katika muundo sahihi/)
    assert.match(bad.body, /value="not-an-email"/)
    const same = await browser.submit('/account/email?lang=en', '/account/email', { email: account.email.toUpperCase() })
    assert.equal(same.statusCode, 400)
    assert.match(same.body, /already your email address/)
  })

  it('changes the phone with a code sent to the new number, in E.164 whatever way it was typed', async () => {
    for (const [typed, stored] of [
      ['0722 000 111', '+254722000111'],
      ['+254 110 000 222', '+254110000222'],
      ['254733000333', '+254733000333'],
    ]) {
      const { account, browser } = await signedIn()
      assert.equal((await browser.submit('/account/phone', '/account/phone', { phone: typed! })).headers.location, '/account/phone/confirm')
      const page = await browser.get('/account/phone/confirm')
      assert.match(page.body, new RegExp(`ending ${stored!.slice(-3)}`))
      assert.equal((await reload(account)).phone, account.phone, 'the old number stays until the code is entered')
      const code = codeIn(await lastMessageTo(t.database.db, stored!))
      const wrong = await browser.submit('/account/phone/confirm', '/account/phone/confirm', { code: code === '000000' ? '111111' : '000000' })
      assert.equal(wrong.statusCode, 400)
      assert.match(wrong.body, /The code is not right/)
      const done = await browser.submit('/account/phone/confirm', '/account/phone/confirm', { code })
      assert.equal(done.headers.location, '/account?done=phone')
      const after = await reload(account)
      assert.equal(after.phone, stored)
      assert.equal(after.pending_phone, null)
      assert.match(await lastMessageTo(t.database.db, account.phone), /phone number of your account was changed/, 'the old number is told')
      assert.equal(await auditCount('account.phone-change', account.id), 1)
    }
  })

  it('refuses a malformed phone at the field, keeping it as typed; an old code offers a new one', async () => {
    const { account, browser } = await signedIn()
    const bad = await browser.submit('/account/phone', '/account/phone', { phone: '0712 34' })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /govuk-error-summary/)
    assert.match(bad.body, /href="#phone"/)
    assert.match(bad.body, /value="0712 34"/)
    assert.match(bad.body, /Enter a phone number in the correct format/)

    await browser.submit('/account/phone', '/account/phone', { phone: '0799 000 444' })
    const code = codeIn(await lastMessageTo(t.database.db, '+254799000444'))
    await t.database.db.updateTable('one_time_codes').set({ expires_at: sql<Date>`now() - interval '1 minute'` }).where('account_id', '=', account.id).where('purpose', '=', 'change-phone').execute()
    const expired = await browser.submit('/account/phone/confirm', '/account/phone/confirm', { code })
    assert.equal(expired.statusCode, 400)
    assert.match(expired.body, /That code has expired/)
    assert.match(expired.body, /action="\/account\/phone\/resend"/)
    assert.equal((await browser.submit('/account/phone/confirm', '/account/phone/resend', {})).headers.location, '/account/phone/confirm?sent=1')
    const fresh = codeIn(await lastMessageTo(t.database.db, '+254799000444'))
    assert.equal((await browser.submit('/account/phone/confirm', '/account/phone/confirm', { code: fresh })).headers.location, '/account?done=phone')
  })

  it('never moves another account’s number over: its owner gets a notice, not a code', async () => {
    const other = await createAccount(t.database.db)
    const { account, browser } = await signedIn()
    assert.equal((await browser.submit('/account/phone', '/account/phone', { phone: other.phone })).headers.location, '/account/phone/confirm')
    const notice = await lastMessageTo(t.database.db, other.phone)
    assert.match(notice, /already belongs to an account/)
    assert.throws(() => codeIn(notice))
    assert.equal((await reload(account)).phone, account.phone)
  })

  it('changes the password with the current one: other sessions end, this one stays, email and SMS tell', async () => {
    const { account, browser } = await signedIn()
    const elsewhere = new Browser(t.app)
    await signIn(t, elsewhere, account)

    const wrong = await browser.submit('/account/password', '/account/password', { currentPassword: 'not the password', newPassword: 'short' })
    assert.equal(wrong.statusCode, 400)
    assert.match(wrong.body, /href="#currentPassword"/)
    assert.match(wrong.body, /href="#newPassword"/)
    assert.match(wrong.body, /at least 8 characters/)
    assert.doesNotMatch(wrong.body, /not the password/, 'typed passwords never come back')
    assert.equal((await reload(account)).failed_sign_ins, 1, 'a wrong current password counts towards the lock')

    const done = await browser.submit('/account/password', '/account/password', { currentPassword: TEST_PASSWORD, newPassword: 'a brand new river passphrase' })
    assert.equal(done.headers.location, '/account?done=password')
    assert.match((await browser.get('/account?done=password')).body, /Every other device has been signed out/)
    assert.equal((await elsewhere.get('/account')).headers.location, '/sign-in', 'the other session ended')
    assert.match(await lastMessageTo(t.database.db, account.email), /Your password was changed/)
    assert.match(await lastMessageTo(t.database.db, account.phone), /Your password was changed/)
    assert.equal(await auditCount('account.password-change', account.id), 1)
    const again = new Browser(t.app)
    await signIn(t, again, account, 'a brand new river passphrase')
  })

  it('keeps the language preference and switches the pages to it', async () => {
    const { account, browser } = await signedIn()
    const saved = await browser.submit('/account/language', '/account/language', { language: 'sw' })
    assert.equal(saved.headers.location, '/account?done=language&lang=sw')
    assert.match((await browser.get(saved.headers.location as string)).body, /Lugha yako imehifadhiwa/)
    assert.match((await browser.get('/account')).body, /Akaunti yako/, 'remembered for the pages that follow')
    assert.equal((await reload(account)).language, 'sw')
    assert.equal((await browser.submit('/account/language', '/account/language', { language: 'fr' })).statusCode, 400)
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
