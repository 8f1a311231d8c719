import fs from 'node:fs'
import assert from 'node:assert/strict'
import { AxeBuilder } from '@axe-core/playwright'
import pino from 'pino'
import { chromium, type Browser, type Page } from 'playwright-core'
import { seedDemoData } from '../../src/seed.js'
import { testApp, type TestApp } from './app.js'
import { freshDatabase } from './database.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Debian's Chromium, headless. Without a browser the journeys are skipped on a developer's machine
 * and fail in CI, where a missing browser must never pass unnoticed.
 */
export function browserMissing(): string | false {
  if (fs.existsSync(CHROMIUM)) return false
  if (process.env.CI) throw new Error(`no browser at ${CHROMIUM}: CI must install chromium`)
  return `no browser at ${CHROMIUM} (apt-get install chromium)`
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** WCAG 2.2 AA violations axe-core finds on the page, one line each (empty when there are none). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze()
  assert.ok(results.passes.length > 10, 'axe ran its checks')
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
}

/** Fails the test with every WCAG 2.2 AA violation axe-core finds on the page. */
export async function expectAccessible(page: Page): Promise<void> {
  assert.deepEqual(await accessibilityViolations(page), [], `on ${page.url()}`)
}

export interface Journey {
  t: TestApp
  browser: Browser
  base: string
  close(): Promise<void>
}

/**
 * The portal with its demo data, listening on a free local port, and a browser to drive it. The demo
 * data (agencies, registers, accounts, offices and slots) goes in first; then the app, which fills the
 * catalogue's search table from the definitions.
 */
export async function startJourney(options: Omit<Parameters<typeof testApp>[0] & object, 'database'> = {}): Promise<Journey> {
  const database = await freshDatabase()
  await seedDemoData(database, pino({ level: 'silent' }))
  const t = await testApp({ ...options, database })
  const base = await t.app.listen({ host: '127.0.0.1', port: 0 })
  const browser = await launchBrowser()
  return {
    t,
    browser,
    base,
    close: async () => {
      await browser.close()
      await t.close()
    },
  }
}
