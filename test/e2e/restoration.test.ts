import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import type { BrowserContext, Page } from 'playwright-core'
import { RESTORATION_JOB, type RestorationJob } from '../../src/modules/status/restoration.js'
import { serverErrors } from '../helpers/app.js'
import { browserMissing, expectAccessible, startJourney, type Journey } from '../helpers/browser.js'
import { applyForGoodConduct, signInDemoCitizen, signInDemoStaff } from '../helpers/good-conduct.js'

const skip = browserMissing()

/**
 * The story of the announcement "all services are fully operational again", told by the portal itself:
 * an admin opens an incident affecting payments; a citizen sees the banner and the status page; their
 * payment prompt fails during it; the admin resolves it with an apology; the citizen gets the
 * restoration message and pays from its link.
 */
describe('an incident interrupts a payment, and the restoration message brings the person back, in a browser', { skip }, () => {
  let journey: Journey
  let admin: BrowserContext
  let adminPage: Page
  let citizen: BrowserContext
  let page: Page
  let applicationId: string
  let billReference: string

  before(async () => {
    journey = await startJourney()
    ;({ context: admin, page: adminPage } = await signInDemoStaff(journey.browser, journey.base, 'platform.admin@demo.ecitizen.example'))
    citizen = await journey.browser.newContext()
    citizen.setDefaultTimeout(10_000)
    page = await signInDemoCitizen(citizen, journey.base, journey.t.database.db)
    ;({ applicationId } = await applyForGoodConduct(page, journey.base))
    billReference = (await journey.t.database.db.selectFrom('invoices').select('bill_reference').where('application_id', '=', applicationId).executeTakeFirstOrThrow()).bill_reference
  })
  after(async () => {
    await admin?.close()
    await citizen?.close()
    await journey?.close()
  })

  it('the admin opens an incident affecting M-Pesa payments', async () => {
    await adminPage.goto(`${journey.base}/admin/status/incidents/new`)
    await adminPage.getByLabel('M-Pesa payment prompt').check()
    await adminPage.locator('input[name="impact"][value="major-outage"]').check()
    await adminPage.getByLabel('Title in English').fill('M-Pesa payments are failing')
    await adminPage.getByLabel('Title in Kiswahili').fill('Malipo ya M-Pesa yanashindwa')
    await adminPage.getByLabel('Message in English').fill('We are working with Safaricom to restore payments.')
    await adminPage.getByLabel('Message in Kiswahili').fill('Tunashirikiana na Safaricom kurejesha malipo.')
    await adminPage.getByRole('button', { name: 'Open the incident' }).click()
    await adminPage.waitForURL(/\/admin\/status\/incidents\/[0-9a-f-]{36}/)
  })

  it('the citizen sees the banner on their application and the incident on the status page', async () => {
    await page.goto(`${journey.base}/applications/${applicationId}`)
    const banner = await page.locator('.govuk-notification-banner').innerText()
    assert.match(banner, /M-Pesa payments are failing/)
    assert.match(banner, new RegExp(`paybill number ${journey.t.config.mpesaShortcode}`))
    await expectAccessible(page)
    await page.goto(`${journey.base}/status`)
    assert.match(await page.locator('main').innerText(), /M-Pesa payments are failing/)
  })

  it('the payment prompt fails during the incident, and the page says what to do instead', async () => {
    await page.goto(`${journey.base}/payments/invoices/${billReference}`)
    // M-Pesa's side is down: the request to send the prompt fails.
    journey.t.app.modules.mpesa.control!.breakNext(1, 'error')
    await page.getByRole('button', { name: /^Send payment request for KES/ }).click()
    const main = await page.locator('main').innerText()
    assert.match(main, new RegExp(journey.t.config.mpesaShortcode))
    assert.match(main, new RegExp(billReference))
    await expectAccessible(page)
  })

  it('the admin resolves it with an apology, and the citizen is told where to continue', async () => {
    await adminPage.locator('input[name="status"][value="resolved"]').check()
    await adminPage.getByLabel('Message in English').fill('M-Pesa payments work again. We apologise for the inconvenience.')
    await adminPage.getByLabel('Message in Kiswahili').fill('Malipo ya M-Pesa yanafanya kazi tena. Tunaomba radhi kwa usumbufu.')
    await adminPage.getByRole('button', { name: 'Post the update' }).click()
    await adminPage.waitForLoadState()

    // What a worker does with the job the resolution queued.
    const { db } = journey.t.database
    const queued = await db.selectFrom(sql`pgboss.job`.as('j')).select(sql<RestorationJob>`data`.as('data')).where(sql.ref('name'), '=', RESTORATION_JOB).execute()
    assert.equal(queued.length, 1)
    const job = journey.t.app.modules.status.jobDefinitions().find((definition) => definition.name === RESTORATION_JOB)!
    await job.handle(queued[0]!.data, { id: 'restoration', attempt: 1 })

    await page.goto(`${journey.base}/account/messages`)
    await page.getByRole('link', { name: 'Service restored: M-Pesa payments are failing' }).click()
    const message = await page.locator('main').innerText()
    assert.match(message, /We apologise for the inconvenience\./)
    assert.match(message, new RegExp(`paying bill ${billReference}`))
    await expectAccessible(page)
    await page.getByRole('link', { name: new RegExp(`/payments/invoices/${billReference}$`) }).click()
    await page.waitForURL(new RegExp(`/payments/invoices/${billReference}$`))
  })

  it('the citizen pays from the message\'s link', async () => {
    await page.getByRole('button', { name: /^Send payment request for KES/ }).click()
    await page.waitForURL(new RegExp(`/payments/invoices/${billReference}/waiting$`))
    const phone = await citizen.newPage()
    await phone.goto(`${journey.base}/dev/phone`)
    const card = phone.locator('.govuk-summary-card', { hasText: `to account ${billReference}` })
    await card.getByLabel('M-Pesa PIN').fill('1234')
    await card.getByRole('button', { name: 'Pay', exact: true }).click()
    await phone.waitForURL(/\/dev\/phone\?done=approved$/)
    await phone.close()
    await page.locator('.govuk-panel__title').waitFor({ timeout: 15_000 })
    assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Payment received')
    // The banner is gone: nothing is wrong any more.
    assert.equal(await page.locator('.govuk-notification-banner:not(.govuk-notification-banner--success)').count(), 0)
    assert.deepEqual(serverErrors(journey.t.logs), [])
  })
})
