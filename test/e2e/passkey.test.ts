import assert from 'node:assert/strict'
import net from 'node:net'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ACCOUNTS } from '../../src/modules/accounts/demo-accounts.js'
import { seedDemoData } from '../../src/seed.js'
import { codeIn, lastMessageTo } from '../helpers/accounts.js'
import { testApp, type TestApp } from '../helpers/app.js'
import { browserMissing, expectAccessible, launchBrowser } from '../helpers/browser.js'
import { freshDatabase } from '../helpers/database.js'

const skip = browserMissing()

/** A port nobody uses now: the app must know its public address (the passkeys' relying party) before it listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/**
 * Passkeys with Chromium's virtual authenticator. The portal is reached as http://localhost:PORT, not
 * 127.0.0.1: WebAuthn refuses IP addresses as relying parties, and localhost counts as a secure origin.
 */
describe('passkeys in a browser', { skip }, () => {
  let t: TestApp
  let browser: Browser
  let base: string
  const demo = DEMO_ACCOUNTS[0]!

  before(async () => {
    const port = await freePort()
    base = `http://localhost:${port}`
    const database = await freshDatabase()
    t = await testApp({ database, env: { PUBLIC_URL: base } })
    await seedDemoData(t.database, pino({ level: 'silent' }))
    await t.app.listen({ host: '127.0.0.1', port })
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await t?.close()
  })

  async function password(page: Page): Promise<void> {
    await page.goto(`${base}/sign-in`)
    await page.getByLabel('Email address or ID number').fill(demo.idNumber!)
    await page.getByLabel('Password', { exact: true }).fill(demo.password)
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/sign-in\/code$/)
  }

  async function smsCode(page: Page): Promise<void> {
    await page.getByLabel('Security code').fill(codeIn(await lastMessageTo(t.database.db, demo.phone)))
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/dashboard$/)
  }

  it('adds a passkey, signs out, and signs in again with password and passkey', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable')
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    })

    await password(page)
    await smsCode(page)
    await page.goto(`${base}/account/authenticator`)
    await page.getByRole('link', { name: 'Use a passkey instead of a code' }).click()
    await page.waitForURL(/\/account\/passkeys$/)
    await page.getByText('You have not added a passkey yet.').waitFor()
    assert.equal(await page.getByText('Passkeys need JavaScript').isVisible(), false, 'the script replaced the explanation')
    await expectAccessible(page)

    await page.getByLabel('Name for this passkey (optional)').fill('Test laptop')
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await page.waitForURL(/\/account\/passkeys\?added=1$/)
    await page.getByText('Passkey added').first().waitFor()
    await page.getByRole('cell', { name: 'Test laptop', exact: true }).waitFor()
    await expectAccessible(page)

    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await page.waitForURL(/\/signed-out$/)

    const smsBefore = await lastMessageTo(t.database.db, demo.phone)
    await password(page)
    assert.equal(await lastMessageTo(t.database.db, demo.phone), smsBefore, 'no SMS is sent to a passkey account')
    await page.getByRole('heading', { name: 'Use your passkey' }).waitFor()
    await expectAccessible(page)
    // A ceremony that fails in the browser (here: no options) ends on the server's own error page.
    await page.route('**/sign-in/passkey/options', (route) => route.abort())
    await page.getByRole('button', { name: 'Use your passkey' }).click()
    await page.locator('.govuk-error-summary', { hasText: 'Your passkey could not be used' }).waitFor()
    await expectAccessible(page)
    await page.unroute('**/sign-in/passkey/options')
    await page.getByRole('button', { name: 'Use your passkey' }).click()
    await page.waitForURL(/\/dashboard$/)
    assert.match(await page.locator('h1').innerText(), /My applications/)
    await context.close()
  })

  it('without JavaScript, explains passkeys and signs in with a code by text message instead', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await password(page)
    await page.getByText('Passkeys need JavaScript').waitFor()
    assert.equal(await page.getByRole('button', { name: 'Use your passkey' }).isVisible(), false)
    await page.getByRole('button', { name: 'Use a code sent by text message instead' }).click()
    await page.waitForURL(/\/sign-in\/code\?sent=1$/)
    await smsCode(page)

    await page.goto(`${base}/account/passkeys`)
    await page.getByText('Passkeys need JavaScript').waitFor()
    assert.equal(await page.getByRole('button', { name: 'Add a passkey' }).isVisible(), false)
    await page.getByRole('cell', { name: 'Test laptop', exact: true }).waitFor()
    await context.close()
  })

  // axe-core runs as a script, so it cannot check a page with JavaScript off: instead the passkey
  // script alone is kept from loading, which leaves the pages as they are without JavaScript.
  it('is accessible as it stands without the passkey script', async () => {
    const context = await browser.newContext()
    await context.route(/\/assets\/passkeys\.[0-9a-f]+\.js$/, (route) => route.abort())
    const page = await context.newPage()
    await password(page)
    await page.getByText('Passkeys need JavaScript').waitFor()
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Use a code sent by text message instead' }).click()
    await page.waitForURL(/\/sign-in\/code\?sent=1$/)
    await expectAccessible(page)
    await smsCode(page)
    await page.goto(`${base}/account/passkeys`)
    await page.getByText('Passkeys need JavaScript').waitFor()
    await expectAccessible(page)
    await context.close()
  })
})
