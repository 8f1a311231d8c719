import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { Client } from '../applications/test-support.js'
import { ACCOUNTS } from './ledger.js'
import { reconcile } from './reconcile.js'
import { ledgerBalances, paymentsFor } from './store.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Nairobi' }).format(new Date())

describe(`payment pages on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let payer: Client
  let payerId: string
  let billReference: string
  let applicationId: string
  let receiptNumber: string
  const staff = async (role: 'agency_admin' | 'agency_officer', agencyCode: string) => Client.signedIn(t, (await createAccount(t.database.db, { role, agencyCode, secondFactor: 'totp' })).id)

  before(async () => {
    t = await paymentsTestApp()
    payerId = (await createAccount(t.database.db)).id
    payer = await Client.signedIn(t, payerId)
    const { invoice, application } = await awaitingPayment(t, { accountId: payerId })
    billReference = invoice.billReference
    applicationId = application.id
  })
  after(() => t.close())

  it('shows the invoice with its lines and a Pay now link on the application page', async () => {
    const page = await payer.get(`/applications/${applicationId}`)
    assert.equal(page.statusCode, 200)
    assert.ok(page.body.includes(billReference))
    assert.match(page.body, /Convenience fee/)
    assert.ok(page.body.includes(`href="/payments/invoices/${billReference}"`))
    assert.match(page.body, /paybill 222222/)
  })

  it('reconciles a prompt whose callback never came, through the query', async () => {
    const invoice = (await t.payments.findInvoiceByBillReference(billReference))!
    await t.payments.recordPrompt(invoice.id, { checkoutRequestId: 'ws_CO_lost', merchantRequestId: 'm', phone: '0712345678', amountCents: invoice.totalCents })
    await t.payments.recordPrompt(invoice.id, { checkoutRequestId: 'ws_CO_slow', merchantRequestId: 'm', phone: '0712345678', amountCents: invoice.totalCents })
    const asked: string[] = []
    const query = async (id: string) => {
      asked.push(id)
      return id === 'ws_CO_lost' ? { resultCode: 0, resultDesc: 'processed', raw: { id } } : ('pending' as const)
    }
    assert.deepEqual(await reconcile(t.payments, query, new Date()), { asked: 0, settled: 0, pending: 0, unknown: 0, errors: 0 }, 'younger than three minutes')
    const tally = await reconcile(t.payments, query, new Date(Date.now() + 4 * 60_000))
    assert.deepEqual(tally, { asked: 2, settled: 1, pending: 1, unknown: 0, errors: 0 })
    const payments = await paymentsFor(t.database.db, invoice.id)
    assert.equal(payments.length, 1)
    assert.equal(payments[0]!.source, 'query')
    // The query carries no M-Pesa receipt: credited, "receipt to follow", never the CheckoutRequestID in its place.
    assert.equal(payments[0]!.mpesaReceipt, null)
    // The slow prompt's "still processing" is counted on it, and it stays pending to be asked again.
    const slow = await t.database.db.selectFrom('mpesa_prompts').select(['status', 'query_attempts']).where('checkout_request_id', '=', 'ws_CO_slow').executeTakeFirstOrThrow()
    assert.deepEqual(slow, { status: 'pending', query_attempts: 1 })
    receiptNumber = payments[0]!.receiptNumber
    const page = await payer.get(`/applications/${applicationId}`)
    assert.ok(page.body.includes(`/payments/receipts/${receiptNumber}.pdf`))
    assert.ok(!page.body.includes(`href="/payments/invoices/${billReference}"`), 'nothing left to pay')
  })

  it('gives the receipt PDF to the payer and the agency’s staff only', async () => {
    const url = `/payments/receipts/${receiptNumber}.pdf`
    const mine = await payer.get(url)
    assert.equal(mine.statusCode, 200)
    assert.equal(mine.headers['content-type'], 'application/pdf')
    assert.match(String(mine.headers['content-disposition']), /^attachment; filename="receipt-RCPT-/)
    assert.equal(mine.rawPayload.subarray(0, 5).toString(), '%PDF-')
    assert.ok(mine.rawPayload.length > 1000)
    assert.equal((await (await staff('agency_officer', 'DIS')).get(url)).statusCode, 200)
    assert.equal((await (await staff('agency_officer', 'DCI')).get(url)).statusCode, 404)
    const stranger = await Client.signedIn(t, (await createAccount(t.database.db)).id)
    assert.equal((await stranger.get(url)).statusCode, 404)
    assert.equal((await payer.get('/payments/receipts/RCPT-2222-2222.pdf')).statusCode, 404)
    assert.equal((await t.app.inject({ url })).statusCode, 303, 'signed out: to sign in')
  })

  it('tells anyone whether a receipt number is genuine, showing initials only', async () => {
    const page = await t.app.inject({ url: `/verify/${receiptNumber.toLowerCase()}` })
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /This receipt is genuine/)
    assert.match(page.body, /KES 1,050/)
    assert.match(page.body, /A\. O\./)
    assert.doesNotMatch(page.body, /Achieng|Otieno|254712/)
    const missing = await t.app.inject({ url: '/verify/RCPT-2222-2222' })
    assert.equal(missing.statusCode, 404)
    assert.match(missing.body, /No such receipt/)
  })

  it('gives an agency admin their own agency’s settlement for a Nairobi day, as CSV', async () => {
    const admin = await staff('agency_admin', 'DIS')
    const csv = await admin.get(`/payments/settlement.csv?date=${today()}`)
    assert.equal(csv.statusCode, 200)
    assert.match(String(csv.headers['content-type']), /^text\/csv/)
    const lines = csv.body.trim().split('\r\n')
    assert.match(lines[0]!, /^receipt_number,mpesa_receipt,/)
    const row = lines.find((line) => line.includes(receiptNumber))!
    assert.ok(row.includes('"1050.00","1000.00","50.00","0.00"'), row)
    // Confirmed by the query, its M-Pesa receipt is still to follow: the column is empty, not the CheckoutRequestID.
    assert.ok(row.includes(`"${receiptNumber}",,"query",`), row)
    assert.ok(!row.includes('ws_CO_lost'), row)
    const other = await (await staff('agency_admin', 'DCI')).get(`/payments/settlement.csv?date=${today()}`)
    assert.equal(other.body.trim().split('\r\n').length, 1, 'another agency sees none of it')
    assert.equal((await admin.get('/payments/settlement.csv?date=yesterday')).statusCode, 400)
    assert.equal((await (await staff('agency_officer', 'DIS')).get(`/payments/settlement.csv?date=${today()}`)).statusCode, 403)
  })

  it('lets an agency admin refund with a reason, on their own agency’s invoices only', async () => {
    const admin = await staff('agency_admin', 'DIS')
    const url = `/backoffice/invoices/${billReference.toLowerCase()}/refund`
    const page = await admin.get(url)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /KES 1,000/, 'the government fee can be refunded')
    const noReason = await admin.post(url, { amount: '500', reason: ' ' })
    assert.equal(noReason.statusCode, 400)
    assert.match(noReason.body, /Enter the reason for the refund/)
    assert.match(noReason.body, /value="500"/)
    assert.equal((await admin.post(url, { amount: '5000', reason: 'Too much' })).statusCode, 400)
    const done = await admin.post(url, { amount: '1,000', reason: 'Application refused' })
    assert.equal(done.statusCode, 303)
    const invoice = (await t.payments.findInvoiceByBillReference(billReference))!
    assert.equal(invoice.status, 'refunded')
    assert.equal((await ledgerBalances(t.database.db, invoice.id)).get(ACCOUNTS.refunds), -100000)
    const told = await t.database.db.selectFrom('notifications').select('body').where('template', '=', 'payment-refunded').execute()
    assert.equal(told.length, 2)
    assert.equal((await (await staff('agency_admin', 'DCI')).get(url)).statusCode, 404)
    assert.equal((await (await staff('agency_officer', 'DIS')).get(url)).statusCode, 403)
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
