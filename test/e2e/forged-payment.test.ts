import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { darajaTimestamp } from '../../src/modules/payments/daraja/protocol.js'
import { serverErrors, type TestApp } from '../helpers/app.js'
import { browserMissing, expectAccessible, startJourney, type Journey } from '../helpers/browser.js'
import { applyForGoodConduct, signInDemoCitizen, signInDemoStaff } from '../helpers/good-conduct.js'
import { MPESA } from '../helpers/mpesa.js'

const skip = browserMissing()

/**
 * The "done when": a forged "success" for a person's prompt arrives before the genuine result.
 * The person is never told a forged amount was received; the genuine payment is credited with M-Pesa's
 * receipt; the forged claim waits in the payments review list for finance staff.
 */
describe('a forged M-Pesa success before the genuine one, in a browser', { skip }, () => {
  let journey: Journey
  let t: TestApp
  let browser: Browser
  let base: string
  let context: BrowserContext
  let page: Page

  before(async () => {
    // Claims M-Pesa has not confirmed are asked about again at once, so the journey need not wait 30 s.
    journey = await startJourney({ mpesaInbox: { retryDelayMs: 0, maxAttempts: 2 } })
    ;({ t, base, browser } = journey)
    context = await browser.newContext()
    context.setDefaultTimeout(10_000)
    page = await signInDemoCitizen(context, base, t.database.db)
  })
  after(async () => {
    await context?.close()
    await journey?.close()
  })

  it('credits the genuine receipt and lists the forgery for review', async () => {
    const { applicationId } = await applyForGoodConduct(page, base)
    await page.getByRole('button', { name: 'Pay now' }).click()
    await page.waitForURL(/\/payments\/invoices\/[^/]+$/)
    const billReference = /\/payments\/invoices\/([^/]+)$/.exec(page.url())![1]!
    await page.getByRole('button', { name: /^Send payment request for KES/ }).click()
    await page.waitForURL(new RegExp(`/payments/invoices/${billReference}/waiting$`))

    // Someone who learnt the prompt's id and the callback address posts a success of KES 1 first.
    const prompt = t.app.modules.mpesa.control!.pending().find((p) => p.accountReference === billReference)!
    const forged = await fetch(`${base}${MPESA.callback}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        Body: {
          stkCallback: {
            MerchantRequestID: prompt.merchantRequestId, CheckoutRequestID: prompt.checkoutRequestId, ResultCode: 0, ResultDesc: 'The service request is processed successfully.',
            CallbackMetadata: { Item: [{ Name: 'Amount', Value: 1 }, { Name: 'MpesaReceiptNumber', Value: 'FORGED0001' }, { Name: 'Balance' }, { Name: 'TransactionDate', Value: Number(darajaTimestamp()) }, { Name: 'PhoneNumber', Value: 254700000001 }] },
          },
        },
      }),
    })
    assert.equal(forged.status, 200, 'acknowledged like any message: it is a claim, not a fact')
    await t.app.modules.mpesa.inbox.processor.whenIdle()
    await page.reload()
    assert.equal(await page.locator('h1').innerText(), 'Check your phone', 'nothing was credited from the forgery')

    // The person approves on the phone: the genuine result arrives and is credited.
    const phone = await context.newPage()
    await phone.goto(`${base}/dev/phone`)
    const card = phone.locator('.govuk-summary-card', { hasText: `to account ${billReference}` })
    await card.getByLabel('M-Pesa PIN').fill('1234')
    await card.getByRole('button', { name: 'Pay', exact: true }).click()
    await phone.waitForURL(/\/dev\/phone\?done=approved$/)
    await phone.close()
    await page.locator('.govuk-panel__title').waitFor({ timeout: 15_000 })
    assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Payment received')

    const genuine = t.app.modules.mpesa.control!.prompts().find((p) => p.checkoutRequestId === prompt.checkoutRequestId)!.result!.receipt!
    const invoice = await t.database.db.selectFrom('invoices').select(['id', 'status', 'paid_cents', 'total_cents']).where('application_id', '=', applicationId).executeTakeFirstOrThrow()
    assert.equal(invoice.status, 'paid')
    assert.equal(Number(invoice.paid_cents), Number(invoice.total_cents))
    const payments = await t.database.db.selectFrom('payments').select('mpesa_receipt').where('invoice_id', '=', invoice.id).execute()
    assert.deepEqual(payments.map((p) => p.mpesa_receipt), [genuine], "the genuine receipt, and only it, on the invoice")

    // The forged claim's retry: M-Pesa's query now says the prompt was paid, but not as the claim says.
    await t.app.modules.mpesa.inbox.processor.sweep(0)
    const staff = await signInDemoStaff(browser, base, 'platform.admin@demo.ecitizen.example')
    await staff.page.goto(`${base}/admin/payments/suspense`)
    const listed = await staff.page.locator('main').innerText()
    assert.match(listed, /FORGED0001/)
    assert.doesNotMatch(listed, new RegExp(genuine))
    await expectAccessible(staff.page)
    await staff.context.close()
  })

  it('logged no server error', () => {
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
