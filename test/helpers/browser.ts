import fs from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

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
