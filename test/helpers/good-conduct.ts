import assert from 'node:assert/strict'
import { authenticator } from 'otplib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { DEMO_ACCOUNTS, DEMO_STAFF_TOTP_SECRET } from '../../src/modules/accounts/demo-accounts.js'
import type { Db } from '../../src/platform/db/database.js'
import { codeIn, lastMessageTo } from './accounts.js'

export const GOOD_CONDUCT = 'Apply for a police clearance certificate (certificate of good conduct)'

/** A small PDF as a scanner writes one: the portal checks the first bytes against the type. */
export const ID_SCAN = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(400, 0x20), Buffer.from('\n%%EOF\n')])

/** The demo citizen, Wanjiku (ID 12345678), signed in with the SMS code from the outbox; on the dashboard. */
export async function signInDemoCitizen(context: BrowserContext, base: string, db: Db): Promise<Page> {
  const demo = DEMO_ACCOUNTS[0]!
  const page = await context.newPage()
  await page.goto(`${base}/sign-in`)
  await page.getByLabel('Email address or ID number').fill(demo.idNumber!)
  await page.getByLabel('Password', { exact: true }).fill(demo.password)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(/\/sign-in\/code$/)
  await page.getByLabel('Security code').fill(codeIn(await lastMessageTo(db, demo.phone)))
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(/\/dashboard$/)
  return page
}

/** A demo staff member, signed in with password and the demo authenticator code, in a browser of their own. */
export async function signInDemoStaff(browser: Browser, base: string, email: string): Promise<{ context: BrowserContext; page: Page }> {
  const demo = DEMO_ACCOUNTS.find((account) => account.email === email)!
  const context = await browser.newContext({ acceptDownloads: true })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  await page.goto(`${base}/sign-in`)
  await page.getByLabel('Email address or ID number').fill(demo.email)
  await page.getByLabel('Password', { exact: true }).fill(demo.password)
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(/\/sign-in\/code$/)
  await page.locator('input[name="code"]').fill(authenticator.generate(DEMO_STAFF_TOTP_SECRET))
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(/\/dashboard$/)
  return { context, page }
}

const saveAndContinue = (page: Page) => page.getByRole('button', { name: 'Save and continue' }).click()

/**
 * The good-conduct journey of test/e2e/good-conduct.test.ts without its detours: from the service's
 * start page through the questions, a fingerprint appointment and the declaration, to "awaiting payment"
 * on the application's page. Returns the application's id and reference.
 */
export async function applyForGoodConduct(page: Page, base: string): Promise<{ applicationId: string; reference: string }> {
  await page.goto(`${base}/services/certificate-of-good-conduct`)
  await page.getByRole('button', { name: 'Start now' }).click()
  await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/pages\/personal-details$/)
  const applicationId = /applications\/([0-9a-f-]{36})/.exec(page.url())![1]!

  await page.getByLabel('Surname').fill('Kamau')
  await page.getByLabel('Other names').fill('Wanjiku')
  await page.getByLabel('Day').fill('14')
  await page.getByLabel('Month').fill('3')
  await page.getByLabel('Year').fill('1988')
  await page.getByLabel('County where you live').selectOption('Nairobi')
  await page.getByLabel('Mobile phone number').fill('0712 345 678')
  await saveAndContinue(page)
  await page.waitForURL(/\/pages\/purpose$/)
  await page.getByLabel('Employment').check()
  await saveAndContinue(page)
  await page.waitForURL(/\/pages\/fingerprints$/)
  await page.getByLabel('Fingerprint centre').selectOption({ label: 'Huduma Centre Nakuru' })
  await saveAndContinue(page)
  await page.waitForURL(/\/pages\/documents$/)
  await page.getByLabel(/National ID card or foreign resident card/).setInputFiles({ name: 'id-card.pdf', mimeType: 'application/pdf', buffer: ID_SCAN })
  await saveAndContinue(page)
  await page.waitForURL(new RegExp(`/applications/${applicationId}/check$`))

  // The appointment: the centre chosen in the application, the last day offered, its first time.
  await page.getByRole('link', { name: 'Book your appointment: Fingerprints taken on form C24' }).click()
  await page.waitForURL(new RegExp(`/applications/${applicationId}/appointment$`))
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(/office=huduma-nakuru$/)
  await page.locator('input[name="day"]').last().check()
  await page.getByRole('button', { name: 'Continue' }).click()
  await page.waitForURL(/office=huduma-nakuru&day=\d{4}-\d{2}-\d{2}$/)
  await page.locator('input[name="slot"]').first().check()
  await page.getByRole('button', { name: 'Book this appointment' }).click()
  await page.waitForURL(/\/appointment\?done=booked$/)
  await page.getByRole('button', { name: 'Continue to check your answers' }).click()
  await page.waitForURL(new RegExp(`/applications/${applicationId}/check$`))

  await page.getByLabel(/I declare that the information I have given is true/).check()
  await page.getByRole('button', { name: 'Confirm and go to payment' }).click()
  await page.waitForURL(new RegExp(`/applications/${applicationId}$`))
  assert.match(await page.locator('.govuk-summary-list').first().innerText(), /Awaiting payment/)
  const reference = (await page.locator('.app-reference').innerText()).replace(/\s+/g, '-')
  return { applicationId, reference }
}
