import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Browser, createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase } from '../../../test/helpers/database.js'
import { FakePayments } from './daraja/fake-payments.js'
import type { MpesaGateway } from './daraja/module.js'
import type { PromptOutcome } from './daraja/simulator.js'

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const newReference = () => `DIS${Array.from({ length: 8 }, () => LETTERS[randomInt(LETTERS.length)]).join('')}`

describe('M-Pesa pages and callbacks (fake payments core, simulated Daraja)', () => {
  let t: TestApp
  let gateway: MpesaGateway
  let app: FastifyInstance
  const payments = new FakePayments()
  let owner: { id: string; phone: string }
  let browser: Browser

  before(async () => {
    // The app's own simulator and routes, with the payments core swapped for a fake.
    t = await testApp({ database: await freshDatabase(), env: { MPESA_ALLOWED_IPS: '127.0.0.1' }, mpesaPayments: payments })
    app = t.app
    gateway = t.app.modules.mpesa
    await gateway.client!.c2bRegisterUrls()
    owner = await createAccount(t.database.db)
    browser = new Browser(app)
    const [name, value] = (await signedInCookie(t.database.db, owner.id)).split('=') as [string, string]
    browser.cookies.set(name, value)
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

  const results: [PromptOutcome, RegExp, RegExp][] = [
    ['insufficient', /balance is not enough/, /Salio lako la M-Pesa halitoshi/],
    ['cancelled', /cancelled on your phone/, /lilighairiwa kwenye simu yako/],
    ['timeout', /could not reach your phone/, /Hatukuweza kufikia simu yako/],
    ['wrong-pin', /PIN entered was wrong/, /PIN ya M-Pesa iliyowekwa si sahihi/],
  ]
  for (const [outcome, english, kiswahili] of results) {
    it(`explains "${outcome}" in English and Kiswahili, and offers to try again or pay by paybill`, async () => {
      const invoice = invoiceFor()
      const waitingUrl = (await pay(invoice.billReference, '0712345678')).headers.location as string
      const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
      const { answer } = await gateway.control!.resolve(prompt.checkoutRequestId, outcome)
      assert.deepEqual(answer, { ResultCode: 0, ResultDesc: 'Accepted' })
      const en = await browser.get(waitingUrl)
      assert.match(en.body, english)
      assert.doesNotMatch(en.body, /data-app-poll=/)
      assert.deepEqual((await browser.get(`/payments/invoices/${invoice.billReference}/status`)).json(), { state: 'failed' })
      assert.match(en.body, /Send the payment request again/)
      assert.match(en.body, /Pay by paybill instead/)
      const sw = await browser.get(`${waitingUrl}?lang=sw`)
      assert.match(sw.body, kiswahili)
      assert.match(sw.body, /Tuma ombi la malipo tena/)
      await browser.get('/?lang=en')
    })
  }

  it('shows an unexplained result code in plain words', async () => {
    const invoice = invoiceFor()
    const waitingUrl = (await pay(invoice.billReference, '0712345678')).headers.location as string
    const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
    await app.inject({ method: 'POST', url: '/payments/mpesa/callback', payload: { Body: { stkCallback: { MerchantRequestID: prompt.merchantRequestId, CheckoutRequestID: prompt.checkoutRequestId, ResultCode: 17, ResultDesc: 'System error' } } } })
    assert.match((await browser.get(waitingUrl)).body, /could not be completed/)
    assert.match((await browser.get(`${waitingUrl}?lang=sw`)).body, /Malipo hayakuweza kukamilika/)
    await browser.get('/?lang=en')
  })

  it('shows the payment received, with the receipt and the application, once approved', async () => {
    const invoice = invoiceFor()
    const waitingUrl = (await pay(invoice.billReference, '0712345678')).headers.location as string
    const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
    await gateway.control!.resolve(prompt.checkoutRequestId, 'approved')
    assert.equal(invoice.status, 'paid')
    const page = await browser.get(waitingUrl)
    assert.match(page.body, /Payment received/)
    assert.match(page.body, new RegExp(`href="/applications/${invoice.applicationId}#payments"`))
    assert.match(page.body, new RegExp(`href="/applications/${invoice.applicationId}"`))
    assert.match((await browser.get(`${waitingUrl}?lang=sw`)).body, /Malipo yamepokelewa/)
    await browser.get('/?lang=en')
  })

  it('shows a clear page when M-Pesa does not answer, never a stack trace', async () => {
    const invoice = invoiceFor()
    gateway.control!.breakNext(1)
    const response = await pay(invoice.billReference, '0712345678')
    assert.equal(response.statusCode, 503)
    assert.match(response.body, /M-Pesa is not answering at the moment/)
    assert.match(response.body, /Pay by paybill instead/)
    assert.doesNotMatch(response.body, /DarajaError|at .*\.ts:\d+/)
    assert.equal(serverErrors(t.logs).length, 0)
  })

  describe('the STK callback', () => {
    const post = (payload: string | object, remoteAddress?: string) =>
      app.inject({ method: 'POST', url: '/payments/mpesa/callback', headers: { 'content-type': 'application/json' }, payload, remoteAddress })

    it('refuses malformed JSON and shapes with 400, the reason logged and nothing settled', async () => {
      const settled = payments.settled.length
      for (const payload of ['{"Body":', '[]', { Body: {} }, { Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'c', ResultCode: 0, ResultDesc: 'ok' } } }]) {
        const response = await post(payload)
        assert.equal(response.statusCode, 400, JSON.stringify(payload))
        assert.equal(response.json().error.status, 400)
      }
      assert.equal(payments.settled.length, settled)
      assert.ok(t.logs.some((line) => line.msg === 'M-Pesa callback refused' && /CallbackMetadata/.test(String(line.reason))))
    })

    it('acknowledges a prompt it never sent, and logs it', async () => {
      const response = await post({ Body: { stkCallback: { MerchantRequestID: 'm-1', CheckoutRequestID: 'ws_CO_unknown', ResultCode: 1032, ResultDesc: 'Request cancelled by user' } } })
      assert.deepEqual(response.json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      assert.ok(t.logs.some((line) => line.msg === 'M-Pesa result for a prompt we did not send' && line.checkoutRequestId === 'ws_CO_unknown'))
    })

    it('acknowledges a duplicate and credits once', async () => {
      const invoice = invoiceFor()
      await pay(invoice.billReference, '0712345678')
      const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
      const { callback } = await gateway.control!.resolve(prompt.checkoutRequestId, 'approved')
      const again = await post(callback as object)
      assert.equal(again.statusCode, 200)
      assert.deepEqual(again.json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      assert.equal(payments.credits.filter((c) => c.billReference === invoice.billReference).length, 1)
    })

    it('refuses callers outside MPESA_ALLOWED_IPS with 403, settling nothing', async () => {
      const settled = payments.settled.length
      const response = await post({ Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'c', ResultCode: 1, ResultDesc: 'x' } } }, '10.9.8.7')
      assert.equal(response.statusCode, 403)
      assert.equal(payments.settled.length, settled)
    })
  })

  describe('C2B paybill', () => {
    const body = (fields: Record<string, string>) => ({
      TransactionType: 'Pay Bill', TransID: `T${randomInt(1e8, 1e9)}X`, TransTime: '20240301120000', TransAmount: '1050.00', BusinessShortCode: '222222',
      BillRefNumber: '', InvoiceNumber: '', OrgAccountBalance: '', ThirdPartyTransID: '', MSISDN: '254712345678', FirstName: 'John', MiddleName: '', LastName: '', ...fields,
    })
    const validate = async (fields: Record<string, string>) =>
      (await app.inject({ method: 'POST', url: '/payments/mpesa/c2b/validation', payload: body(fields) })).json() as { ResultCode: string; ResultDesc: string }

    it('accepts a known unpaid bill reference however typed, and rejects others with Daraja’s codes', async () => {
      const invoice = invoiceFor()
      const paid = payments.addInvoice({ accountId: owner.id, billReference: newReference(), status: 'paid', paidCents: 105_000 })
      assert.deepEqual(await validate({ BillRefNumber: invoice.billReference.toLowerCase() }), { ResultCode: '0', ResultDesc: 'Accepted' })
      assert.deepEqual(await validate({ BillRefNumber: 'DISNOSUCH1' }), { ResultCode: 'C2B00012', ResultDesc: 'Rejected' })
      assert.deepEqual(await validate({ BillRefNumber: '' }), { ResultCode: 'C2B00012', ResultDesc: 'Rejected' })
      assert.equal((await validate({ BillRefNumber: paid.billReference })).ResultCode, 'C2B00012')
      assert.equal((await validate({ BillRefNumber: invoice.billReference, TransAmount: '2000.00' })).ResultCode, 'C2B00013')
      assert.equal((await validate({ BillRefNumber: invoice.billReference, TransAmount: '0.00' })).ResultCode, 'C2B00013')
      assert.equal((await validate({ BillRefNumber: invoice.billReference, BusinessShortCode: '174379' })).ResultCode, 'C2B00015')
      const malformed = await app.inject({ method: 'POST', url: '/payments/mpesa/c2b/validation', payload: { TransID: 'x' } })
      assert.equal(malformed.statusCode, 400)
    })

    it('credits a confirmation once, in cents, and acknowledges every copy', async () => {
      const invoice = invoiceFor()
      const payment = body({ BillRefNumber: invoice.billReference, TransAmount: '1050.00' })
      for (let i = 0; i < 2; i++) {
        const response = await app.inject({ method: 'POST', url: '/payments/mpesa/c2b/confirmation', payload: payment })
        assert.deepEqual(response.json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      }
      const credits = payments.credits.filter((c) => c.receipt === payment.TransID)
      assert.equal(credits.length, 1)
      assert.equal(credits[0]!.amountCents, 105_000)
      assert.equal(credits[0]!.source, 'c2b')
      assert.equal(credits[0]!.phone, '+254712345678')
      assert.equal(invoice.status, 'paid')
    })

    it('lets the simulated phone pay a bill through validation and confirmation', async () => {
      const invoice = invoiceFor()
      const result = await gateway.control!.payBill({ phone: '254712345678', billReference: invoice.billReference, amount: 1050 })
      assert.equal(result.accepted, true)
      assert.equal(invoice.status, 'paid')
    })
  })

  describe('/dev/phone', () => {
    it('lists waiting prompts and answers one with a form', async () => {
      const invoice = invoiceFor()
      await pay(invoice.billReference, '0712345678')
      const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
      const page = await browser.get('/dev/phone')
      assert.match(page.body, new RegExp(`action="/dev/phone/prompts/${prompt.checkoutRequestId}"`))
      const response = await browser.submit('/dev/phone', `/dev/phone/prompts/${prompt.checkoutRequestId}`, { action: 'approved', pin: '1234' })
      assert.equal(response.headers.location, '/dev/phone?done=approved')
      assert.equal(invoice.status, 'paid')
      const noToken = await app.inject({ method: 'POST', url: '/dev/phone/paybill', payload: { phone: '0712345678', billReference: 'X', amount: '1' } })
      assert.equal(noToken.statusCode, 403)
    })

    it('pays a bill from the form, and keeps what was typed when it is wrong', async () => {
      const invoice = invoiceFor()
      const wrong = await browser.submit('/dev/phone', '/dev/phone/paybill', { phone: '0812', billReference: invoice.billReference, amount: 'lots' })
      assert.equal(wrong.statusCode, 400)
      assert.match(wrong.body, new RegExp(`value="${invoice.billReference}"`))
      const paid = await browser.submit('/dev/phone', '/dev/phone/paybill', { phone: '0712345678', billReference: invoice.billReference, amount: '1050' })
      assert.equal(paid.headers.location, '/dev/phone?done=paid')
      assert.equal(invoice.status, 'paid')
    })
  })
})
