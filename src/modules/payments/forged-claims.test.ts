/**
 * The findings of an outside attack on crediting, each as it was tried: hand-made callbacks from an
 * address that is not Safaricom's, knowing only what a receipt or /verify shows; and as an insider who
 * knows the secret path, forging what the prompt said. None of them may move money, and none may block
 * the genuine result that follows.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { darajaTimestamp } from './daraja/protocol.js'
import { DEVELOPMENT_CALLBACK_SECRET } from './settings.js'
import { signedInBrowser } from '../../../test/helpers/accounts.js'
import { testApp, serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { MPESA, postToMpesa } from '../../../test/helpers/mpesa.js'
import { unbalancedEntries } from './ledger.js'
import { reconcile } from './reconcile.js'
import { queryPromptWith } from './jobs.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

const OUTSIDER = '203.0.113.9'
const successBody = (checkoutRequestId: string, amount: number, receipt: string, phone = 254712345678) => ({
  Body: {
    stkCallback: {
      MerchantRequestID: '29115-34620561-1',
      CheckoutRequestID: checkoutRequestId,
      ResultCode: 0,
      ResultDesc: 'The service request is processed successfully.',
      CallbackMetadata: { Item: [{ Name: 'Amount', Value: amount }, { Name: 'MpesaReceiptNumber', Value: receipt }, { Name: 'Balance' }, { Name: 'TransactionDate', Value: Number(darajaTimestamp()) }, { Name: 'PhoneNumber', Value: phone }] },
    },
  },
})
const c2bBody = (bill: string, amount: string, transId: string, shortcode = '222222') => ({
  TransactionType: 'Pay Bill', TransID: transId, TransTime: darajaTimestamp(), TransAmount: amount, BusinessShortCode: shortcode,
  BillRefNumber: bill, InvoiceNumber: '', OrgAccountBalance: '', ThirdPartyTransID: '', MSISDN: '254711111111', FirstName: 'M', MiddleName: '', LastName: '',
})

describe(`forged and mismatched M-Pesa claims on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  before(async () => {
    // Only loopback stands for Safaricom here; every outsider comes from another address.
    t = await paymentsTestApp(undefined, { env: { MPESA_ALLOWED_IPS: '127.0.0.1' }, mpesaInbox: { retryDelayMs: 0, maxAttempts: 3 } })
    await t.app.modules.mpesa.client!.c2bRegisterUrls()
  })
  after(() => t.close())

  const db = () => t.database.db
  const invoiceOf = (bill: string) => t.payments.findInvoiceByBillReference(bill)
  const suspense = (reason?: string) => db().selectFrom('payment_suspense').selectAll().$if(reason !== undefined, (q) => q.where('reason', '=', reason as never)).execute()
  async function promptFor(accountPhone = '0712345678') {
    const { invoice } = await awaitingPayment(t)
    const client = t.app.modules.mpesa.client!
    const amount = invoice.totalCents / 100
    const sent = await client.stkPush({ phone: `254${accountPhone.slice(1)}`, amount, accountReference: invoice.billReference, description: 'DIS fees' })
    await t.payments.recordPrompt(invoice.id, { ...sent, phone: accountPhone, amountCents: invoice.totalCents })
    return { invoice, checkoutRequestId: sent.checkoutRequestId, amount }
  }

  it('0: refuses a paybill confirmation without the secret segment, from elsewhere, or for another shortcode, and records each', async () => {
    const { invoice } = await awaitingPayment(t)
    const bare = await t.app.inject({ method: 'POST', url: '/payments/mpesa/c2b/confirmation', payload: c2bBody(invoice.billReference, '100.00', 'FAKEC2B01'), remoteAddress: OUTSIDER })
    assert.equal(bare.statusCode, 404)
    const wrong = await postToMpesa(t.app, `/payments/mpesa/${'x'.repeat(40)}/c2b/confirmation`, c2bBody(invoice.billReference, '1000.00', 'FAKEC2B02'))
    assert.equal(wrong.statusCode, 404)
    const elsewhere = await postToMpesa(t.app, MPESA.confirmation, c2bBody(invoice.billReference, '1000.00', 'FAKEC2B03'), OUTSIDER)
    assert.equal(elsewhere.statusCode, 403)
    const shortcode = await postToMpesa(t.app, MPESA.confirmation, c2bBody(invoice.billReference, '1000.00', 'FAKEC2B04', '999999'))
    assert.equal(shortcode.statusCode, 200)
    assert.equal((await invoiceOf(invoice.billReference))!.paidCents, 0, 'nothing credited')
    const refused = await db().selectFrom('mpesa_inbox').select(['refused_reason', 'source_ip', 'path']).where('refused_reason', 'is not', null).orderBy('id').execute()
    assert.deepEqual(refused.slice(-3).map((row) => row.refused_reason), ['no secret segment', 'wrong or old secret segment', 'address not allowed'])
    assert.ok(refused.every((row) => !row.path.includes(DEVELOPMENT_CALLBACK_SECRET)), 'the secret is never written down')
    assert.deepEqual((await suspense('not-our-shortcode')).map((item) => [item.mpesa_receipt, item.held]), [['FAKEC2B04', false]])
  })

  it('0: a guessed or invented STK success credits nothing and is kept for review', async () => {
    const { invoice } = await promptFor()
    const prompts = t.app.modules.mpesa.control!.prompts()
    const ids = prompts.map((p) => p.checkoutRequestId)
    assert.ok(ids.every((id) => !id.includes('712345678')), 'the phone is not in the CheckoutRequestID')
    const guess = `${ids.at(-1)!.slice(0, -4)}0000`
    const forged = await postToMpesa(t.app, MPESA.callback, successBody(guess, invoice.totalCents / 100, 'FAKE000001'))
    assert.equal(forged.statusCode, 200)
    assert.equal((await invoiceOf(invoice.billReference))!.paidCents, 0)
    const review = (await suspense('unconfirmed-claim')).find((item) => item.checkout_request_id === guess)
    assert.equal(review?.held, false)
  })

  it('1: a wrong-amount success for a real prompt waits for M-Pesa; the genuine result is credited with its receipt and the forgery goes to review', async () => {
    const { invoice, checkoutRequestId } = await promptFor()
    await postToMpesa(t.app, MPESA.callback, successBody(checkoutRequestId, 1, 'FAKE000002'))
    assert.equal((await invoiceOf(invoice.billReference))!.paidCents, 0, 'a claim of KES 1 is not credited')
    const { callback } = await t.app.modules.mpesa.control!.resolve(checkoutRequestId, 'approved')
    const genuine = (callback as ReturnType<typeof successBody>).Body.stkCallback.CallbackMetadata.Item[1]!.Value as string
    const paid = (await invoiceOf(invoice.billReference))!
    assert.equal(paid.status, 'paid')
    assert.equal(paid.paidCents, invoice.totalCents)
    await t.app.modules.mpesa.inbox.processor.sweep(0)
    const payments = await db().selectFrom('payments').select(['mpesa_receipt', 'amount_cents']).where('invoice_id', '=', invoice.id).execute()
    assert.deepEqual(payments.map((p) => [p.mpesa_receipt, Number(p.amount_cents)]), [[genuine, invoice.totalCents]])
    const review = (await suspense()).filter((item) => item.checkout_request_id === checkoutRequestId)
    assert.deepEqual(review.map((item) => [item.mpesa_receipt, item.held, item.reason]), [['FAKE000002', false, 'amount-mismatch']])
  })

  it('1: a success of KES 5,000 for a prompt still waiting credits nothing while M-Pesa says it is pending, and is given up to review', async () => {
    const { invoice, checkoutRequestId } = await promptFor()
    await postToMpesa(t.app, MPESA.callback, successBody(checkoutRequestId, 5000, 'FAKE000003'))
    for (let i = 0; i < 3; i++) await t.app.modules.mpesa.inbox.processor.sweep(0)
    assert.equal((await invoiceOf(invoice.billReference))!.paidCents, 0)
    const review = (await suspense('unconfirmed-claim')).find((item) => item.mpesa_receipt === 'FAKE000003')
    assert.equal(review?.held, false)
    const row = await db().selectFrom('mpesa_inbox').select(['processed_at', 'outcome']).where('body', '@>', JSON.stringify({ Body: { stkCallback: { CheckoutRequestID: checkoutRequestId } } })).executeTakeFirstOrThrow()
    assert.ok(row.processed_at, 'processed exactly once, in the end')
  })

  it('2 and 4: a payment the query confirmed waits for its receipt, which the callback completes; a receipt used elsewhere pays nothing twice', async () => {
    const { invoice, checkoutRequestId } = await promptFor()
    const control = t.app.modules.mpesa.control!
    const { callback } = await control.resolve(checkoutRequestId, 'approved', { lose: true })
    const tally = await reconcile(t.payments, queryPromptWith(t.app.modules.mpesa.client!), new Date(Date.now() + 1000), undefined, invoice.id)
    assert.equal(tally.settled, 1)
    const confirmed = await db().selectFrom('payments').select(['mpesa_receipt', 'source']).where('invoice_id', '=', invoice.id).executeTakeFirstOrThrow()
    assert.deepEqual(confirmed, { mpesa_receipt: null, source: 'query' }, 'never the CheckoutRequestID as receipt')
    const sms = await db().selectFrom('notifications').select('body').where('channel', '=', 'sms').orderBy('created_at', 'desc').executeTakeFirstOrThrow()
    assert.doesNotMatch(sms.body, /WS_CO/i)
    await postToMpesa(t.app, MPESA.callback, callback)
    const receipt = (callback as ReturnType<typeof successBody>).Body.stkCallback.CallbackMetadata.Item[1]!.Value as string
    assert.equal((await db().selectFrom('payments').select('mpesa_receipt').where('invoice_id', '=', invoice.id).executeTakeFirstOrThrow()).mpesa_receipt, receipt)

    // Finding 4: the same receipt claimed for another prompt: the prompt is not marked paid, nobody is told "KES 0".
    const other = await promptFor()
    await postToMpesa(t.app, MPESA.callback, successBody(other.checkoutRequestId, other.amount, receipt))
    assert.equal((await invoiceOf(other.invoice.billReference))!.paidCents, 0)
    assert.equal((await t.payments.latestPrompt(other.invoice.id))!.status, 'pending')
    const told = await db().selectFrom('notifications').select('body').where('body', 'like', `%${other.invoice.billReference}%`).where('body', 'like', '%received%').execute()
    assert.deepEqual(told, [], 'nobody is told a payment of KES 0 was received')
    assert.ok((await suspense('conflicting-result')).some((item) => item.checkout_request_id === other.checkoutRequestId))
  })

  it('5: a paybill payment to an unknown account is held in suspense with its amount, phone and receipt, and the ledger balances', async () => {
    const paid = await t.app.modules.mpesa.control!.payBill({ phone: '254722000111', billReference: 'NOSUCHBILL1', amount: 750 })
    assert.equal(paid.accepted, false, 'validation refuses it')
    // Safaricom confirms it anyway (validation unreachable and ResponseType Completed):
    await postToMpesa(t.app, MPESA.confirmation, { ...c2bBody('NOSUCHBILL1', '750.00', 'QKX1234567'), MSISDN: '254722000111' })
    const [item] = (await suspense('unknown-reference')).filter((row) => row.mpesa_receipt === 'QKX1234567')
    assert.deepEqual([item?.held, Number(item?.amount_cents), item?.phone], [true, 75000, '+254722000111'])
    assert.deepEqual(await unbalancedEntries(db()), [])
    const held = await db().selectFrom('ledger_lines').select((eb) => eb.fn.sum<string>('credit_cents').as('c')).where('account', '=', 'mpesa-suspense').executeTakeFirstOrThrow()
    assert.equal(Number(held.c), 75000)
    // Sent again: one item, one receipt.
    await postToMpesa(t.app, MPESA.confirmation, { ...c2bBody('NOSUCHBILL1', '750.00', 'QKX1234567'), MSISDN: '254722000111' })
    assert.equal((await suspense('unknown-reference')).filter((row) => row.mpesa_receipt === 'QKX1234567').length, 1)
  })

  it('6: a prompt M-Pesa does not know is asked about a bounded number of times, then marked and left alone', async () => {
    const { invoice } = await awaitingPayment(t)
    await t.payments.recordPrompt(invoice.id, { checkoutRequestId: 'ws_CO_NEVERSENT0000000001', merchantRequestId: 'm', phone: '0712345678', amountCents: invoice.totalCents })
    const query = queryPromptWith(t.app.modules.mpesa.client!)
    for (let i = 0; i < 5; i++) await reconcile(t.payments, query, new Date(Date.now() + 1000), undefined, invoice.id)
    const prompt = (await t.payments.latestPrompt(invoice.id))!
    assert.equal(prompt.status, 'unknown')
    const asked = await db().selectFrom('mpesa_prompts').select('query_attempts').where('checkout_request_id', '=', 'ws_CO_NEVERSENT0000000001').executeTakeFirstOrThrow()
    assert.equal(asked.query_attempts, 3)
  })

  it('7: a result for a push whose sending timed out is matched to it by phone and amount, and credited', async () => {
    const { invoice } = await awaitingPayment(t)
    const client = t.app.modules.mpesa.client!
    // The push reached M-Pesa, but its answer never reached us: no CheckoutRequestID was recorded.
    const sent = await client.stkPush({ phone: '254733000222', amount: invoice.totalCents / 100, accountReference: invoice.billReference, description: 'DIS fees' })
    await t.payments.recordPushTimeout(invoice.id, { phone: '0733000222', amountCents: invoice.totalCents })
    await t.app.modules.mpesa.control!.resolve(sent.checkoutRequestId, 'approved')
    const paid = (await invoiceOf(invoice.billReference))!
    assert.equal(paid.status, 'paid')
    const matched = await db().selectFrom('mpesa_push_timeouts').select('matched_checkout_request_id').where('invoice_id', '=', invoice.id).executeTakeFirstOrThrow()
    assert.equal(matched.matched_checkout_request_id, sent.checkoutRequestId)
  })

  it('never answers with a server error, and the ledger balances', async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    assert.deepEqual(await unbalancedEntries(db()), [])
    const unprocessed = await db().selectFrom('mpesa_inbox').select('id').where('processed_at', 'is', null).execute()
    assert.deepEqual(unprocessed, [], 'every message processed')
  })
})


describe(`paybill confirmations checked with the Transaction Status API on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  before(async () => {
    t = await paymentsTestApp(undefined, { env: { MPESA_C2B_STATUS_CHECK: 'on' }, mpesaInbox: { retryDelayMs: 0, maxAttempts: 3 } })
    await t.app.modules.mpesa.client!.c2bRegisterUrls()
  })
  after(() => t.close())

  it('credits a genuine paybill payment only once M-Pesa confirms its receipt, and never an invented one', async () => {
    const { invoice } = await awaitingPayment(t)
    const control = t.app.modules.mpesa.control!
    await control.payBill({ phone: '254722000444', billReference: invoice.billReference, amount: invoice.totalCents / 100 })
    // The confirmation waits for Daraja's answer, which the simulator posts to the result address.
    await control.settled()
    await t.app.modules.mpesa.inbox.processor.whenIdle()
    const paid = (await t.payments.findInvoiceByBillReference(invoice.billReference))!
    assert.equal(paid.status, 'paid')
    const check = await t.database.db.selectFrom('mpesa_status_checks').select('status').execute()
    assert.deepEqual(check.map((row) => row.status), ['confirmed'])

    const other = await awaitingPayment(t)
    await postToMpesa(t.app, MPESA.confirmation, c2bBody(other.invoice.billReference, '1000.00', 'INVENTED01'))
    await control.settled()
    await t.app.modules.mpesa.inbox.processor.whenIdle()
    assert.equal((await t.payments.findInvoiceByBillReference(other.invoice.billReference))!.paidCents, 0, 'an invented receipt pays nothing')
    const review = await t.database.db.selectFrom('payment_suspense').select(['reason', 'held']).where('mpesa_receipt', '=', 'INVENTED01').execute()
    assert.deepEqual(review, [{ reason: 'unconfirmed-claim', held: false }])
  })
})

describe(`a payment prompt whose sending times out, on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  before(async () => {
    t = await paymentsTestApp(undefined, { env: { MPESA_TIMEOUT_MS: '300' } })
  })
  after(() => t.close())

  it('7: tells the truth (the request may have reached the phone), offers the paybill, and keeps the push for a late result', async () => {
    const { invoice, accountId } = await awaitingPayment(t)
    const browser = await signedInBrowser(t.app, t.database.db, accountId)
    t.app.modules.mpesa.control!.breakNext(1, 'hang')
    const response = await browser.submit(`/payments/invoices/${invoice.billReference}`, `/payments/invoices/${invoice.billReference}/prompt`, { phone: '0712 345 678' })
    assert.equal(response.statusCode, 503)
    assert.match(response.body, /We could not confirm whether the request reached your phone\. If you paid, it will show here within minutes/)
    assert.doesNotMatch(response.body, /Nothing has been charged/)
    assert.match(response.body, /paybill/i)
    const kept = await t.database.db.selectFrom('mpesa_push_timeouts').select(['phone', 'amount_cents']).where('invoice_id', '=', invoice.id).execute()
    assert.deepEqual(kept.map((row) => [row.phone, Number(row.amount_cents)]), [['+254712345678', invoice.totalCents]])
  })
})

describe(`the callback secret in logs, on ${TEST_ENGINE}`, () => {
  it('is never written to a log line, whatever the answer', async () => {
    const t = await testApp()
    try {
      await postToMpesa(t.app, MPESA.callback, { Body: {} })
      await postToMpesa(t.app, MPESA.confirmation, c2bBody('NOSUCHBILL2', '10.00', 'LOGCHECK01'))
      const lines = t.logs.map((line) => JSON.stringify(line))
      assert.ok(lines.some((line) => line.includes('/payments/mpesa/:secret/callback')), 'the access line names the route')
      assert.deepEqual(lines.filter((line) => line.includes(DEVELOPMENT_CALLBACK_SECRET)), [])
    } finally {
      await t.close()
    }
  })
})
