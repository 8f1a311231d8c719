import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Browser, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { MPESA, postToMpesa } from '../../../test/helpers/mpesa.js'
import type { MpesaGateway } from './daraja/module.js'
import { paymentJobs, queryPromptWith, RECONCILE_CRON, RECONCILE_JOB } from './jobs.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

/** End to end without a browser: the real payments core, the simulated Daraja over HTTP, callbacks into the app. */
describe('paying an invoice by M-Pesa, end to end', () => {
  let t: PaymentsTestApp
  let gateway: MpesaGateway
  let app: FastifyInstance

  before(async () => {
    // The app starts the simulator itself (no credentials configured) and closes it with itself.
    t = await paymentsTestApp()
    app = t.app
    gateway = t.app.modules.mpesa
    await gateway.client!.c2bRegisterUrls()
  })
  after(() => t.close())

  async function signedIn(accountId: string): Promise<Browser> {
    const browser = new Browser(app)
    const [name, value] = (await signedInCookie(t.database.db, accountId)).split('=') as [string, string]
    browser.cookies.set(name, value)
    return browser
  }

  it('invoice → prompt → approved on the phone → callback → invoice paid, credited once', async () => {
    const { invoice, accountId } = await awaitingPayment(t)
    const browser = await signedIn(accountId)
    const page = await browser.get(`/payments/invoices/${invoice.billReference}`)
    assert.equal(page.statusCode, 200)
    const sent = await browser.submit(`/payments/invoices/${invoice.billReference}`, `/payments/invoices/${invoice.billReference}/prompt`, { phone: '0712 345 678' })
    assert.equal(sent.statusCode, 303)
    assert.match((await browser.get(sent.headers.location as string)).body, /Check your phone/)

    const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
    assert.equal(prompt.amount * 100, invoice.totalCents)
    const { callback, answer } = await gateway.control!.resolve(prompt.checkoutRequestId, 'approved')
    assert.deepEqual(answer, { ResultCode: 0, ResultDesc: 'Accepted' })

    const paid = await t.payments.findInvoiceByBillReference(invoice.billReference)
    assert.equal(paid?.status, 'paid')
    assert.equal(paid?.paidCents, invoice.totalCents)
    assert.equal((await t.payments.latestPrompt(invoice.id))?.status, 'succeeded')
    assert.match((await browser.get(sent.headers.location as string)).body, /Payment received/)
    const inbox = await browser.get('/account/messages')
    assert.match(inbox.body, /Payment received: KES [\d,.]+ for bill/, 'the receipt message is in the payer\'s inbox')

    // Daraja sends it again: acknowledged, not credited twice.
    const again = await postToMpesa(app, MPESA.callback, callback)
    assert.deepEqual(again.json(), { ResultCode: 0, ResultDesc: 'Accepted' })
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.paidCents, invoice.totalCents)
    assert.equal(serverErrors(t.logs).length, 0)
  })

  it('a cancelled prompt leaves the invoice unpaid and says so', async () => {
    const { invoice, accountId } = await awaitingPayment(t)
    const browser = await signedIn(accountId)
    const sent = await browser.submit(`/payments/invoices/${invoice.billReference}`, `/payments/invoices/${invoice.billReference}/prompt`, { phone: '0712345678' })
    const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
    await gateway.control!.resolve(prompt.checkoutRequestId, 'cancelled')
    assert.equal((await t.payments.latestPrompt(invoice.id))?.status, 'cancelled')
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'pending')
    assert.match((await browser.get(sent.headers.location as string)).body, /cancelled on your phone/)
  })

  it('a paybill payment is validated, confirmed and credits the invoice; an unknown account is rejected', async () => {
    const { invoice } = await awaitingPayment(t)
    const result = await gateway.control!.payBill({ phone: '254712345678', billReference: invoice.billReference.toLowerCase(), amount: invoice.totalCents / 100 })
    assert.equal(result.accepted, true)
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'paid')
    const unknown = await gateway.control!.payBill({ phone: '254712345678', billReference: 'NOSUCHBILL', amount: 100 })
    assert.equal(unknown.accepted, false)
    assert.deepEqual(unknown.validation, { ResultCode: 'C2B00012', ResultDesc: 'Rejected' })
  })

  /** A prompt sent from the invoice page and approved on the phone, whose callback never arrives. */
  async function paidWithLostCallback() {
    const { invoice, accountId } = await awaitingPayment(t)
    const browser = await signedIn(accountId)
    const invoicePage = `/payments/invoices/${invoice.billReference}`
    await browser.submit(invoicePage, `${invoicePage}/prompt`, { phone: '0712345678' })
    const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
    await gateway.control!.resolve(prompt.checkoutRequestId, 'approved', { lose: true })
    return { invoice, browser, invoicePage, prompt }
  }

  it('a lost callback: "check my payment now" asks M-Pesa at once and credits the invoice', async () => {
    const { invoice, browser, invoicePage } = await paidWithLostCallback()
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'pending', 'no callback, nothing credited yet')

    const checked = await browser.submit(invoicePage, `${invoicePage}/check`, {})
    assert.equal(checked.statusCode, 303)
    assert.equal(checked.headers.location, `${invoicePage}/waiting`)
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'paid')
    assert.match((await browser.get(`${invoicePage}/waiting`)).body, /Payment received/)
  })

  it('"check my payment now" with no prompt sent says what to look for, and changes nothing', async () => {
    const { invoice, accountId } = await awaitingPayment(t)
    const browser = await signedIn(accountId)
    const invoicePage = `/payments/invoices/${invoice.billReference}`
    const checked = await browser.submit(invoicePage, `${invoicePage}/check`, {})
    assert.equal(checked.headers.location, `${invoicePage}?checked=1#check`)
    const page = await browser.get(`${invoicePage}?checked=1`)
    assert.match(page.body, new RegExp(`paybill ${t.config.mpesaShortcode} with account number ${invoice.billReference}`))
    // Still nothing: the way on is a support request about this bill, its topic already chosen.
    const ask = new RegExp(`href="/support/tickets/new\\?topic=payment-not-showing&amp;about=invoice:${invoice.billReference}"`)
    assert.match(page.body, ask)
    const form = await browser.get(`/support/tickets/new?topic=payment-not-showing&about=invoice:${invoice.billReference}`)
    assert.match(form.body, new RegExp(`value="invoice:${invoice.billReference}" selected`))
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'pending')
  })

  it('the scheduled reconciliation job settles a prompt whose callback never came', async () => {
    const { invoice, prompt } = await paidWithLostCallback()

    const job = paymentJobs({ payments: t.payments, queryPrompt: queryPromptWith(gateway.client!) }).find((definition) => definition.name === RECONCILE_JOB)!
    assert.equal(job.cron, RECONCILE_CRON)
    await job.handle({}, { id: 'now', attempt: 1 })
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'pending', 'too young to ask about')

    // Four minutes on: the job asks M-Pesa and settles it, once however often it runs.
    await t.database.db.updateTable('mpesa_prompts').set({ created_at: new Date(Date.now() - 4 * 60_000) }).where('checkout_request_id', '=', prompt.checkoutRequestId).execute()
    await job.handle({}, { id: 'later', attempt: 1 })
    await job.handle({}, { id: 'again', attempt: 1 })
    const paid = await t.payments.findInvoiceByBillReference(invoice.billReference)
    assert.equal(paid?.status, 'paid')
    assert.equal(paid?.paidCents, invoice.totalCents)
  })

  it('a run of gateway failures shows as degraded on /metrics, and one answer clears it', async () => {
    const client = gateway.client!
    const degraded = async () => /^payments_gateway_degraded (\d)$/m.exec((await app.inject('/metrics')).body)?.[1]
    assert.equal(await degraded(), '0')
    gateway.control!.breakNext(client.health.degradedAfter, 'error')
    for (let i = 0; i < client.health.degradedAfter; i++) await assert.rejects(client.c2bRegisterUrls())
    assert.equal(await degraded(), '1')
    assert.match((await app.inject('/metrics')).body, /^payments_gateway_failures\{kind="error"\} [1-9]/m)
    await client.c2bRegisterUrls()
    assert.equal(await degraded(), '0')
  })
})
