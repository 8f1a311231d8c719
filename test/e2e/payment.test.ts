import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { serverErrors, type TestApp } from '../helpers/app.js'
import { browserMissing, expectAccessible, startJourney, type Journey } from '../helpers/browser.js'
import { applyForGoodConduct, signInDemoCitizen } from '../helpers/good-conduct.js'

const skip = browserMissing()

/** "KES 1,050.00" → 1050: M-Pesa takes whole shillings. */
const shillings = (text: string) => Math.ceil(Number(/[\d,]+(?:\.\d+)?/.exec(text)![0].replace(/,/g, '')))

/**
 * The "done when": a browser pays one certificate-of-good-conduct invoice by prompt through
 * /dev/phone (after a cancelled prompt) and another by paybill, and downloads both receipts.
 */
describe('paying for a certificate of good conduct by M-Pesa, in a browser', { skip }, () => {
  let journey: Journey
  let t: TestApp
  let browser: Browser
  let base: string
  let context: BrowserContext
  let page: Page

  before(async () => {
    journey = await startJourney()
    ;({ t, base, browser } = journey)
    context = await browser.newContext({ acceptDownloads: true })
    context.setDefaultTimeout(10_000)
    page = await signInDemoCitizen(context, base, t.database.db)
  })
  after(async () => {
    await context?.close()
    await journey?.close()
  })

  /** The application's receipts: downloads the only one and checks it. Returns its number. */
  async function downloadReceipt(applicationId: string): Promise<{ receiptNumber: string; pdf: Buffer }> {
    await page.goto(`${base}/applications/${applicationId}`)
    const payments = page.locator('h2#payments + .govuk-summary-list')
    assert.match(await payments.innerText(), /Payment\s+Paid/)
    const link = page.locator('a[href^="/payments/receipts/"]')
    assert.equal(await link.count(), 1, 'one receipt')
    const receiptNumber = /\/payments\/receipts\/([^/]+)\.pdf$/.exec((await link.getAttribute('href'))!)![1]!
    assert.match(await link.innerText(), new RegExp(`Receipt ${receiptNumber} \\(KES [\\d,.]+, PDF\\)`))
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    assert.equal(download.suggestedFilename(), `receipt-${receiptNumber}.pdf`)
    const pdf = await fs.readFile(await download.path())
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-')
    // The content stream is compressed; the document's title (uncompressed) carries the number.
    assert.ok(pdf.toString('latin1').includes(receiptNumber), 'the receipt number is in the PDF')
    return { receiptNumber, pdf }
  }

  async function expectGenuine(receiptNumber: string, billReference: string): Promise<void> {
    const verify = await context.newPage()
    await verify.goto(`${base}/verify/${receiptNumber}`)
    assert.equal(await verify.locator('.govuk-panel__title').innerText(), 'This receipt is genuine')
    assert.equal(await verify.locator('.govuk-panel__body').innerText(), receiptNumber)
    assert.match(await verify.locator('.govuk-summary-list').innerText(), new RegExp(billReference))
    await verify.close()
  }

  async function invoiceOf(applicationId: string) {
    return t.database.db.selectFrom('invoices').selectAll().where('application_id', '=', applicationId).executeTakeFirstOrThrow()
  }

  it('pays by a prompt approved on /dev/phone, after a cancelled one, and downloads the receipt', async () => {
    const { applicationId, reference } = await applyForGoodConduct(page, base)

    // The application page shows the invoice with "Pay now".
    const invoiceSection = page.locator('h2#payments + .govuk-summary-list')
    assert.match(await invoiceSection.innerText(), /Payment\s+Not paid/)
    const billReference = (await invoiceOf(applicationId)).bill_reference
    assert.match(await invoiceSection.innerText(), new RegExp(billReference))
    await page.getByRole('button', { name: 'Pay now' }).click()

    await page.waitForURL(new RegExp(`/payments/invoices/${billReference}$`))
    assert.equal(await page.locator('h1').innerText(), 'Pay for your application')
    assert.match(await page.locator('.govuk-caption-l').innerText(), new RegExp(billReference))
    await expectAccessible(page)
    // The account's phone, prefilled as people write it.
    assert.equal(await page.getByLabel('M-Pesa phone number').inputValue(), '0700 000 001')
    await page.getByRole('button', { name: /^Send payment request for KES/ }).click()

    await page.waitForURL(new RegExp(`/payments/invoices/${billReference}/waiting$`))
    assert.equal(await page.locator('h1').innerText(), 'Check your phone')
    assert.match(await page.locator('main').innerText(), /We sent a request for KES [\d,.]+ to 0700 000 001/)
    assert.equal(await page.locator('[data-app-poll]').count(), 1, 'the page asks for the result by itself')
    await expectAccessible(page)

    // The phone: the prompt waits there; this time it is cancelled.
    const phone = await context.newPage()
    await phone.goto(`${base}/dev/phone`)
    await expectAccessible(phone)
    let card = phone.locator('.govuk-summary-card', { hasText: `to account ${billReference}` })
    assert.equal(await card.count(), 1, 'the prompt is on the phone')
    await card.getByRole('button', { name: 'Cancel' }).click()
    await phone.waitForURL(/\/dev\/phone\?done=cancelled$/)
    assert.match(await phone.locator('.govuk-notification-banner').innerText(), /Cancelled: the result was sent to the portal/)

    // The waiting page notices by itself and says so in plain language, with "try again" and the paybill.
    await page.getByRole('heading', { level: 1, name: 'Your payment did not go through' }).waitFor({ timeout: 15_000 })
    assert.equal(await page.locator('h1').innerText(), 'Your payment did not go through')
    const failed = await page.locator('main').innerText()
    assert.match(failed, /The payment request was cancelled on your phone\./)
    assert.match(failed, /No money was taken from your M-Pesa account\./)
    assert.equal(await page.getByRole('heading', { name: 'Try again' }).count(), 1)
    assert.equal(await page.getByRole('link', { name: 'Pay by paybill instead' }).getAttribute('href'), '#paybill')
    assert.equal(await page.locator('[data-app-poll]').count(), 0, 'no more asking once settled')
    await expectAccessible(page)

    // Try again; this time the phone approves with a PIN.
    await page.getByRole('button', { name: 'Send the payment request again' }).click()
    await page.waitForURL(new RegExp(`/payments/invoices/${billReference}/waiting$`))
    assert.equal(await page.locator('h1').innerText(), 'Check your phone')

    await phone.goto(`${base}/dev/phone`)
    card = phone.locator('.govuk-summary-card', { hasText: `to account ${billReference}` })
    assert.equal(await card.count(), 1, 'one prompt: the cancelled one is gone')
    await card.getByLabel('M-Pesa PIN').fill('1234')
    await card.getByRole('button', { name: 'Pay', exact: true }).click()
    await phone.waitForURL(/\/dev\/phone\?done=approved$/)
    assert.match(await phone.locator('.govuk-notification-banner').innerText(), /Paid: the result was sent to the portal/)
    assert.match(await phone.locator('main').innerText(), /No payment request is waiting/)
    await phone.close()

    // The waiting page notices by itself (its script asks, then reloads once) and shows the payment.
    await page.locator('.govuk-panel__title').waitFor({ timeout: 15_000 })
    assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Payment received')
    assert.match(await page.locator('.govuk-panel__body').innerText(), new RegExp(`Invoice ${billReference} is paid`))
    await expectAccessible(page)

    // The receipt, on the application's page.
    await page.getByRole('link', { name: 'View and download your receipt' }).click()
    await page.waitForURL(new RegExp(`/applications/${applicationId}#payments$`))
    const { receiptNumber } = await downloadReceipt(applicationId)
    const payment = await t.database.db.selectFrom('payments').selectAll().where('receipt_number', '=', receiptNumber).executeTakeFirstOrThrow()
    assert.equal(payment.source, 'stk')
    await expectGenuine(receiptNumber, billReference)

    // The application has gone on into the workflow: no longer awaiting payment.
    const { status } = await t.database.db.selectFrom('applications').select('status').where('id', '=', applicationId).executeTakeFirstOrThrow()
    assert.notEqual(status, 'awaiting-payment')
    await page.goto(`${base}/dashboard`)
    const awaiting = page.locator('table', { has: page.locator('caption', { hasText: 'Awaiting payment' }) })
    assert.equal(await awaiting.locator('tr', { hasText: reference }).count(), 0, 'not awaiting payment')
    assert.match(await page.locator('main').innerText(), new RegExp(reference), 'still on the dashboard')
  })

  it('pays a second application by paybill from /dev/phone and downloads that receipt too', async () => {
    const { applicationId, reference } = await applyForGoodConduct(page, base)
    await page.getByRole('button', { name: 'Pay now' }).click()
    await page.waitForURL(/\/payments\/invoices\/[^/]+$/)

    // What a person copies into the M-Pesa menu: business number, account number and amount.
    const paybill = page.locator('#paybill ~ .govuk-summary-list')
    const businessNumber = (await paybill.locator('.govuk-summary-list__row', { hasText: 'Business number' }).locator('dd').innerText()).trim()
    const billReference = (await paybill.locator('.govuk-summary-list__row', { hasText: 'Account number' }).locator('dd').innerText()).trim()
    assert.equal(businessNumber, t.config.mpesaShortcode)
    assert.equal(billReference, (await invoiceOf(applicationId)).bill_reference)
    const total = await page.locator('table tr', { hasText: 'Total' }).locator('td.govuk-table__cell--numeric').innerText()
    const amount = shillings(total)
    assert.ok(amount > 0, total)

    const phone = await context.newPage()
    await phone.goto(`${base}/dev/phone`)
    await phone.getByLabel('M-Pesa phone number').fill('0700 000 001')
    await phone.getByLabel('Account number').fill(billReference)
    await phone.getByLabel('Amount').fill(String(amount))
    await phone.getByRole('button', { name: 'Pay bill' }).click()
    await phone.waitForURL(/\/dev\/phone\?done=paid$/)
    assert.match(await phone.locator('.govuk-notification-banner').innerText(), /The portal accepted the paybill payment/)
    await expectAccessible(phone)
    await phone.close()

    // The invoice page now says paid; the application's page lists the receipt.
    await page.reload()
    assert.match(await page.locator('main').innerText(), /This invoice is paid\. Thank you\./)
    const { receiptNumber } = await downloadReceipt(applicationId)
    const payment = await t.database.db.selectFrom('payments').selectAll().where('receipt_number', '=', receiptNumber).executeTakeFirstOrThrow()
    assert.equal(payment.source, 'c2b')
    await expectGenuine(receiptNumber, billReference)

    const { status } = await t.database.db.selectFrom('applications').select('status').where('id', '=', applicationId).executeTakeFirstOrThrow()
    assert.notEqual(status, 'awaiting-payment')
    assert.notEqual(reference, '')
  })

  it('logged no server error', () => {
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
