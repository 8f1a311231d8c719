import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ACCOUNTS } from '../../src/modules/accounts/demo-accounts.js'
import { DEMO_ODHIAMBO } from '../../src/modules/registry/demo-fixed.js'
import { browserMissing, expectAccessible, startJourney, type Journey } from '../helpers/browser.js'

const skip = browserMissing()

describe('an account from registration to a second sign-in, in a browser', { skip }, () => {
  let journey: Journey
  let browser: Browser
  let base: string

  before(async () => {
    journey = await startJourney()
    ;({ browser, base } = journey)
  })
  after(() => journey?.close())

  /** The newest message in the developer outbox for a recipient, read the way a developer would. */
  async function fromOutbox(page: Page, recipient: string): Promise<string> {
    await page.goto(`${base}/dev/outbox`)
    const row = page.locator('tbody tr', { hasText: recipient }).first()
    return row.innerText()
  }

  it('registers, confirms email and phone, signs out, signs in with ID number and SMS code, reviews sessions', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const outbox = await context.newPage()

    await page.goto(`${base}/register`)
    await expectAccessible(page)
    await page.getByLabel('Kenyan national ID card').check()
    await page.getByLabel('ID number').fill(DEMO_ODHIAMBO.idNumber!)
    await page.getByLabel('First name').fill('Peter')
    await page.getByLabel('Year of birth').fill('1968')
    await page.getByRole('button', { name: 'Continue' }).click()

    await page.waitForURL(/\/register\/details$/)
    await page.getByLabel('Email address').fill('peter@example.ke')
    await page.getByLabel('Mobile phone number').fill('0712 345 678')
    await page.getByLabel('Create a password').fill('password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.locator('.govuk-error-summary').waitFor()
    await expectAccessible(page)
    assert.equal(await page.getByLabel('Email address').inputValue(), 'peter@example.ke', 'typed details kept')
    await page.getByLabel('Create a password').fill('mango tree by the river')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/\/register\/check-email$/)

    const email = await fromOutbox(outbox, 'peter@example.ke')
    const link = /http\S+\/account\/verify-email\/\S+/.exec(email)?.[0]
    assert.ok(link, 'the outbox shows the confirmation link')
    await outbox.goto(link.replace(/^https?:\/\/[^/]+/, base))
    assert.match(await outbox.locator('h1').innerText(), /Your email address is confirmed/)

    const sms = await fromOutbox(outbox, '+254712345678')
    const phoneCode = /\b\d{6}\b/.exec(sms)?.[0]
    assert.ok(phoneCode)
    await page.goto(`${base}/account/verify`)
    await page.getByLabel(/Enter the 6-digit code/).fill(phoneCode)
    await page.getByRole('button', { name: 'Confirm phone' }).click()
    await page.getByText('The phone number ending 678 is confirmed.').waitFor()
    await expectAccessible(page)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/signed-out$/)

    await page.goto(`${base}/sign-in`)
    await expectAccessible(page)
    await page.getByLabel('Email address or ID number').fill(DEMO_ODHIAMBO.idNumber!)
    await page.getByLabel('Password', { exact: true }).fill('mango tree by the river')
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/sign-in\/code$/)
    await expectAccessible(page)
    const signInSms = await fromOutbox(outbox, '+254712345678')
    const signInCode = /sign-in code is (\d{6})/.exec(signInSms)?.[1]
    assert.ok(signInCode)
    await page.getByLabel('Security code').fill(signInCode)
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/dashboard$/)
    assert.match(await page.locator('h1').innerText(), /My applications/)
    await expectAccessible(page)

    await page.getByRole('link', { name: 'Where you are signed in' }).click()
    await page.waitForURL(/\/account\/sessions$/)
    await page.getByText('This device').waitFor()
    await expectAccessible(page)
    // The table's button, named with its device ("Sign out Chrome · Linux"), not the menu's.
    await page.getByRole('button', { name: /^Sign out .+/ }).click()
    await page.waitForURL(/\/signed-out$/)
    await page.goto(`${base}/dashboard`)
    await page.waitForURL(/\/sign-in$/)
    await context.close()
  })

  it('shows an accessible authenticator set-up page to the demo citizen', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const outbox = await context.newPage()
    const demo = DEMO_ACCOUNTS[0]!
    await page.goto(`${base}/sign-in`)
    await page.getByLabel('Email address or ID number').fill(demo.idNumber!)
    await page.getByLabel('Password', { exact: true }).fill(demo.password)
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/sign-in\/code$/)
    const code = /sign-in code is (\d{6})/.exec(await fromOutbox(outbox, demo.phone))?.[1]
    await page.getByLabel('Security code').fill(code!)
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/dashboard$/)
    await page.getByRole('link', { name: 'Use an authenticator app instead of text messages' }).click()
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor()
    await expectAccessible(page)
    await context.close()
  })
})
