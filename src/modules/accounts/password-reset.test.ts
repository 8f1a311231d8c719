import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { Browser, codeIn, createAccount, lastMessageTo, TEST_PASSWORD } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'

describe(`password reset on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
  })
  after(() => t.close())

  const messagesTo = async (recipient: string) =>
    Number((await sql<{ n: string }>`select count(*)::text as n from notifications where recipient = ${recipient}`.execute(t.database.db)).rows[0]?.n)

  it('answers the same whether or not the address has an account', async () => {
    const browser = new Browser(t.app)
    const unknown = await browser.submit('/password/forgot', '/password/forgot', { email: 'nobody@example.ke' })
    assert.equal(unknown.headers.location, '/password/forgot/sent')
    assert.equal(await messagesTo('nobody@example.ke'), 0)
    const account = await createAccount(t.database.db)
    const known = await browser.submit('/password/forgot', '/password/forgot', { email: account.email })
    assert.equal(known.headers.location, '/password/forgot/sent')
    assert.equal(await messagesTo(account.email), 1)
  })

  it('sets a new password once, ends every session, tells the person, and still asks for the second factor', async () => {
    const account = await createAccount(t.database.db)
    const signedIn = new Browser(t.app)
    await signedIn.submit('/sign-in', '/sign-in', { name: account.email, password: TEST_PASSWORD })
    await signedIn.submit('/sign-in/code', '/sign-in/code', { code: codeIn(await lastMessageTo(t.database.db, account.phone)) })
    assert.equal((await signedIn.get('/dashboard')).statusCode, 200)

    const browser = new Browser(t.app)
    await browser.submit('/password/forgot', '/password/forgot', { email: account.email })
    const path = new URL(/http\S+\/password\/reset\/\S+/.exec(await lastMessageTo(t.database.db, account.email))![0]).pathname
    const common = await browser.submit(path, path, { password: 'iloveyou' })
    assert.equal(common.statusCode, 400)
    assert.match(common.body, /too common/)
    const done = await browser.submit(path, path, { password: 'a brand new long passphrase' })
    assert.equal(done.headers.location, '/password/reset-done')

    assert.equal((await signedIn.get('/dashboard')).headers.location, '/sign-in', 'every session ended')
    assert.match(await lastMessageTo(t.database.db, account.email), /password was changed/)
    assert.match(await lastMessageTo(t.database.db, account.phone), /password was changed/)
    // One copy in the person's inbox, for both channels; the reset link itself is never filed.
    const filed = await t.database.db.selectFrom('inbox_messages').select(['template', 'channels']).where('account_id', '=', account.id).execute()
    assert.deepEqual(filed, [{ template: 'password-changed', channels: 'email,sms' }])
    const reused = await browser.get(path)
    assert.equal(reused.statusCode, 410)
    assert.match(reused.body, /already been used/)

    const again = new Browser(t.app)
    const first = await again.submit('/sign-in', '/sign-in', { name: account.email, password: 'a brand new long passphrase' })
    assert.equal(first.headers.location, '/sign-in/code', 'the reset does not skip the second factor')
  })

  it('refuses an unknown link with a page that offers a new one', async () => {
    const response = await t.app.inject('/password/reset/not-a-real-token')
    assert.equal(response.statusCode, 410)
    assert.match(response.body, /href="\/password\/forgot"/)
  })
})
