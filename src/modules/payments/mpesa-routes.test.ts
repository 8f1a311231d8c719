import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { Browser, createAccount, signedInBrowser } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase } from '../../../test/helpers/database.js'
import { FakePayments } from './daraja/fake-payments.js'
import type { MpesaGateway } from './daraja/module.js'
import { UNKNOWN_PROMPT_TRIES } from './service.js'

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const newReference = () => `DIS${Array.from({ length: 8 }, () => LETTERS[randomInt(LETTERS.length)]).join('')}`


/**
 * The pages only, on an in-memory payments core: what they show and what they ask of the core. (Daraja's
 * callbacks are written to the inbox and processed by the real core whatever stands in for it here, so
 * they are tested on the real one, in mpesa-callbacks.test.ts.)
 */
describe('M-Pesa pages (fake payments core, simulated Daraja)', () => {
  let t: TestApp
  let gateway: MpesaGateway
  const payments = new FakePayments()
  let owner: { id: string; phone: string }
  let browser: Browser

  before(async () => {
    // The app's own simulator and routes, with the payments core the pages use swapped for a fake.
    t = await testApp({ database: await freshDatabase(), mpesaPayments: payments })
    gateway = t.app.modules.mpesa
    owner = await createAccount(t.database.db)
    browser = await signedInBrowser(t.app, t.database.db, owner.id)
  })
  after(() => t.close())

  const invoiceFor = (accountId = owner.id) => payments.addInvoice({ accountId, billReference: newReference() })
  const pay = (reference: string, phone: string) => browser.submit(`/payments/invoices/${reference}`, `/payments/invoices/${reference}/prompt`, { phone })

  it('shows the owner the invoice, the prompt form with their phone, and the paybill details', async () => {
    const invoice = invoiceFor()
    const page = await browser.get(`/payments/invoices/${invoice.billReference.toLowerCase()}`)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Passport fee/)
    assert.match(page.body, /KES 1,050/)
    assert.match(page.body, new RegExp(`value="0${owner.phone.slice(4, 7)} ${owner.phone.slice(7, 10)} ${owner.phone.slice(10)}"`))
    assert.match(page.body, /Pay by paybill instead/)
    assert.match(page.body, /<strong>222222<\/strong>/)
    assert.match(page.body, new RegExp(`<strong>${invoice.billReference}</strong>`))
    const sw = await browser.get(`/payments/invoices/${invoice.billReference}?lang=sw`)
    assert.match(sw.body, /Lipa kwa paybill badala yake/)
    await browser.get('/?lang=en')
  })

  it("answers 404 for someone else's invoice and an unknown one", async () => {
    const other = await createAccount(t.database.db)
    const invoice = invoiceFor(other.id)
    assert.equal((await browser.get(`/payments/invoices/${invoice.billReference}`)).statusCode, 404)
    assert.equal((await browser.get('/payments/invoices/DISNOSUCH1')).statusCode, 404)
  })

  it('keeps a phone number that is not a Kenyan mobile, with the error at the field', async () => {
    const invoice = invoiceFor()
    for (const [typed, message] of [['0812 345 678', /Enter a Kenyan mobile number/], ['+44 7700 900123', /Enter a Kenyan mobile number/], ['', /Enter the M-Pesa phone number/]] as const) {
      const response = await pay(invoice.billReference, typed)
      assert.equal(response.statusCode, 400, typed)
      assert.match(response.body, /govuk-error-summary/)
      assert.match(response.body, message)
      assert.match(response.body, new RegExp(`name="phone" type="tel"[^>]*value="${typed.replace('+', '\\+')}"`))
    }
    assert.equal(gateway.control!.pending().filter((p) => p.accountReference === invoice.billReference).length, 0)
  })

  it('sends the prompt, records it and shows "check your phone", which asks for the result by itself; a second press sends nothing more', async () => {
    const invoice = invoiceFor()
    const response = await pay(invoice.billReference, '+254 712 345 678')
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, `/payments/invoices/${invoice.billReference}/waiting`)
    const sent = gateway.control!.pending().filter((p) => p.accountReference === invoice.billReference)
    assert.equal(sent.length, 1)
    assert.equal(sent[0]!.phone, '254712345678')
    assert.equal(sent[0]!.amount, 1050)
    assert.equal((await payments.latestPrompt(invoice.id))?.checkoutRequestId, sent[0]!.checkoutRequestId)
    const waiting = await browser.get(response.headers.location as string)
    // No meta refresh (WCAG 2.2.1): the page's script asks the status route and reloads on a change.
    assert.doesNotMatch(waiting.body, /http-equiv="refresh"/)
    assert.match(waiting.body, new RegExp(`data-app-poll="/payments/invoices/${invoice.billReference}/status"`))
    assert.deepEqual((await browser.get(`/payments/invoices/${invoice.billReference}/status`)).json(), { state: 'pending' })
    assert.match(waiting.body, /Check your phone/)
    assert.match((await browser.get(`${response.headers.location}?lang=sw`)).body, /Angalia simu yako/)
    await browser.get('/?lang=en')
    await pay(invoice.billReference, '0712345678')
    assert.equal(gateway.control!.prompts().filter((p) => p.accountReference === invoice.billReference).length, 1)
  })

  it('asks M-Pesa about a prompt left waiting, and once M-Pesa has said a few times it has no record of it, says nothing was charged', async () => {
    const invoice = invoiceFor()
    // A prompt M-Pesa never heard of, sent long enough ago for the page to ask about it.
    await payments.recordPrompt(invoice.id, { checkoutRequestId: 'ws_CO_nobody_knows', merchantRequestId: 'm', phone: '+254712345678', amountCents: 105_000 })
    payments.prompts.get('ws_CO_nobody_knows')!.createdAt = new Date(Date.now() - 5 * 60_000)
    const waitingUrl = `/payments/invoices/${invoice.billReference}/waiting`
    for (let ask = 1; ask < UNKNOWN_PROMPT_TRIES; ask++) {
      assert.deepEqual((await browser.get(`/payments/invoices/${invoice.billReference}/status`)).json(), { state: 'pending' }, `ask ${ask}`)
      assert.equal(payments.queryAnswers.get('ws_CO_nobody_knows'), ask)
    }
    const page = await browser.get(waitingUrl)
    assert.equal(payments.queryAnswers.get('ws_CO_nobody_knows'), UNKNOWN_PROMPT_TRIES)
    assert.equal(payments.prompts.get('ws_CO_nobody_knows')!.status, 'unknown')
    assert.match(page.body, /M-Pesa has no record of this payment request, so nothing was charged for it/)
    assert.match(page.body, /Send the payment request again/)
    assert.doesNotMatch(page.body, /data-app-poll=/)
    // Given up: never asked about again, and nothing was settled or credited for it.
    await browser.get(waitingUrl)
    assert.equal(payments.queryAnswers.get('ws_CO_nobody_knows'), UNKNOWN_PROMPT_TRIES)
    assert.deepEqual(payments.settled.filter((s) => s.checkoutRequestId === 'ws_CO_nobody_knows'), [])
    assert.equal(invoice.status, 'pending')
  })

  it('shows a clear page when M-Pesa does not answer, never a stack trace', async () => {
    const invoice = invoiceFor()
    gateway.control!.breakNext(1)
    const response = await pay(invoice.billReference, '0712345678')
    assert.equal(response.statusCode, 503)
    assert.match(response.body, /M-Pesa is not answering at the moment/)
    assert.match(response.body, /Pay by paybill instead/)
    assert.doesNotMatch(response.body, /DarajaError|at .*\.ts:\d+/)
    // An answered error is not a timeout: no push is kept for a late result.
    assert.deepEqual(payments.pushTimeouts, [])
    assert.equal(serverErrors(t.logs).length, 0)
  })
})
