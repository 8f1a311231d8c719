import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { accessibilityViolations, browserMissing, startJourney, type Journey } from '../helpers/browser.js'

const skip = browserMissing()

describe('the home page in a browser', { skip }, () => {
  let journey: Journey
  let browser: Browser
  let base: string
  const consoleErrors: string[] = []

  before(async () => {
    journey = await startJourney()
    ;({ browser, base } = journey)
  })
  after(() => journey?.close())

  async function open(path: string): Promise<Page> {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    await page.goto(`${base}${path}`)
    return page
  }

  it('loads, switches to Kiswahili, and has no accessibility violations in either language', async () => {
    const page = await open('/')
    assert.equal(await page.locator('h1').innerText(), 'eCitizen: government services in one place')
    assert.deepEqual(await accessibilityViolations(page), [])

    await page.getByRole('link', { name: 'Kiswahili' }).click()
    await page.waitForURL(/lang=sw/)
    assert.equal(await page.locator('h1').innerText(), 'eCitizen: huduma za serikali mahali pamoja')
    assert.equal(await page.locator('html').getAttribute('lang'), 'sw')
    assert.deepEqual(await accessibilityViolations(page), [])

    // The choice sticks on the next page without the query string.
    await page.goto(`${base}/feedback`)
    assert.equal(await page.locator('h1').innerText(), 'Ripoti tatizo la huduma hii')
    await page.context().close()
  })

  it('runs the enhancement script under the CSP without errors', async () => {
    const page = await open('/')
    await page.waitForFunction(() => document.body.classList.contains('govuk-frontend-supported'))
    assert.deepEqual(consoleErrors, [])
    await page.context().close()
  })

  it('keeps the form and the error accessible when feedback is sent empty', async () => {
    const page = await open('/feedback')
    await page.getByLabel('What were you doing? (optional)').fill('Paying for a passport')
    await page.getByRole('button', { name: 'Send' }).click()
    await page.locator('.govuk-error-summary').waitFor()
    assert.equal(await page.getByLabel('What were you doing? (optional)').inputValue(), 'Paying for a passport')
    assert.deepEqual(await accessibilityViolations(page), [])

    await page.getByLabel('What went wrong?').fill('The button did nothing')
    await page.getByRole('button', { name: 'Send' }).click()
    await page.waitForURL(/\/feedback\/thanks$/)
    assert.match(await page.locator('h1').innerText(), /Thank you for telling us/)
    await page.context().close()
  })

  it('shows an accessible 404 page', async () => {
    const page = await open('/nowhere')
    assert.equal(await page.locator('h1').innerText(), 'Page not found')
    assert.deepEqual(await accessibilityViolations(page), [])
    await page.context().close()
  })
})
