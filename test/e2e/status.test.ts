import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { serverErrors } from '../helpers/app.js'
import { browserMissing, expectAccessible, startJourney, type Journey } from '../helpers/browser.js'
import { signInDemoStaff } from '../helpers/good-conduct.js'

const skip = browserMissing()

/**
 * The platform admin opens an incident affecting the M-Pesa prompt: the status page and every page's
 * banner say so, with the paybill as the way round; resolving it takes the banner away.
 */
describe('an incident on the status page and the banner, in a browser', { skip }, () => {
  let journey: Journey
  let admin: BrowserContext
  let adminPage: Page
  let visitors: BrowserContext
  let visitor: Page

  before(async () => {
    journey = await startJourney()
    ;({ context: admin, page: adminPage } = await signInDemoStaff(journey.browser, journey.base, 'platform.admin@demo.ecitizen.example'))
    visitors = await journey.browser.newContext()
    visitor = await visitors.newPage()
  })
  after(async () => {
    await admin?.close()
    await visitors?.close()
    await journey?.close()
  })

  it('shows every service working normally, accessibly', async () => {
    await visitor.goto(`${journey.base}/status`)
    assert.match(await visitor.locator('main').innerText(), /All services are working normally\./)
    await expectAccessible(visitor)
  })

  it('opens an incident from the admin pages, keeping what was typed when a language is missing', async () => {
    const base = journey.base
    await adminPage.goto(`${base}/admin/status`)
    await expectAccessible(adminPage)
    await adminPage.getByRole('button', { name: 'Open an incident' }).click()
    await adminPage.waitForURL(/\/admin\/status\/incidents\/new$/)
    await adminPage.getByLabel('M-Pesa payment prompt').check()
    await adminPage.locator('input[name="impact"][value="major-outage"]').check()
    await adminPage.getByLabel('Title in English').fill('M-Pesa prompts are not reaching phones')
    await adminPage.getByLabel('Message in English').fill('We are working with Safaricom to restore the prompts.')
    await adminPage.getByRole('button', { name: 'Open the incident' }).click()
    assert.match(await adminPage.locator('.govuk-error-summary').innerText(), /Enter the title in Kiswahili/)
    assert.equal(await adminPage.getByLabel('Title in English').inputValue(), 'M-Pesa prompts are not reaching phones')
    await expectAccessible(adminPage)

    await adminPage.getByLabel('Title in Kiswahili').fill('Maombi ya M-Pesa hayafiki kwenye simu')
    await adminPage.getByLabel('Message in Kiswahili').fill('Tunashirikiana na Safaricom kurejesha maombi.')
    await adminPage.getByRole('button', { name: 'Open the incident' }).click()
    await adminPage.waitForURL(/\/admin\/status\/incidents\/[0-9a-f-]{36}/)
    await expectAccessible(adminPage)
  })

  it('tells everyone on the status page and in the banner, with the paybill as the way round', async () => {
    await visitor.goto(`${journey.base}/status`)
    const status = await visitor.locator('main').innerText()
    assert.match(status, /M-Pesa prompts are not reaching phones/)
    assert.match(status, /Unavailable/)
    await expectAccessible(visitor)

    await visitor.goto(`${journey.base}/services`)
    const banner = await visitor.locator('.govuk-notification-banner').innerText()
    assert.match(banner, /M-Pesa prompts are not reaching phones/)
    assert.match(banner, new RegExp(`paybill number ${journey.t.config.mpesaShortcode}`))
    await expectAccessible(visitor)

    await visitor.goto(`${journey.base}/services?lang=sw`)
    assert.match(await visitor.locator('.govuk-notification-banner').innerText(), /Maombi ya M-Pesa hayafiki kwenye simu/)
    await visitor.goto(`${journey.base}/services?lang=en`)
  })

  it('resolving the incident takes the banner away', async () => {
    await adminPage.locator('input[name="status"][value="resolved"]').check()
    await adminPage.getByLabel('Message in English').fill('Prompts are reaching phones again. We are sorry for the trouble.')
    await adminPage.getByLabel('Message in Kiswahili').fill('Maombi yanafika kwenye simu tena. Tunaomba radhi kwa usumbufu.')
    await adminPage.getByRole('button', { name: 'Post the update' }).click()
    await adminPage.waitForLoadState()
    await visitor.goto(`${journey.base}/services`)
    assert.equal(await visitor.locator('.govuk-notification-banner').count(), 0)
    await visitor.goto(`${journey.base}/status`)
    assert.match(await visitor.locator('main').innerText(), /All services are working normally\./)
    assert.deepEqual(serverErrors(journey.t.logs), [])
  })
})
