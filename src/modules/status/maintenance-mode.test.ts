import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { Client } from '../applications/test-support.js'
import { findApplication } from '../applications/store.js'
import type { MpesaGateway } from '../payments/daraja/module.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from '../payments/test-support.js'
import { maintenanceCommand } from './maintenance-mode.js'

const MESSAGE = { messageEn: 'We are upgrading the portal until 06:00 on Sunday.', messageSw: 'Tunaboresha tovuti hadi saa 12 asubuhi Jumapili.' }
const PAGE = '/admin/status/maintenance-mode'

describe(`maintenance mode on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let gateway: MpesaGateway
  let admin: Client
  let citizen: Client
  let citizenId: string

  before(async () => {
    t = await paymentsTestApp()
    gateway = t.app.modules.mpesa
    await gateway.client!.c2bRegisterUrls()
    admin = await Client.signedIn(t, (await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })).id)
    citizenId = (await createAccount(t.database.db)).id
    citizen = await Client.signedIn(t, citizenId)
  })
  after(() => t.close())

  /** A draft with the first page answered: ready for check answers. */
  async function draft(): Promise<string> {
    await citizen.get('/services/paid-service/start')
    const started = await citizen.post('/services/paid-service/start')
    const id = /\/applications\/([0-9a-f-]{36})\/pages\/first$/.exec(started.headers.location as string)![1]!
    await citizen.get(`/applications/${id}/pages/first`)
    const answered = await citizen.post(`/applications/${id}/pages/first`, [['kind', 'a']])
    assert.equal(answered.headers.location, `/applications/${id}/check`, `${answered.statusCode} ${answered.body.slice(0, 3000)}`)
    return id
  }

  async function submitDraft(id: string) {
    const check = await citizen.get(`/applications/${id}/check`)
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(check.body)![1]!
    return citizen.post(`/applications/${id}/submit`, { idempotencyKey: key, declaration: 'yes' })
  }

  async function switchOn(fields: Record<string, string> = MESSAGE) {
    await admin.get(PAGE)
    return admin.post(PAGE, fields)
  }

  it('is for platform administrators only', async () => {
    assert.equal((await citizen.get(PAGE)).statusCode, 403)
    await citizen.get('/dashboard')
    assert.equal((await citizen.post(PAGE, MESSAGE)).statusCode, 403)
    assert.equal((await citizen.post(`${PAGE}/off`)).statusCode, 403)
    assert.equal(t.app.modules.status.maintenanceMode(), undefined)
  })

  it('needs the message in both languages, with the error at the field and what was typed kept', async () => {
    const response = await switchOn({ messageEn: MESSAGE.messageEn, messageSw: '' })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /govuk-error-summary/)
    assert.match(response.body, /href="#messageSw"[^>]*>Enter the message in Kiswahili/)
    assert.ok(response.body.includes(MESSAGE.messageEn))
    assert.equal(await t.database.db.selectFrom('status_maintenance_mode').select('id').executeTakeFirst(), undefined)
    await admin.get(`${PAGE}?lang=sw`)
    const sw = await admin.post(PAGE, { messageEn: '', messageSw: MESSAGE.messageSw })
    assert.match(sw.body, /Andika ujumbe kwa Kiingereza/)
    await admin.get('/?lang=en')
  })

  it('refuses submissions and payments while on, keeps drafts, sign-in and dashboards, and credits prompts already sent', async () => {
    const id = await draft()
    const { invoice } = await awaitingPayment(t, { accountId: citizenId })
    const earlier = await citizen.get(`/payments/invoices/${invoice.billReference}`)
    assert.equal(earlier.statusCode, 200)
    assert.equal((await citizen.post(`/payments/invoices/${invoice.billReference}/prompt`, { phone: '0712 345 678' })).statusCode, 303)
    const prompt = gateway.control!.pending().find((p) => p.accountReference === invoice.billReference)!

    const on = await switchOn()
    assert.equal(on.statusCode, 303)
    assert.match((await admin.get(PAGE)).body, /Maintenance mode is on/)
    assert.equal(t.app.modules.status.maintenanceMode()?.message.en, MESSAGE.messageEn)
    const audited = await t.database.db.selectFrom('audit_log').select('action').where('action', '=', 'status.maintenance-mode-on').execute()
    assert.equal(audited.length, 1)

    // Submitting: the maintenance page, and the draft exactly as it was.
    const before = (await findApplication(t.database.db, id))!
    const refused = await submitDraft(id)
    assert.equal(refused.statusCode, 503)
    assert.ok(refused.body.includes(MESSAGE.messageEn))
    assert.match(refused.body, /We are doing maintenance/)
    assert.match(refused.body, /your answers are saved/)
    const after = (await findApplication(t.database.db, id))!
    assert.equal(after.status, 'draft')
    assert.deepEqual(after.answers, before.answers)

    // In Kiswahili for a person reading in Kiswahili.
    await citizen.get(`/applications/${id}/check?lang=sw`)
    const sw = await submitDraft(id)
    assert.equal(sw.statusCode, 503)
    assert.ok(sw.body.includes(MESSAGE.messageSw))
    assert.match(sw.body, /Tunafanya matengenezo/)
    await citizen.get('/?lang=en')

    // Saving a page of the draft still works.
    await citizen.get(`/applications/${id}/pages/first`)
    const saved = await citizen.post(`/applications/${id}/pages/first`, [['kind', 'b']])
    assert.equal(saved.statusCode, 303)
    await citizen.get(`/applications/${id}/pages/second`)
    assert.equal((await citizen.post(`/applications/${id}/pages/second`, [['note', 'Kept']])).statusCode, 303)
    assert.deepEqual((await findApplication(t.database.db, id))!.answers, { ...(before.answers as object), kind: 'b', note: 'Kept' })

    // A new prompt is refused and nothing is sent; the earlier one is still credited when its result comes.
    const { invoice: other } = await awaitingPayment(t, { accountId: citizenId })
    await citizen.get(`/payments/invoices/${other.billReference}`)
    const prompted = await citizen.post(`/payments/invoices/${other.billReference}/prompt`, { phone: '0712 345 678' })
    assert.equal(prompted.statusCode, 503)
    assert.ok(prompted.body.includes(MESSAGE.messageEn))
    assert.equal(gateway.control!.pending().filter((p) => p.accountReference === other.billReference).length, 0)
    const { answer } = await gateway.control!.resolve(prompt.checkoutRequestId, 'approved')
    assert.deepEqual(answer, { ResultCode: 0, ResultDesc: 'Accepted' })
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'paid')

    // A new paybill payment is rejected at validation, with Daraja's code for "other".
    const paybill = await gateway.control!.payBill({ phone: '254712345678', billReference: other.billReference, amount: other.totalCents / 100 })
    assert.equal(paybill.accepted, false)
    assert.deepEqual(paybill.validation, { ResultCode: 'C2B00016', ResultDesc: 'Rejected' })
    assert.equal((await t.payments.findInvoiceByBillReference(other.billReference))?.status, 'pending')

    // Sign-in, the dashboard and the status page keep working; the banner carries the message.
    assert.equal((await t.app.inject({ url: '/sign-in' })).statusCode, 200)
    const dashboard = await citizen.get('/dashboard')
    assert.equal(dashboard.statusCode, 200)
    assert.ok(dashboard.body.includes(MESSAGE.messageEn), 'the banner shows the message')
    const status = await t.app.inject({ url: '/status' })
    assert.equal(status.statusCode, 200)
    assert.ok(status.body.includes(MESSAGE.messageEn))

    // Off again: the same draft is submitted.
    await admin.get(PAGE)
    assert.equal((await admin.post(`${PAGE}/off`)).statusCode, 303)
    assert.equal(t.app.modules.status.maintenanceMode(), undefined)
    const submitted = await submitDraft(id)
    assert.equal(submitted.statusCode, 303)
    assert.notEqual((await findApplication(t.database.db, id))!.status, 'draft')
    assert.equal(serverErrors(t.logs).length, 0)
  })

  it('is switched on, off and shown from the command line', async () => {
    const lines: string[] = []
    const out = (line: string) => lines.push(line)
    const db = t.database.db
    assert.equal(await maintenanceCommand(db, ['on', '--message-en', MESSAGE.messageEn], out), 2, 'both languages required')
    assert.equal(await maintenanceCommand(db, ['on', '--message-en', MESSAGE.messageEn, '--message-sw', MESSAGE.messageSw], out), 0)
    await t.app.modules.status.board.reload()
    assert.equal(t.app.modules.status.maintenanceMode()?.message.sw, MESSAGE.messageSw)
    lines.length = 0
    assert.equal(await maintenanceCommand(db, ['status'], out), 0)
    assert.match(lines.join('\n'), /Maintenance mode is on since/)
    assert.ok(lines.join('\n').includes(MESSAGE.messageSw))
    assert.equal(await maintenanceCommand(db, ['off'], out), 0)
    lines.length = 0
    await maintenanceCommand(db, ['status'], out)
    assert.deepEqual(lines, ['Maintenance mode is off.'])
    await t.app.modules.status.board.reload()
    assert.equal(t.app.modules.status.maintenanceMode(), undefined)
    assert.equal(await maintenanceCommand(db, ['sideways'], out), 2)
  })
})
