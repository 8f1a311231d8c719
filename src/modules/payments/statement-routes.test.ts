import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { Client } from '../applications/test-support.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

const PAGE = '/admin/payments/reconciliation'
const HEADER = 'Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.'
const line = (receipt: string, time: string, paidIn: string, account: string) =>
  `${receipt},${time},${time},Pay Bill,Completed,"${paidIn}",,,true,Pay Bill Online,"254712345678 - ACHIENG OTIENO",,${account}`
const csvFile = (text: string, filename = 'statement.csv') => [{ name: 'statement', filename, type: 'text/csv', bytes: new TextEncoder().encode(text) }]

describe(`the statement reconciliation pages on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let admin: Client
  let adminId: string
  let billReference: string
  let receiptNumber: string
  let importPage: string

  before(async () => {
    t = await paymentsTestApp()
    adminId = (await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })).id
    admin = await Client.signedIn(t, adminId)
    const { invoice } = await awaitingPayment(t)
    billReference = invoice.billReference
    const paidAt = new Date('2026-12-07T09:00:00+03:00')
    const outcome = await t.payments.creditPayment({ source: 'c2b', receipt: 'SLB0000001', amountCents: 105000, currency: 'KES', phone: '+254712345678', paidAt, billReference, raw: {} })
    receiptNumber = (await t.payments.receipt((outcome as { paymentId: string }).paymentId))!.payment.receiptNumber
  })
  after(() => t.close())

  it('shows the upload form and no imports yet to a platform admin, without inline script', async () => {
    const page = await admin.get(PAGE)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Reconcile with the M-Pesa statement/)
    assert.match(page.body, /enctype="multipart\/form-data"/)
    assert.match(page.body, /name="_csrf" value="[^"]+"/)
    assert.match(page.body, /No statement has been imported yet/)
    assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/)
  })

  it('refuses anyone else: 403 for a citizen and an agency admin, to sign in when signed out', async () => {
    const citizen = await Client.signedIn(t, (await createAccount(t.database.db)).id)
    assert.equal((await citizen.get(PAGE)).statusCode, 403)
    assert.equal((await citizen.postMultipart(PAGE, [], csvFile(HEADER))).statusCode, 403)
    const agencyAdmin = await Client.signedIn(t, (await createAccount(t.database.db, { role: 'agency_admin', agencyCode: 'DIS', secondFactor: 'totp' })).id)
    assert.equal((await agencyAdmin.get(PAGE)).statusCode, 403)
    assert.equal((await t.app.inject({ url: PAGE })).statusCode, 303)
  })

  it('runs an uploaded statement and shows its differences with links to the suspense item and the receipt', async () => {
    await admin.get(PAGE)
    const csv = ['Account Name,"ECITIZEN"', HEADER, line('SLB0000001', '2026-12-07 08:59:00', '1,000.00', billReference), line('SLB0000002', '2026-12-07 10:00:00', '300.00', 'NOSUCHREF')].join('\r\n')
    const posted = await admin.postMultipart(PAGE, [['day', '']], csvFile(csv, 'mpesa-07.csv'))
    assert.equal(posted.statusCode, 303)
    importPage = String(posted.headers.location)
    assert.match(importPage, /^\/admin\/payments\/reconciliation\/[0-9a-f-]{36}$/)
    const page = await admin.get(importPage)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /Statement reconciliation for 2026-12-07/)
    assert.match(page.body, /mpesa-07\.csv/)
    assert.match(page.body, /Amount differs/)
    assert.match(page.body, /KES 1,000/)
    assert.ok(page.body.includes(`href="/verify/${receiptNumber}"`))
    const suspense = await t.database.db.selectFrom('payment_suspense').select('id').where('mpesa_receipt', '=', 'SLB0000002').executeTakeFirstOrThrow()
    assert.ok(page.body.includes(`href="/admin/payments/suspense/${suspense.id}"`))
    assert.match(page.body, /Not credited/)
    assert.match(page.body, /No invoice has this bill reference/)
    const entry = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'payments.statement-import').where('outcome', '=', 'success').executeTakeFirstOrThrow()
    assert.deepEqual([entry.actor_id, entry.actor_role, entry.subject_id], [adminId, 'platform_admin', importPage.split('/').at(-1)])
    const list = await admin.get(PAGE)
    assert.ok(list.body.includes(`href="${importPage}"`))
    assert.match(list.body, /mpesa-07\.csv/)
    assert.equal((await admin.get(`${PAGE}/00000000-0000-0000-0000-000000000000`)).statusCode, 404)
    assert.equal((await admin.get(`${PAGE}/not-an-id`)).statusCode, 404)
  })

  it('shows a day without differences as such, and the kinds of difference explained', async () => {
    await admin.get(PAGE)
    const posted = await admin.postMultipart(PAGE, [['day', '2026-11-30']], csvFile(HEADER))
    assert.equal(posted.statusCode, 303)
    const page = await admin.get(String(posted.headers.location))
    assert.match(page.body, /No differences: the statement and the portal agree for this day/)
    const earlier = await admin.get(importPage)
    assert.match(earlier.body, /What each difference means/)
  })

  it('re-renders the form with each problem in the file at its field, in English and Kiswahili', async () => {
    await admin.get(PAGE)
    const bad = [HEADER, line('SLB0000003', 'yesterday', '10.00', 'X'), line('bad', '2026-12-07 10:00:00', '10.00', 'X')].join('\n')
    const refused = await admin.postMultipart(PAGE, [['day', '']], csvFile(bad))
    assert.equal(refused.statusCode, 400)
    assert.match(refused.body, /<title>Error: /)
    assert.match(refused.body, /govuk-error-summary/)
    assert.match(refused.body, /href="#statement">Line 2: “yesterday” is not a completion time/)
    assert.match(refused.body, /href="#statement">Line 3: “bad” is not an M-Pesa receipt number/)
    assert.match(refused.body, /id="statement-error"/)
    await admin.get(`${PAGE}?lang=sw`)
    const swahili = await admin.postMultipart(PAGE, [['day', '7 Dec']], csvFile('Receipt No.,Paid In\n'))
    assert.equal(swahili.statusCode, 400)
    assert.match(swahili.body, /href="#statement">Mstari 1: safu ya majina haina safu wima Completion Time/)
    await admin.get(`${PAGE}?lang=en`)
    const badDay = await admin.postMultipart(PAGE, [['day', '7 Dec']], csvFile(HEADER))
    assert.match(badDay.body, /href="#day">Enter the day as YYYY-MM-DD/)
    assert.match(badDay.body, /value="7 Dec"/)
    const none = await admin.postMultipart(PAGE, [['day', '']], [])
    assert.equal(none.statusCode, 400)
    assert.match(none.body, /href="#statement">Select the statement file/)
    const plain = await admin.post(PAGE, { day: '' })
    assert.equal(plain.statusCode, 400, 'a form without a file (not multipart) is asked for the file')
    assert.match(plain.body, /Select the statement file/)
  })

  it('refuses a file of 5 MB or more at the field', async () => {
    await admin.get(PAGE)
    const big = `${HEADER}\n${'x'.repeat(5 * 1024 * 1024)}`
    const refused = await admin.postMultipart(PAGE, [], csvFile(big))
    assert.equal(refused.statusCode, 400)
    assert.match(refused.body, /The file must be smaller than 5 MB/)
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
