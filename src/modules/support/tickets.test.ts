import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { EXE, PDF } from '../../../test/helpers/files.js'
import { Client } from '../applications/test-support.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from '../payments/test-support.js'

type File = { name: string; filename: string; type: string; bytes: Uint8Array }

describe(`support tickets on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp

  before(async () => {
    t = await paymentsTestApp()
  })
  after(() => t.close())

  const person = async () => {
    const account = await createAccount(t.database.db)
    return { account, client: await Client.signedIn(t, account.id) }
  }

  /** Fills in the new-request form as a browser would (with its idempotency key) and sends it. */
  async function open(client: Client, fields: Record<string, string>, files: File[] = []) {
    const form = await client.get('/support/tickets/new')
    assert.equal(form.statusCode, 200)
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(form.body)![1]!
    return client.postMultipart('/support/tickets/new', Object.entries({ idempotencyKey: key, ...fields }), files)
  }

  const referenceIn = (location: unknown) => /^\/support\/tickets\/(SUP-[2-9A-Z]{4}-[2-9A-Z]{4})$/.exec(String(location))?.[1]
  const ticketCount = async () => Number((await t.database.db.selectFrom('support_tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)

  it('shows the contact page to anyone, with the status page linked', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/support' })
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /href="\/status"/)
    assert.match(page.body, /Open a support request/)
    assert.doesNotMatch(page.body, /Your support requests/)
    const kiswahili = await t.app.inject({ method: 'GET', url: '/support?lang=sw' })
    assert.match(kiswahili.body, /Msaada na huduma kwa wateja/)
  })

  it('refuses a request with errors at its fields, keeping what was typed', async () => {
    const { client } = await person()
    const before = await ticketCount()
    const missing = await open(client, { topic: '', message: '' })
    assert.equal(missing.statusCode, 400)
    assert.match(missing.body, /<title>Error: /)
    assert.match(missing.body, /href="#topic">Choose what you need help with/)
    assert.match(missing.body, /href="#message">Tell us what happened/)

    const typed = 'My application has not moved for three weeks & I need it <soon>'
    const noTopic = await open(client, { topic: 'nonsense', message: typed })
    assert.equal(noTopic.statusCode, 400)
    assert.match(noTopic.body, /My application has not moved for three weeks &amp; I need it &lt;soon&gt;/, 'the text is kept, escaped')

    const long = await open(client, { topic: 'other', message: 'x'.repeat(3001) })
    assert.match(long.body, /Your message must be 3000 characters or fewer/)
    const noBill = await open(client, { topic: 'payment-not-showing', message: 'I paid' })
    assert.match(noBill.body, /href="#about">Choose the bill you paid/)
    assert.equal(await ticketCount(), before, 'nothing was opened')
  })

  it('opens a request once however often the form is sent, and shows it only to its owner', async () => {
    const { client } = await person()
    const form = await client.get('/support/tickets/new')
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(form.body)![1]!
    const fields = Object.entries({ idempotencyKey: key, topic: 'account', message: 'I cannot change my phone number.\nIt says the code is wrong.' })
    const first = await client.postMultipart('/support/tickets/new', fields, [])
    assert.equal(first.statusCode, 303)
    const reference = referenceIn(first.headers.location)!
    assert.ok(reference)
    const again = await client.postMultipart('/support/tickets/new', fields, [])
    assert.equal(referenceIn(again.headers.location), reference, 'a retry lands on the same request')
    assert.equal((await t.database.db.selectFrom('support_tickets').select('id').where('idempotency_key', '=', key).execute()).length, 1)

    const page = await client.get(`/support/tickets/${reference}`)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /I cannot change my phone number.<br \/>\nIt says the code is wrong./)
    assert.match(page.body, /My account or signing in/)
    assert.match((await client.get('/support')).body, new RegExp(`href="/support/tickets/${reference}"`))
    // Typed in lower case without dashes, as people do.
    assert.equal((await client.get(`/support/tickets/${reference.toLowerCase().replace(/-/g, '')}`)).statusCode, 200)

    const { client: stranger } = await person()
    assert.equal((await stranger.get(`/support/tickets/${reference}`)).statusCode, 404)
    assert.doesNotMatch((await stranger.get('/support')).body, new RegExp(reference))
    await stranger.get('/support')
    const reply = await stranger.postMultipart(`/support/tickets/${reference}/reply`, [['message', 'let me in']], [])
    assert.equal(reply.statusCode, 404)
    assert.equal((await client.get('/support/tickets/SUP-2222-2222')).statusCode, 404)
  })

  it('answers 404, opening nothing, when "about" names someone else\'s application or bill', async () => {
    const { invoice, application } = await awaitingPayment(t)
    const { client } = await person()
    const before = await ticketCount()
    assert.equal((await open(client, { topic: 'application', about: `application:${application.reference}`, message: 'Where is it?' })).statusCode, 404)
    assert.equal((await open(client, { topic: 'payment-not-showing', about: `invoice:${invoice.billReference}`, message: 'I paid' })).statusCode, 404)
    assert.equal((await open(client, { topic: 'other', about: 'something:else', message: 'Hello' })).statusCode, 404)
    assert.equal(await ticketCount(), before)

    // The owner's own application is offered and accepted.
    const owner = await Client.signedIn(t, application.account_id)
    assert.match((await owner.get('/support/tickets/new')).body, new RegExp(`value="application:${application.reference}"`))
    const opened = await open(owner, { topic: 'application', about: `application:${application.reference}`, message: 'Where is it?' })
    assert.equal(opened.statusCode, 303)
    assert.match((await owner.get(String(opened.headers.location))).body, new RegExp(application.reference))
  })

  it('"payment made but not showing" asks M-Pesa at once: a lost callback is credited, once', async () => {
    const { invoice, accountId } = await awaitingPayment(t)
    const client = await Client.signedIn(t, accountId)
    const gateway = t.app.modules.mpesa
    // A prompt approved on the phone whose callback never arrives.
    await client.get(`/payments/invoices/${invoice.billReference}`)
    await client.post(`/payments/invoices/${invoice.billReference}/prompt`, { phone: '0712345678' })
    const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!
    await gateway.control!.resolve(prompt.checkoutRequestId, 'approved', { lose: true })
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'pending')

    const opened = await open(client, { topic: 'payment-not-showing', about: `invoice:${invoice.billReference}`, message: 'I paid by M-Pesa an hour ago.' })
    assert.equal(opened.statusCode, 303)
    const paid = await t.payments.findInvoiceByBillReference(invoice.billReference)
    assert.equal(paid?.status, 'paid')
    assert.equal(paid?.paidCents, invoice.totalCents)
    const page = await client.get(String(opened.headers.location))
    assert.match(page.body, new RegExp(`Bill ${invoice.billReference}`))
    assert.ok(page.body.indexOf('I paid by M-Pesa an hour ago.') < page.body.indexOf('Automatic payment check'), "the person's words, then what the check found")
    assert.match(page.body, new RegExp(`your payment of KES [\\d,.]+ for bill ${invoice.billReference} was received and credited`))

    // Asking again finds it already paid, and credits nothing more.
    const again = await open(client, { topic: 'payment-not-showing', about: `invoice:${invoice.billReference}`, message: 'Still not showing?' })
    assert.match((await client.get(String(again.headers.location))).body, /was received and credited/)
    const payments = await t.database.db.selectFrom('payments').select('amount_cents').where('invoice_id', '=', invoice.id).execute()
    assert.equal(payments.length, 1)
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.paidCents, invoice.totalCents)
    assert.equal(serverErrors(t.logs).length, 0)
  })

  it('"payment made but not showing" with nothing paid says what to check, and changes nothing', async () => {
    const { invoice, accountId } = await awaitingPayment(t)
    const client = await Client.signedIn(t, accountId)
    const opened = await open(client, { topic: 'payment-not-showing', about: `invoice:${invoice.billReference}`, message: 'I paid by paybill.' })
    const page = await client.get(String(opened.headers.location))
    assert.match(page.body, new RegExp(`no payment for bill ${invoice.billReference} has reached us. If you paid by paybill, check that you used paybill ${t.config.mpesaShortcode} with the account number ${invoice.billReference}`))
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'pending')
    const sw = await client.get(`${String(opened.headers.location)}?lang=sw`)
    assert.match(sw.body, new RegExp(`hakuna malipo ya bili ${invoice.billReference} yaliyotufikia`))
  })

  it('takes one PDF, JPG or PNG as the uploads module checks them, and refuses others at the field', async () => {
    const { client } = await person()
    const before = await ticketCount()
    const typed = 'Here is my receipt'
    const exe = await open(client, { topic: 'document', message: typed }, [{ name: 'attachment', filename: 'receipt.exe', type: 'application/octet-stream', bytes: EXE }])
    assert.equal(exe.statusCode, 400)
    assert.match(exe.body, /href="#attachment">The selected file must be one of these types: PDF, JPEG, PNG/)
    assert.match(exe.body, new RegExp(typed))
    const disguised = await open(client, { topic: 'document', message: typed }, [{ name: 'attachment', filename: 'receipt.pdf', type: 'application/pdf', bytes: EXE }])
    assert.match(disguised.body, /The contents of the selected file do not match its name or type/)
    const big = Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)])
    const tooLarge = await open(client, { topic: 'document', message: typed }, [{ name: 'attachment', filename: 'receipt.pdf', type: 'application/pdf', bytes: big }])
    assert.equal(tooLarge.statusCode, 400)
    assert.match(tooLarge.body, /The selected file must be smaller than 5 MB/)
    assert.equal(await ticketCount(), before)

    const good = await open(client, { topic: 'document', message: typed }, [{ name: 'attachment', filename: 'My receipt.pdf', type: 'application/pdf', bytes: PDF }])
    assert.equal(good.statusCode, 303)
    const page = await client.get(String(good.headers.location))
    const href = /href="(\/support\/tickets\/SUP-[^"]+\/attachments\/[^"]+)">My receipt.pdf/.exec(page.body)?.[1]
    assert.ok(href, 'the file is listed with the message')
    const download = await client.get(href)
    assert.equal(download.statusCode, 200)
    assert.equal(download.headers['content-type'], 'application/pdf')
    assert.deepEqual(download.rawPayload, PDF)
    const { client: stranger } = await person()
    assert.equal((await stranger.get(href)).statusCode, 404)
  })

  it('keeps the conversation going with the person\'s replies', async () => {
    const { client } = await person()
    const opened = await open(client, { topic: 'other', message: 'First message' })
    const url = String(opened.headers.location)
    await client.get(url)
    const empty = await client.postMultipart(`${url}/reply`, [['message', '  ']], [])
    assert.equal(empty.statusCode, 400)
    assert.match(empty.body, /href="#message">Tell us what happened/)
    await client.get(url)
    const replied = await client.postMultipart(`${url}/reply`, [['message', 'And a second one']], [{ name: 'attachment', filename: 'scan.pdf', type: 'application/pdf', bytes: PDF }])
    assert.equal(replied.statusCode, 303)
    const page = await client.get(url)
    assert.ok(page.body.indexOf('First message') < page.body.indexOf('And a second one'), 'oldest first')
    assert.match(page.body, />scan.pdf</)
  })
})
