import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { authenticator as totp } from 'otplib'
import { Browser, codeIn, createAccount, lastMessageTo, TEST_PASSWORD, TEST_TOTP_SECRET } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { SoftAuthenticator } from '../../../test/helpers/webauthn.js'
import type { Role, SecondFactor } from '../../platform/db/schema.js'
import type { Account } from './store.js'

describe(`passkeys on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    const database = await freshDatabase()
    t = await testApp({ database })
  })
  after(() => t.close())

  const db = () => t.database.db
  const passkeysOf = async (accountId: string) => db().selectFrom('passkeys').selectAll().where('account_id', '=', accountId).execute()
  const factorOf = async (accountId: string) => (await db().selectFrom('accounts').select('second_factor').where('id', '=', accountId).executeTakeFirstOrThrow()).second_factor

  /** At the second-factor stage: password given. */
  async function halfway(account: Account): Promise<Browser> {
    const browser = new Browser(t.app)
    const first = await browser.submit('/sign-in', '/sign-in', { name: account.email, password: TEST_PASSWORD })
    assert.equal(first.headers.location, '/sign-in/code')
    return browser
  }

  /** Fully signed in, with an SMS code (or an app code). */
  async function signedIn(options: { role?: Role; secondFactor?: SecondFactor } = {}): Promise<{ account: Account; browser: Browser }> {
    const account = await createAccount(db(), { ...options, agencyCode: undefined })
    const browser = await halfway(account)
    const code = account.second_factor === 'totp' ? totp.generate(TEST_TOTP_SECRET) : codeIn(await lastMessageTo(db(), account.phone))
    assert.equal((await browser.submit('/sign-in/code', '/sign-in/code', { code })).headers.location, '/dashboard')
    return { account, browser }
  }

  async function registrationOptions(browser: Browser) {
    const answer = await browser.submit('/account/passkeys', '/account/passkeys/options', {})
    assert.equal(answer.statusCode, 200, answer.body)
    return answer.json<{ challenge: string; rp: { id: string; name: string }; user: { id: string; name: string }; excludeCredentials: { id: string }[]; attestation: string }>()
  }

  const add = async (browser: Browser, credential: string, name = 'My phone') => browser.submit('/account/passkeys', '/account/passkeys', { name, credential })

  async function withPasskey(options: { role?: Role; secondFactor?: SecondFactor } = {}) {
    const { account, browser } = await signedIn(options)
    const soft = new SoftAuthenticator()
    assert.equal((await add(browser, soft.register(await registrationOptions(browser)))).headers.location, '/account/passkeys?added=1')
    return { account, browser, soft }
  }

  async function signInOptions(browser: Browser) {
    const answer = await browser.submit('/sign-in/code', '/sign-in/passkey/options', {})
    assert.equal(answer.statusCode, 200, answer.body)
    return answer.json<{ challenge: string; rpId: string; allowCredentials: { id: string }[] }>()
  }

  const answer = (browser: Browser, credential: string) => browser.submit('/sign-in/code', '/sign-in/passkey', { credential })

  it('adds a passkey, then signs in with password and passkey, moving the counter and auditing without secrets', async () => {
    const { account, browser } = await signedIn()
    const page = await browser.get('/account/passkeys')
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Passkeys need JavaScript/, 'the page explains itself without script')
    assert.match(page.body, /<script src="\/assets\/passkeys\.[0-9a-f]+\.js" defer><\/script>/)
    const options = await registrationOptions(browser)
    assert.equal(options.rp.id, 'localhost')
    assert.equal(options.user.name, account.email)
    assert.equal(Buffer.from(options.user.id, 'base64url').toString('hex'), account.id.replace(/-/g, ''), 'the handle is the account id, not personal data')
    assert.ok(options.challenge.length >= 32)
    assert.deepEqual(options.excludeCredentials, [])
    assert.equal(options.attestation, 'none')

    const soft = new SoftAuthenticator()
    assert.equal((await add(browser, soft.register(options))).headers.location, '/account/passkeys?added=1')
    const [stored] = await passkeysOf(account.id)
    assert.equal(stored?.name, 'My phone')
    assert.equal(stored?.credential_id, soft.id)
    assert.deepEqual(stored?.transports, ['internal'])
    assert.equal(await factorOf(account.id), 'passkey')
    assert.match((await browser.get('/account/passkeys?added=1')).body, /Passkey added[\s\S]*My phone/)
    assert.deepEqual((await registrationOptions(browser)).excludeCredentials.map((c) => c.id), [soft.id], 'the same authenticator is not added twice')

    const smsBefore = await lastMessageTo(db(), account.phone)
    const again = await halfway(account)
    assert.equal(await lastMessageTo(db(), account.phone), smsBefore, 'no SMS for a passkey account')
    const codePage = await again.get('/sign-in/code')
    assert.match(codePage.body, /Use your passkey/)
    assert.match(codePage.body, /data-passkey="sign-in"/)
    assert.match(codePage.body, /Use a code sent by text message instead/)
    assert.equal((await again.get('/dashboard')).headers.location, '/sign-in', 'one factor is not enough')
    const signIn = await signInOptions(again)
    assert.equal(signIn.rpId, 'localhost')
    assert.deepEqual(signIn.allowCredentials.map((c) => c.id), [soft.id])
    assert.equal((await answer(again, soft.authenticate(signIn))).headers.location, '/dashboard')
    assert.equal((await again.get('/dashboard')).statusCode, 200)
    const [used] = await passkeysOf(account.id)
    assert.equal(Number(used?.counter), 1)
    assert.ok(used?.last_used_at)

    const entries = await db().selectFrom('audit_log').select(['action', 'outcome', 'details']).where('actor_id', '=', account.id).execute()
    assert.ok(entries.some((e) => e.action === 'passkey.register' && e.outcome === 'success'))
    assert.ok(entries.some((e) => e.action === 'sign-in.second-factor' && e.outcome === 'success' && e.details.method === 'passkey'))
    const text = JSON.stringify(entries)
    assert.ok(!text.includes(soft.id) && !text.includes(signIn.challenge), 'no credential id or challenge in the audit log')
  })

  it('uses each challenge once, and not after it expires', async () => {
    const { account, soft } = await withPasskey()
    const first = await halfway(account)
    const firstOptions = await signInOptions(first)
    const stale = soft.authenticate(firstOptions)
    assert.equal((await answer(first, stale)).headers.location, '/dashboard')

    const second = await halfway(account)
    const secondOptions = await signInOptions(second)
    assert.equal((await answer(second, stale)).statusCode, 400, 'an answer to another challenge')
    assert.equal((await answer(second, soft.authenticate(secondOptions))).statusCode, 400, 'the challenge went with the refused answer')
    const thirdOptions = await signInOptions(second)
    await sql`update passkey_challenges set expires_at = now() - interval '1 second'`.execute(db())
    assert.equal((await answer(second, soft.authenticate(thirdOptions))).statusCode, 400, 'an expired challenge')
    assert.equal((await answer(second, soft.authenticate(thirdOptions))).statusCode, 400, 'no challenge at all')
    assert.equal((await answer(second, soft.authenticate(await signInOptions(second)))).headers.location, '/dashboard')

    const { account: other, browser } = await signedIn()
    const options = await registrationOptions(browser)
    await sql`update passkey_challenges set expires_at = now() - interval '1 second'`.execute(db())
    assert.equal((await add(browser, new SoftAuthenticator().register(options))).statusCode, 400)
    assert.equal((await passkeysOf(other.id)).length, 0)
  })

  it('refuses bad and mismatched answers with 4xx, changing nothing', async () => {
    const { account, browser } = await signedIn()
    const bad: [string, (options: { challenge: string }) => string][] = [
      ['empty', () => ''],
      ['not JSON', () => '{nope'],
      ['not an object', () => '[]'],
      ['another site', (o) => new SoftAuthenticator('https://ecitizen.example.com').register(o)],
      ['another relying party', (o) => new SoftAuthenticator().register(o, { rpId: 'evil.example' })],
      ['a sign-in answer', (o) => new SoftAuthenticator().register(o, { type: 'webauthn.get' })],
      ['its own challenge', (o) => new SoftAuthenticator().register(o, { challenge: 'bWFkZS11cC1jaGFsbGVuZ2U' })],
    ]
    for (const [label, make] of bad) {
      const refused = await add(browser, make(await registrationOptions(browser)))
      assert.equal(refused.statusCode, 400, label)
      assert.match(refused.body, /The passkey was not added/, label)
    }
    assert.equal((await add(browser, 'x', 'n'.repeat(61))).statusCode, 400, 'a name too long')
    assert.equal((await passkeysOf(account.id)).length, 0)
    assert.equal(await factorOf(account.id), 'sms')
    const noToken = await t.app.inject({ method: 'POST', url: '/account/passkeys/options', headers: { cookie: browser.cookieHeader } })
    assert.equal(noToken.statusCode, 403, 'CSRF applies to the JSON endpoints')

    const { account: owner, soft } = await withPasskey()
    const halfSigned = await halfway(owner)
    const cases: [string, (o: { challenge: string }) => string][] = [
      ['another site', (o) => soft.authenticate(o, { origin: 'https://ecitizen.example.com' })],
      ['another relying party', (o) => soft.authenticate(o, { rpId: 'evil.example' })],
      ['an unknown passkey', (o) => new SoftAuthenticator().authenticate(o)],
      ['a registration answer', (o) => soft.register(o)],
    ]
    for (const [label, make] of cases) assert.equal((await answer(halfSigned, make(await signInOptions(halfSigned)))).statusCode, 400, label)
    // A clone of the authenticator: its counter does not move past the one last seen.
    assert.equal((await answer(halfSigned, soft.authenticate(await signInOptions(halfSigned)))).headers.location, '/dashboard')
    const cloneUser = await halfway(owner)
    soft.counter -= 1
    const cloned = await answer(cloneUser, soft.authenticate(await signInOptions(cloneUser)))
    assert.equal(cloned.statusCode, 400)
    assert.match(cloned.body, /Your passkey could not be used/)
    const reasons = await db().selectFrom('audit_log').select('details').where('actor_id', '=', owner.id).where('action', '=', 'sign-in.second-factor').where('outcome', '=', 'failure').execute()
    assert.ok(reasons.some((r) => r.details.reason === 'counter'))

    assert.equal((await t.app.inject({ method: 'POST', url: '/sign-in/passkey/options', headers: { accept: 'application/json' } })).statusCode, 403, 'not at the second-factor stage')
  })

  it('removes only the person’s own passkeys; without any, the second factor is the app or SMS again', async () => {
    const { account, browser } = await withPasskey()
    const second = new SoftAuthenticator()
    await add(browser, second.register(await registrationOptions(browser)), 'Laptop')
    const [mine, other] = await passkeysOf(account.id)

    const { account: stranger, browser: strangerBrowser, soft: strangersKey } = await withPasskey()
    const attempt = await strangerBrowser.submit('/account/passkeys', '/account/passkeys/remove', { passkey: mine!.id })
    assert.equal(attempt.statusCode, 404)
    assert.equal((await strangerBrowser.submit('/account/passkeys', '/account/passkeys/remove', { passkey: 'not-an-id' })).statusCode, 404)
    assert.equal((await passkeysOf(account.id)).length, 2)
    const strangerHalfway = await halfway(stranger)
    assert.equal((await answer(strangerHalfway, second.authenticate(await signInOptions(strangerHalfway)))).statusCode, 400, 'another person’s passkey does not sign in')
    assert.equal((await answer(strangerHalfway, strangersKey.authenticate(await signInOptions(strangerHalfway)))).headers.location, '/dashboard')

    assert.equal((await browser.submit('/account/passkeys', '/account/passkeys/remove', { passkey: mine!.id })).headers.location, '/account/passkeys?removed=1')
    assert.equal(await factorOf(account.id), 'passkey', 'one passkey is left')
    await browser.submit('/account/passkeys', '/account/passkeys/remove', { passkey: other!.id })
    assert.equal(await factorOf(account.id), 'sms')
    assert.match((await browser.get('/account/passkeys')).body, /You have not added a passkey yet/)

    const { account: appUser, browser: appBrowser } = await withPasskey({ secondFactor: 'totp' })
    assert.equal(await factorOf(appUser.id), 'passkey')
    const [only] = await passkeysOf(appUser.id)
    await appBrowser.submit('/account/passkeys', '/account/passkeys/remove', { passkey: only!.id })
    assert.equal(await factorOf(appUser.id), 'totp')
    const removed = await db().selectFrom('audit_log').select('details').where('actor_id', '=', appUser.id).where('action', '=', 'passkey.remove').executeTakeFirstOrThrow()
    assert.deepEqual(removed.details, { remaining: 0, secondFactor: 'totp' })
  })

  it('lets a citizen fall back to an SMS code, staff only to their app', async () => {
    const { account } = await withPasskey()
    const browser = await halfway(account)
    assert.equal((await browser.submit('/sign-in/code', '/sign-in/code/resend', {})).headers.location, '/sign-in/code?sent=1')
    const page = await browser.get('/sign-in/code?sent=1')
    assert.match(page.body, /name="code"/)
    assert.match(page.body, /Use your passkey instead/)
    const code = codeIn(await lastMessageTo(db(), account.phone))
    assert.equal((await browser.submit('/sign-in/code?sent=1', '/sign-in/code', { code })).headers.location, '/dashboard')

    const { account: officer } = await withPasskey({ role: 'support_agent', secondFactor: 'totp' })
    // The app code used to sign in a moment ago would be a replay within the same 30-second step.
    await db().updateTable('accounts').set({ totp_last_step: null }).where('id', '=', officer.id).execute()
    const staffBrowser = await halfway(officer)
    const staffPage = await staffBrowser.get('/sign-in/code')
    assert.match(staffPage.body, /Use your authenticator app instead/)
    assert.doesNotMatch(staffPage.body, /text message instead/)
    const smsBefore = await lastMessageTo(db(), officer.phone).catch(() => '')
    assert.equal((await staffBrowser.submit('/sign-in/code', '/sign-in/code/resend', {})).headers.location, '/sign-in/code?use=code')
    assert.equal(await lastMessageTo(db(), officer.phone).catch(() => ''), smsBefore, 'no SMS for staff')
    assert.equal((await staffBrowser.submit('/sign-in/code?use=code', '/sign-in/code', { code: totp.generate(TEST_TOTP_SECRET) })).headers.location, '/dashboard')

    // Staff with a passkey and no app have no way round the passkey: no code is sent or accepted.
    await db().updateTable('accounts').set({ totp_secret: null }).where('id', '=', officer.id).execute()
    const noApp = await halfway(officer)
    const noAppPage = await noApp.get('/sign-in/code')
    assert.match(noAppPage.body, /ask your agency’s administrator/)
    await noApp.submit('/sign-in/code', '/sign-in/code/resend', {})
    assert.equal(await lastMessageTo(db(), officer.phone).catch(() => ''), smsBefore)
    assert.equal((await noApp.submit('/sign-in/code', '/sign-in/code', { code: '123456' })).statusCode, 400)
  })
})
