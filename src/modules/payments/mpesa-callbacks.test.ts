import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Browser, createAccount, signedInBrowser } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { MPESA, postToMpesa } from '../../../test/helpers/mpesa.js'
import type { MpesaGateway } from './daraja/module.js'
import type { PromptOutcome } from './daraja/simulator.js'
import { unbalancedEntries } from './ledger.js'
import { paymentsFor } from './store.js'
import { SUSPENSE_ACCOUNT } from './suspense.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

/** Daraja's results and paybill payments, through the inbox into the real payments core. */
describe(`M-Pesa results, callbacks and paybill (payments core, simulated Daraja) on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let gateway: MpesaGateway
  let app: FastifyInstance
  let owner: { id: string; phone: string }
  let browser: Browser

  before(async () => {
    // Only loopback (where app.inject and the simulator's callbacks come from) stands for Safaricom.
    t = await paymentsTestApp(undefined, { env: { MPESA_ALLOWED_IPS: '127.0.0.1' } })
    app = t.app
    gateway = t.app.modules.mpesa
    await gateway.client!.c2bRegisterUrls()
    owner = await createAccount(t.database.db)
    browser = await signedInBrowser(t.app, t.database.db, owner.id)
  })
  after(() => t.close())

  const db = () => t.database.db
  const invoiceFor = async () => (await awaitingPayment(t, { accountId: owner.id })).invoice
  const invoiceNow = async (billReference: string) => (await t.payments.findInvoiceByBillReference(billReference))!
  const pay = (reference: string, phone: string) => browser.submit(`/payments/invoices/${reference}`, `/payments/invoices/${reference}/prompt`, { phone })
  /** A prompt sent from the invoice page; the simulator's copy of it. */
  async function prompted(billReference: string) {
    const waitingUrl = (await pay(billReference, '0712345678')).headers.location as string
    return { waitingUrl, prompt: gateway.control!.pending().find((p) => p.accountReference === billReference)! }
  }
  /** The inbox rows written after `mark` (the highest id before), oldest first. */
  const inboxMark = async () => Number((await db().selectFrom('mpesa_inbox').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0)
  const inboxSince = (mark: number) =>
    db().selectFrom('mpesa_inbox').select(['kind', 'path', 'source_ip', 'refused_reason', 'outcome', 'processed_at', 'body']).where('id', '>', String(mark)).orderBy('id').execute()
  const paymentCount = async () => Number((await db().selectFrom('payments').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)

  const results: [PromptOutcome, string, RegExp, RegExp][] = [
    ['insufficient', 'failed', /balance is not enough/, /Salio lako la M-Pesa halitoshi/],
    ['cancelled', 'cancelled', /cancelled on your phone/, /lilighairiwa kwenye simu yako/],
    ['timeout', 'timeout', /could not reach your phone/, /Hatukuweza kufikia simu yako/],
    ['wrong-pin', 'failed', /PIN entered was wrong/, /PIN ya M-Pesa iliyowekwa si sahihi/],
  ]
  for (const [outcome, status, english, kiswahili] of results) {
    it(`explains "${outcome}" in English and Kiswahili, and offers to try again or pay by paybill`, async () => {
      const invoice = await invoiceFor()
      const { waitingUrl, prompt } = await prompted(invoice.billReference)
      const { answer } = await gateway.control!.resolve(prompt.checkoutRequestId, outcome)
      assert.deepEqual(answer, { ResultCode: 0, ResultDesc: 'Accepted' })
      assert.equal((await t.payments.prompt(prompt.checkoutRequestId))?.status, status)
      assert.equal((await invoiceNow(invoice.billReference)).status, 'pending')
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
    const invoice = await invoiceFor()
    const { waitingUrl, prompt } = await prompted(invoice.billReference)
    const response = await postToMpesa(app, MPESA.callback, { Body: { stkCallback: { MerchantRequestID: prompt.merchantRequestId, CheckoutRequestID: prompt.checkoutRequestId, ResultCode: 17, ResultDesc: 'System error' } } })
    assert.deepEqual(response.json(), { ResultCode: 0, ResultDesc: 'Accepted' })
    assert.deepEqual(
      await db().selectFrom('mpesa_prompts').select(['status', 'result_code']).where('checkout_request_id', '=', prompt.checkoutRequestId).executeTakeFirst(),
      { status: 'failed', result_code: 17 },
    )
    assert.match((await browser.get(waitingUrl)).body, /could not be completed/)
    assert.match((await browser.get(`${waitingUrl}?lang=sw`)).body, /Malipo hayakuweza kukamilika/)
    await browser.get('/?lang=en')
  })

  it('shows the payment received, with the receipt and the application, once approved', async () => {
    const invoice = await invoiceFor()
    const { waitingUrl, prompt } = await prompted(invoice.billReference)
    await gateway.control!.resolve(prompt.checkoutRequestId, 'approved')
    // The simulator's delivery waits for the inbox: the effect is there when resolve returns.
    const paid = await invoiceNow(invoice.billReference)
    assert.equal(paid.status, 'paid')
    assert.equal(paid.paidCents, invoice.totalCents)
    const [payment] = await paymentsFor(db(), invoice.id)
    assert.equal(payment!.mpesaReceipt, gateway.control!.prompts().find((p) => p.checkoutRequestId === prompt.checkoutRequestId)!.result!.receipt)
    const page = await browser.get(waitingUrl)
    assert.match(page.body, /Payment received/)
    assert.match(page.body, new RegExp(`href="/applications/${invoice.applicationId}#payments"`))
    assert.match(page.body, new RegExp(`href="/applications/${invoice.applicationId}"`))
    assert.match((await browser.get(`${waitingUrl}?lang=sw`)).body, /Malipo yamepokelewa/)
    await browser.get('/?lang=en')
  })

  describe('the STK callback', () => {
    const post = (payload: string | object, remoteAddress?: string, url: string = MPESA.callback) =>
      app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload, remoteAddress })

    it('refuses malformed bodies with 400, records each shape it could read with its reason, and settles nothing', async () => {
      const paymentsBefore = await paymentCount()
      const mark = await inboxMark()
      // Not JSON at all: kept as the text it was, and refused like any other shape.
      const broken = await post('{"Body":')
      assert.equal(broken.statusCode, 400)
      assert.equal(broken.json().ResultCode, 1)
      const [unparsable] = await inboxSince(mark)
      assert.deepEqual([unparsable?.body, unparsable?.outcome], [{ unparsable: '{"Body":' }, 'refused'])
      const shapesMark = await inboxMark()
      const shapes = [[], { Body: {} }, { Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'c', ResultCode: 0, ResultDesc: 'ok' } } }]
      for (const payload of shapes) {
        const response = await post(payload)
        assert.equal(response.statusCode, 400, JSON.stringify(payload))
        assert.equal(response.json().ResultCode, 1)
      }
      const rows = await inboxSince(shapesMark)
      assert.deepEqual(rows.map((row) => [row.kind, row.path, row.outcome]), shapes.map(() => ['stk-result', '/payments/mpesa/<secret>/callback', 'refused']))
      assert.ok(rows.every((row) => row.refused_reason && row.processed_at), 'recorded as refused, never processed')
      assert.deepEqual(rows.map((row) => row.body), shapes)
      assert.match(rows[2]!.refused_reason!, /CallbackMetadata/)
      assert.ok(t.logs.some((line) => line.msg === 'M-Pesa callback refused' && /CallbackMetadata/.test(String(line.reason))))
      assert.equal(await paymentCount(), paymentsBefore)
    })

    it('refuses the old address without the secret and a wrong secret with 404, and a caller outside MPESA_ALLOWED_IPS with 403: recorded, nothing credited', async () => {
      const invoice = await invoiceFor()
      const { prompt } = await prompted(invoice.billReference)
      // M-Pesa's genuine result, which never reached us; someone else posts it.
      const { callback } = await gateway.control!.resolve(prompt.checkoutRequestId, 'approved', { lose: true })
      const mark = await inboxMark()
      const wrongSecret = 'not-the-secret-segment-at-all-000000'
      assert.equal((await post(callback as object, undefined, '/payments/mpesa/callback')).statusCode, 404)
      assert.equal((await post(callback as object, undefined, `/payments/mpesa/${wrongSecret}/callback`)).statusCode, 404)
      assert.equal((await post(callback as object, '10.9.8.7')).statusCode, 403)
      await app.modules.mpesa.inbox.processor.whenIdle()
      const rows = await inboxSince(mark)
      assert.deepEqual(
        rows.map((row) => [row.path, row.source_ip, row.refused_reason, row.outcome]),
        [
          ['/payments/mpesa/callback', '127.0.0.1', 'no secret segment', 'refused'],
          ['/payments/mpesa/<wrong-secret>/callback', '127.0.0.1', 'wrong or old secret segment', 'refused'],
          ['/payments/mpesa/<secret>/callback', '10.9.8.7', 'address not allowed', 'refused'],
        ],
      )
      assert.ok(rows.every((row) => !row.path.includes(wrongSecret)), 'a guessed segment is not stored')
      assert.equal((await invoiceNow(invoice.billReference)).status, 'pending')
      assert.equal((await t.payments.prompt(prompt.checkoutRequestId))?.status, 'pending')
      // The same body at the right address, from M-Pesa: credited.
      assert.deepEqual((await postToMpesa(app, MPESA.callback, callback)).json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      assert.equal((await invoiceNow(invoice.billReference)).status, 'paid')
    })

    it('acknowledges a result for a prompt it never sent, settles nothing, and keeps a success claim for review', async () => {
      const paymentsBefore = await paymentCount()
      const mark = await inboxMark()
      const failed = await postToMpesa(app, MPESA.callback, { Body: { stkCallback: { MerchantRequestID: 'm-1', CheckoutRequestID: 'ws_CO_unknown', ResultCode: 1032, ResultDesc: 'Request cancelled by user' } } })
      assert.deepEqual(failed.json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      assert.ok(t.logs.some((line) => line.msg === 'result for an STK prompt we never sent' && line.checkoutRequestId === 'ws_CO_unknown'))
      // A success for it: M-Pesa's query does not know the prompt, so no money moved: kept for a person, not held.
      const claim = {
        Body: {
          stkCallback: {
            MerchantRequestID: 'm-2', CheckoutRequestID: 'ws_CO_unknown_paid', ResultCode: 0, ResultDesc: 'The service request is processed successfully.',
            CallbackMetadata: { Item: [{ Name: 'Amount', Value: 1050 }, { Name: 'MpesaReceiptNumber', Value: 'UNK0000001' }, { Name: 'Balance' }, { Name: 'TransactionDate', Value: 20240301120000 }, { Name: 'PhoneNumber', Value: 254712345678 }] },
          },
        },
      }
      assert.deepEqual((await postToMpesa(app, MPESA.callback, claim)).json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      assert.deepEqual((await inboxSince(mark)).map((row) => [row.kind, row.refused_reason, row.outcome]), [['stk-result', null, 'unknown-prompt'], ['stk-result', null, 'unconfirmed-claim']])
      const items = await db().selectFrom('payment_suspense').select(['reason', 'held', 'amount_cents', 'mpesa_receipt', 'details']).where('checkout_request_id', '=', 'ws_CO_unknown_paid').execute()
      assert.deepEqual(items.map((item) => [item.reason, item.held, Number(item.amount_cents), item.mpesa_receipt]), [['unconfirmed-claim', false, 0, 'UNK0000001']])
      assert.equal((items[0]!.details as { claimedAmountCents: number }).claimedAmountCents, 105_000)
      assert.equal(await db().selectFrom('mpesa_receipts').select('receipt').where('receipt', '=', 'UNK0000001').executeTakeFirst(), undefined, 'the receipt is not claimed')
      assert.equal(await paymentCount(), paymentsBefore)
    })

    it('acknowledges a duplicate and credits once', async () => {
      const invoice = await invoiceFor()
      const { prompt } = await prompted(invoice.billReference)
      const { callback } = await gateway.control!.resolve(prompt.checkoutRequestId, 'approved')
      const mark = await inboxMark()
      const again = await postToMpesa(app, MPESA.callback, callback)
      assert.equal(again.statusCode, 200)
      assert.deepEqual(again.json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      assert.deepEqual((await inboxSince(mark)).map((row) => row.outcome), ['duplicate'])
      assert.equal((await paymentsFor(db(), invoice.id)).length, 1)
      assert.equal((await invoiceNow(invoice.billReference)).paidCents, invoice.totalCents)
    })
  })

  describe('C2B paybill', () => {
    const body = (fields: Record<string, string>) => ({
      TransactionType: 'Pay Bill', TransID: `T${randomInt(1e8, 1e9)}X`, TransTime: '20240301120000', TransAmount: '1050.00', BusinessShortCode: '222222',
      BillRefNumber: '', InvoiceNumber: '', OrgAccountBalance: '', ThirdPartyTransID: '', MSISDN: '254712345678', FirstName: 'John', MiddleName: '', LastName: '', ...fields,
    })
    const validate = async (fields: Record<string, string>) => (await postToMpesa(app, MPESA.validation, body(fields))).json() as { ResultCode: string; ResultDesc: string }

    it('accepts a known unpaid bill reference however typed, and rejects others with Daraja’s codes, recording each answer', async () => {
      const invoice = await invoiceFor()
      const paid = await invoiceFor()
      await t.payments.creditPayment({ source: 'c2b', receipt: 'PAIDBEFORE1', amountCents: paid.totalCents, currency: 'KES', paidAt: new Date(), billReference: paid.billReference, raw: {} })
      const mark = await inboxMark()
      assert.deepEqual(await validate({ BillRefNumber: invoice.billReference.toLowerCase() }), { ResultCode: '0', ResultDesc: 'Accepted' })
      assert.deepEqual(await validate({ BillRefNumber: 'DISNOSUCH1' }), { ResultCode: 'C2B00012', ResultDesc: 'Rejected' })
      assert.deepEqual(await validate({ BillRefNumber: '' }), { ResultCode: 'C2B00012', ResultDesc: 'Rejected' })
      assert.equal((await validate({ BillRefNumber: paid.billReference })).ResultCode, 'C2B00012')
      assert.equal((await validate({ BillRefNumber: invoice.billReference, TransAmount: '2000.00' })).ResultCode, 'C2B00013')
      assert.equal((await validate({ BillRefNumber: invoice.billReference, TransAmount: '0.00' })).ResultCode, 'C2B00013')
      assert.equal((await validate({ BillRefNumber: invoice.billReference, BusinessShortCode: '174379' })).ResultCode, 'C2B00015')
      const malformed = await app.inject({ method: 'POST', url: MPESA.validation, payload: { TransID: 'x' } })
      assert.equal(malformed.statusCode, 400)
      const rows = await inboxSince(mark)
      assert.deepEqual(rows.map((row) => row.kind), Array(8).fill('c2b-validation'))
      assert.deepEqual(
        rows.map((row) => row.outcome?.split(':')[0]),
        ['accepted', 'rejected C2B00012', 'rejected C2B00012', 'rejected C2B00012', 'rejected C2B00013', 'rejected C2B00013', 'rejected C2B00015', 'refused'],
      )
      // Validation moves no money.
      assert.equal((await invoiceNow(invoice.billReference)).paidCents, 0)
    })

    it('credits a confirmation once, in cents, and acknowledges every copy', async () => {
      const invoice = await invoiceFor()
      const payment = body({ BillRefNumber: invoice.billReference, TransAmount: '1050.00' })
      const mark = await inboxMark()
      for (let i = 0; i < 2; i++) {
        const response = await postToMpesa(app, MPESA.confirmation, payment)
        assert.deepEqual(response.json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      }
      assert.deepEqual((await inboxSince(mark)).map((row) => [row.kind, row.outcome]), [['c2b-confirmation', 'credited'], ['c2b-confirmation', 'duplicate']])
      const credited = await paymentsFor(db(), invoice.id)
      assert.deepEqual(credited.map((p) => [p.mpesaReceipt, p.amountCents, p.source, p.phone]), [[payment.TransID, 105_000, 'c2b', '+254712345678']])
      assert.equal((await invoiceNow(invoice.billReference)).status, 'paid')
    })

    it('holds a confirmation for a bill reference we never issued in suspense, once; one for another shortcode moves nothing', async () => {
      const paymentsBefore = await paymentCount()
      const stray = body({ BillRefNumber: 'DISNOSUCH1', TransAmount: '700.00' })
      for (let i = 0; i < 2; i++) assert.deepEqual((await postToMpesa(app, MPESA.confirmation, stray)).json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      const held = await db().selectFrom('payment_suspense').selectAll().where('mpesa_receipt', '=', stray.TransID).execute()
      assert.deepEqual(
        held.map((item) => [item.reason, item.held, Number(item.amount_cents), item.bill_reference, item.phone, item.payer_name, item.invoice_id, item.status]),
        [['unknown-reference', true, 70_000, 'DISNOSUCH1', '+254712345678', 'John', null, 'open']],
      )
      const claimed = await db().selectFrom('mpesa_receipts').select(['suspense_id', 'payment_id']).where('receipt', '=', stray.TransID).executeTakeFirstOrThrow()
      assert.deepEqual(claimed, { suspense_id: held[0]!.id, payment_id: null })
      const lines = await db()
        .selectFrom('ledger_lines as l')
        .innerJoin('ledger_entries as e', 'e.id', 'l.entry_id')
        .select(['e.kind', 'e.invoice_id', 'l.account', 'l.debit_cents', 'l.credit_cents'])
        .where('e.suspense_id', '=', held[0]!.id)
        .orderBy('l.account')
        .execute()
      assert.deepEqual(
        lines.map((line) => [line.kind, line.invoice_id, line.account, Number(line.debit_cents), Number(line.credit_cents)]),
        [['suspense-received', null, 'mpesa-paybill', 70_000, 0], ['suspense-received', null, SUSPENSE_ACCOUNT, 0, 70_000]],
      )

      const elsewhere = body({ BillRefNumber: (await invoiceFor()).billReference, BusinessShortCode: '174379' })
      assert.deepEqual((await postToMpesa(app, MPESA.confirmation, elsewhere)).json(), { ResultCode: 0, ResultDesc: 'Accepted' })
      const review = await db().selectFrom('payment_suspense').select(['reason', 'held', 'amount_cents']).where('mpesa_receipt', '=', elsewhere.TransID).execute()
      assert.deepEqual(review.map((item) => [item.reason, item.held, Number(item.amount_cents)]), [['not-our-shortcode', false, 0]])
      assert.equal((await invoiceNow(elsewhere.BillRefNumber)).paidCents, 0)
      assert.equal(await paymentCount(), paymentsBefore)
      assert.deepEqual(await unbalancedEntries(db()), [])
    })

    it('lets the simulated phone pay a bill through validation and confirmation', async () => {
      const invoice = await invoiceFor()
      const result = await gateway.control!.payBill({ phone: '254712345678', billReference: invoice.billReference, amount: 1050 })
      assert.equal(result.accepted, true)
      assert.deepEqual(result.confirmation, { ResultCode: 0, ResultDesc: 'Accepted' })
      assert.equal((await invoiceNow(invoice.billReference)).status, 'paid')
      assert.deepEqual((await paymentsFor(db(), invoice.id)).map((p) => p.mpesaReceipt), [result.transId])
    })
  })

  describe('/dev/phone', () => {
    it('lists waiting prompts and answers one with a form', async () => {
      const invoice = await invoiceFor()
      const { prompt } = await prompted(invoice.billReference)
      const page = await browser.get('/dev/phone')
      assert.match(page.body, new RegExp(`action="/dev/phone/prompts/${prompt.checkoutRequestId}"`))
      const response = await browser.submit('/dev/phone', `/dev/phone/prompts/${prompt.checkoutRequestId}`, { action: 'approved', pin: '1234' })
      assert.equal(response.headers.location, '/dev/phone?done=approved')
      assert.equal((await invoiceNow(invoice.billReference)).status, 'paid')
      assert.equal((await t.payments.prompt(prompt.checkoutRequestId))?.status, 'succeeded')
      const noToken = await app.inject({ method: 'POST', url: '/dev/phone/paybill', payload: { phone: '0712345678', billReference: 'X', amount: '1' } })
      assert.equal(noToken.statusCode, 403)
    })

    it('pays a bill from the form, and keeps what was typed when it is wrong', async () => {
      const invoice = await invoiceFor()
      const wrong = await browser.submit('/dev/phone', '/dev/phone/paybill', { phone: '0812', billReference: invoice.billReference, amount: 'lots' })
      assert.equal(wrong.statusCode, 400)
      assert.match(wrong.body, new RegExp(`value="${invoice.billReference}"`))
      const paid = await browser.submit('/dev/phone', '/dev/phone/paybill', { phone: '0712345678', billReference: invoice.billReference, amount: '1050' })
      assert.equal(paid.headers.location, '/dev/phone?done=paid')
      assert.equal((await invoiceNow(invoice.billReference)).status, 'paid')
      assert.equal((await paymentsFor(db(), invoice.id))[0]?.source, 'c2b')
      assert.equal(serverErrors(t.logs).length, 0)
    })
  })
})
