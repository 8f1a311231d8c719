import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { DEMO_ACCOUNTS } from '../../src/modules/accounts/demo-accounts.js'
import { seedDemoData } from '../../src/seed.js'
import { codeIn, lastMessageTo } from '../helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../helpers/app.js'
import { browserMissing, expectAccessible, launchBrowser } from '../helpers/browser.js'
import { freshDatabase } from '../helpers/database.js'

const skip = browserMissing()

const SERVICE = 'Apply for a police clearance certificate (certificate of good conduct)'

/** A small PDF as a scanner writes one: the portal checks the first bytes against the type. */
const ID_SCAN = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(400, 0x20), Buffer.from('\n%%EOF\n')])

/**
 * The "done when": the demo citizen applies for a certificate of good conduct, loses the
 * browser midway, resumes from the dashboard, books a fingerprint slot from check answers, and submits.
 * Payment comes later: the journey stops at "awaiting payment". The first browser runs without
 * JavaScript, so the sign-in and the first question pages are proved to work without it.
 */
describe('a certificate of good conduct, from start to awaiting payment, in a browser', { skip }, () => {
  let t: TestApp
  let browser: Browser
  let base: string
  const demo = DEMO_ACCOUNTS[0]!

  before(async () => {
    const database = await freshDatabase()
    // Agencies, the registers, the demo accounts, offices and four weeks of slots; then the app, which
    // fills the catalogue's search table from the definitions.
    await seedDemoData(database, pino({ level: 'silent' }))
    t = await testApp({ database })
    base = await t.app.listen({ host: '127.0.0.1', port: 0 })
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await t?.close()
  })

  async function signIn(context: BrowserContext): Promise<Page> {
    const page = await context.newPage()
    await page.goto(`${base}/sign-in`)
    await page.getByLabel('Email address or ID number').fill(demo.idNumber!)
    await page.getByLabel('Password', { exact: true }).fill(demo.password)
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/sign-in\/code$/)
    await page.getByLabel('Security code').fill(codeIn(await lastMessageTo(t.database.db, demo.phone)))
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/\/dashboard$/)
    return page
  }

  const saveAndContinue = (page: Page) => page.getByRole('button', { name: 'Save and continue' }).click()

  let applicationId = ''
  let reference = ''

  it('starts without JavaScript, answers the first pages, then loses the browser', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await signIn(context)
    assert.equal(await page.locator('body.govuk-frontend-supported').count(), 0, 'no script ran')

    await page.getByRole('link', { name: 'Find a service' }).first().click()
    await page.waitForURL(/\/services/)
    await page.getByLabel('Search for a service').fill('good conduct')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL(/q=good/)
    await page.getByRole('link', { name: SERVICE }).click()
    await page.waitForURL(/\/services\/certificate-of-good-conduct$/)
    await page.getByRole('button', { name: 'Start now' }).click()

    // Only for oneself: no "who is it for" question, straight to the first page.
    await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/pages\/personal-details$/)
    applicationId = /applications\/([0-9a-f-]{36})/.exec(page.url())![1]!
    assert.equal(await page.locator('h1').innerText(), 'Your details')

    // A mistake first: the page comes back with the error and what was typed, without script.
    await page.getByLabel('Surname').fill('Kamau')
    await saveAndContinue(page)
    await page.locator('.govuk-error-summary').waitFor()
    assert.match(await page.title(), /^Error: Your details/)
    assert.equal(await page.getByLabel('Surname').inputValue(), 'Kamau')

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

    // The browser is lost midway: nothing is saved "for later", the answers so far are on the server.
    await context.close()
  })

  it('resumes the draft from the dashboard in a new browser, books fingerprints from check answers, and submits', async () => {
    assert.ok(applicationId, 'the first part ran')
    const context = await browser.newContext()
    const page = await signIn(context)
    await page.locator('body.govuk-frontend-supported').waitFor({ state: 'attached' })

    const drafts = page.locator('table', { has: page.locator('caption', { hasText: 'Drafts' }) })
    const row = drafts.locator('tr', { has: page.getByRole('link', { name: SERVICE }) })
    reference = (/\b(DCI-[0-9A-Z]{4}-[0-9A-Z]{4})\b/.exec(await row.innerText()) ?? [])[1] ?? ''
    assert.match(reference, /^DCI-/, 'the draft is listed with its reference')
    await expectAccessible(page)

    // Where they left off: the fingerprint centre, with the earlier answers kept.
    await row.getByRole('link', { name: SERVICE }).click()
    await page.waitForURL(new RegExp(`/applications/${applicationId}/pages/fingerprints$`))
    await expectAccessible(page)
    await page.getByLabel('Fingerprint centre').selectOption({ label: 'Huduma Centre Nakuru' })
    await saveAndContinue(page)

    await page.waitForURL(/\/pages\/documents$/)
    await page.getByLabel(/National ID card or foreign resident card/).setInputFiles({ name: 'id-card.pdf', mimeType: 'application/pdf', buffer: ID_SCAN })
    await saveAndContinue(page)

    await page.waitForURL(new RegExp(`/applications/${applicationId}/check$`))
    assert.equal(await page.locator('h1').innerText(), 'Check your answers')
    const answers = await page.locator('main').innerText()
    for (const answer of ['Kamau', 'Wanjiku', '14/03/1988', 'Nairobi', 'Employment', 'Huduma Centre Nakuru', 'id-card.pdf']) assert.ok(answers.includes(answer), answer)
    await expectAccessible(page)

    // Not booked yet: a link to book, then office (the centre chosen in the application, pre-selected), day, time.
    await page.getByRole('link', { name: 'Book your appointment: Fingerprints taken on form C24' }).click()
    await page.waitForURL(new RegExp(`/applications/${applicationId}/appointment$`))
    assert.equal(await page.getByLabel('Huduma Centre Nakuru').isChecked(), true, 'the centre named in the application is pre-selected')
    assert.match(await page.locator('legend').innerText(), /Fingerprints taken on form C24\s+Choose an office/)
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Continue' }).click()

    await page.waitForURL(/office=huduma-nakuru$/)
    await expectAccessible(page)
    // The last day offered: a time later today could pass while the test runs.
    const day = page.locator('input[name="day"]').last()
    const dayText = await page.locator(`label[for="${await day.getAttribute('id')}"]`).innerText()
    await day.check()
    await page.getByRole('button', { name: 'Continue' }).click()

    await page.waitForURL(/office=huduma-nakuru&day=\d{4}-\d{2}-\d{2}$/)
    await expectAccessible(page)
    const time = page.locator('input[name="slot"]').first()
    const timeText = await page.locator(`label[for="${await time.getAttribute('id')}"]`).innerText()
    await time.check()
    await page.getByRole('button', { name: 'Book this appointment' }).click()

    await page.waitForURL(/\/appointment\?done=booked$/)
    assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Appointment booked')
    const code = /[2-9A-Z]{4}-[2-9A-Z]{4}/.exec(await page.locator('.govuk-panel__body').innerText())?.[0]
    assert.ok(code, 'a booking code')
    await expectAccessible(page)

    // Back to check answers, which now shows the booking with Change links.
    await page.getByRole('button', { name: 'Continue to check your answers' }).click()
    await page.waitForURL(new RegExp(`/applications/${applicationId}/check$`))
    const appointment = page.locator('h2#appointment + .govuk-summary-list')
    const shown = await appointment.innerText()
    for (const part of ['Huduma Centre Nakuru', dayText.trim(), timeText.trim(), code]) assert.ok(shown.includes(part), `${part} in ${shown}`)
    assert.equal(await appointment.getByRole('link', { name: 'Change the day of the appointment' }).getAttribute('href'), `/applications/${applicationId}/appointment?change=yes`)
    assert.equal(await page.getByRole('link', { name: /^Book your appointment/ }).count(), 0)
    await expectAccessible(page)

    // The declaration is required.
    await page.getByRole('button', { name: 'Confirm and go to payment' }).click()
    await page.locator('.govuk-error-summary').waitFor()
    await expectAccessible(page)
    await page.getByLabel(/I declare that the information I have given is true/).check()
    await page.getByRole('button', { name: 'Confirm and go to payment' }).click()

    // Paying is the next issue: the application waits for it, with its reference and the appointment.
    await page.waitForURL(new RegExp(`/applications/${applicationId}$`))
    assert.equal(await page.locator('h1').innerText(), SERVICE)
    const details = page.locator('.govuk-summary-list').first()
    assert.match(await details.innerText(), /Awaiting payment/)
    assert.equal((await page.locator('.app-reference').innerText()).replace(/\s+/g, '-'), reference)
    assert.match(await page.locator('main').innerText(), /Pay the fees below/)
    assert.match(await page.locator('h2#appointment + .govuk-summary-list').innerText(), new RegExp(code))
    await expectAccessible(page)

    await page.getByRole('link', { name: 'My applications' }).first().click()
    await page.waitForURL(/\/dashboard$/)
    const awaiting = page.locator('table', { has: page.locator('caption', { hasText: 'Awaiting payment' }) })
    assert.match(await awaiting.innerText(), new RegExp(reference))
    assert.equal(await page.locator('table', { has: page.locator('caption', { hasText: 'Drafts' }) }).count(), 0, 'no draft left')
    await expectAccessible(page)

    const status = await t.database.db.selectFrom('applications').select(['status', 'reference']).where('id', '=', applicationId).executeTakeFirstOrThrow()
    assert.deepEqual(status, { status: 'awaiting-payment', reference })
    await context.close()
  })

  it('logged no server error', () => {
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
