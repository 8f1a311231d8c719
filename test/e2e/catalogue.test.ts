import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import type { Browser } from 'playwright-core'
import { loadServicesOrExplain } from '../../src/modules/catalogue/load.js'
import { syncCatalogue } from '../../src/modules/catalogue/store.js'
import { seedDemoData } from '../../src/seed.js'
import { testApp, type TestApp } from '../helpers/app.js'
import { accessibilityViolations, browserMissing, launchBrowser } from '../helpers/browser.js'
import { freshDatabase } from '../helpers/database.js'

const skip = browserMissing()

describe('finding a service in a browser', { skip }, () => {
  let t: TestApp
  let browser: Browser
  let base: string

  before(async () => {
    const database = await freshDatabase()
    await seedDemoData(database, pino({ level: 'silent' }))
    const { catalogue, categories } = await loadServicesOrExplain()
    await syncCatalogue(database.db, catalogue, categories)
    t = await testApp({
      database,
    })
    base = await t.app.listen({ host: '127.0.0.1', port: 0 })
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await t?.close()
  })

  it('searches in Kiswahili, filters, opens the passport page, all without accessibility violations', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${base}/services?lang=sw`)
    assert.deepEqual(await accessibilityViolations(page), [])

    await page.getByLabel('Tafuta huduma').fill('pasip')
    await page.getByLabel('Idara').selectOption('DIS')
    await page.getByRole('button', { name: 'Tafuta' }).click()
    await page.waitForURL(/q=pasip/)
    assert.deepEqual(await accessibilityViolations(page), [])
    await page.getByRole('link', { name: 'Omba pasipoti ya kawaida' }).click()

    await page.waitForURL(/\/services\/ordinary-passport$/)
    assert.equal(await page.locator('h1').innerText(), 'Omba pasipoti ya kawaida')
    assert.match(await page.locator('table').innerText(), /Kurasa 66 \(KES 12,500\)\s+KES 12,500\s+KES 50\s+KES 12,550/)
    assert.deepEqual(await accessibilityViolations(page), [])

    await page.getByRole('button', { name: 'Anza sasa' }).click()
    await page.waitForURL(/\/sign-in$/)
    await page.context().close()
  })

  it('browses by category in English', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${base}/services?lang=en`)
    await page.getByRole('link', { name: 'Driving and transport' }).click()
    await page.waitForURL(/category=driving/)
    assert.equal(await page.locator('h1').innerText(), 'Driving and transport')
    assert.equal(await page.locator('.app-results li').count(), 2)
    assert.deepEqual(await accessibilityViolations(page), [])
    await page.context().close()
  })
})
