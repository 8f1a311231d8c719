import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { authenticator } from 'otplib'
import { Browser, codeIn, createAccount, lastMessageTo, TEST_PASSWORD } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'

describe(`authenticator apps on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
  })
  after(() => t.close())

  it('sets up an app, then signs in with its codes (each once) or a recovery code (once)', async () => {
    const account = await createAccount(t.database.db)
    const browser = new Browser(t.app)
    await browser.submit('/sign-in', '/sign-in', { name: account.email, password: TEST_PASSWORD })
    await browser.submit('/sign-in/code', '/sign-in/code', { code: codeIn(await lastMessageTo(t.database.db, account.phone)) })

    const setup = await browser.get('/account/authenticator')
    assert.equal(setup.statusCode, 200)
    assert.match(setup.body, /<svg[^>]*>/, 'a QR code drawn on the server')
    const secret = /<code class="app-secret">([A-Z2-7 ]+)<\/code>/.exec(setup.body)![1]!.replace(/ /g, '')
    const wrong = await browser.submit('/account/authenticator', '/account/authenticator', { code: '000000' })
    assert.equal(wrong.statusCode, 400)
    const done = await browser.submit('/account/authenticator', '/account/authenticator', { code: authenticator.generate(secret) })
    assert.equal(done.statusCode, 200)
    const recovery = [...done.body.matchAll(/<code>([0-9a-f]{5}-[0-9a-f]{5})<\/code>/g)].map((m) => m[1]!)
    assert.equal(recovery.length, 10)

    const smsBefore = await lastMessageTo(t.database.db, account.phone)
    const again = new Browser(t.app)
    await again.submit('/sign-in', '/sign-in', { name: account.email, password: TEST_PASSWORD })
    assert.equal(await lastMessageTo(t.database.db, account.phone), smsBefore, 'no SMS once an app is the second factor')
    const page = await again.get('/sign-in/code')
    assert.match(page.body, /authenticator app/)
    const code = authenticator.generate(secret)
    assert.equal((await again.submit('/sign-in/code', '/sign-in/code', { code })).headers.location, '/dashboard')

    const replay = new Browser(t.app)
    await replay.submit('/sign-in', '/sign-in', { name: account.email, password: TEST_PASSWORD })
    assert.equal((await replay.submit('/sign-in/code', '/sign-in/code', { code })).statusCode, 400, 'an app code works once')
    const withRecovery = await replay.submit('/sign-in/code', '/sign-in/code', { code: recovery[0]!.toUpperCase() })
    assert.equal(withRecovery.headers.location, '/dashboard')

    const reuse = new Browser(t.app)
    await reuse.submit('/sign-in', '/sign-in', { name: account.email, password: TEST_PASSWORD })
    assert.equal((await reuse.submit('/sign-in/code', '/sign-in/code', { code: recovery[0]! })).statusCode, 400, 'a recovery code works once')
  })

  it('needs a signed-in person to set one up', async () => {
    assert.equal((await t.app.inject('/account/authenticator')).headers.location, '/sign-in')
  })
})
