import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { PNG } from '../../../test/helpers/files.js'
import { loadConfig } from '../../config.js'
import type { Account } from '../accounts/store.js'
import { Client } from '../applications/test-support.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from '../payments/test-support.js'
import { newReference } from '../services/reference.js'

describe(`the support console on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let agent: Client
  let agentAccount: Account

  before(async () => {
    t = await paymentsTestApp()
    agentAccount = await createAccount(t.database.db, { role: 'support_agent', secondFactor: 'totp' })
    agent = await Client.signedIn(t, agentAccount.id)
  })
  after(() => t.close())

  /** A person's request, opened through the form; returns its reference. */
  async function opened(accountId: string, message = 'Please help'): Promise<string> {
    const client = await Client.signedIn(t, accountId)
    const form = await client.get('/support/tickets/new')
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(form.body)![1]!
    const sent = await client.post('/support/tickets/new', { idempotencyKey: key, topic: 'other', message })
    assert.equal(sent.statusCode, 303)
    return String(sent.headers.location).split('/').pop()!
  }

  const audits = (action: string) => t.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('occurred_at').execute()
  const ticketRow = (reference: string) => t.database.db.selectFrom('support_tickets').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow()

  it('is for support agents only', async () => {
    const citizen = await createAccount(t.database.db)
    const response = await t.app.inject({ method: 'GET', url: '/support/console', headers: { cookie: await signedInCookie(t.database.db, citizen.id) } })
    assert.equal(response.statusCode, 403)
    assert.equal((await agent.get('/support/console')).statusCode, 200)
    // Agents find the console from their dashboard; citizens see no staff links there.
    assert.match((await agent.get('/dashboard')).body, /<a class="govuk-link" href="\/support\/console">Support desk<\/a>/)
    const citizenDashboard = await t.app.inject({ url: '/dashboard', headers: { cookie: await signedInCookie(t.database.db, citizen.id) } })
    assert.doesNotMatch(citizenDashboard.body, /href="\/support\/console"/)
  })

  it('finds a person by ID number, phone however written, email, application, bill or request reference; each look audited', async () => {
    const { application, invoice, accountId } = await awaitingPayment(t)
    const reference = newReference('DIS')
    await t.database.db.updateTable('applications').set({ reference }).where('id', '=', application.id).execute()
    const person = await t.database.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow()
    const ticket = await opened(accountId)
    await createAccount(t.database.db) // someone else, who must not turn up
    const local = person.phone.replace('+254', '0')
    const queries = [person.id_number!, local, person.phone, person.phone.slice(1), person.email.toUpperCase(), reference.toLowerCase(), invoice.billReference, ticket]
    const before = (await audits('support.lookup')).length
    for (const query of queries) {
      const page = await agent.get(`/support/console?q=${encodeURIComponent(query)}`)
      assert.equal(page.statusCode, 200, query)
      assert.match(page.body, /People found: 1/, query)
      assert.match(page.body, new RegExp(person.email), query)
      assert.match(page.body, new RegExp(reference), `${query}: the applications are shown`)
      assert.match(page.body, new RegExp(invoice.billReference), `${query}: the bills are shown`)
      assert.match(page.body, new RegExp(`href="/support/console/tickets/${ticket}"`), `${query}: the requests are shown`)
      assert.match(page.body, /Awaiting payment[\s\S]*Not paid/, `${query}: statuses in words`)
    }
    const nobody = await agent.get('/support/console?q=no-such-person%40example.ke')
    assert.match(nobody.body, /Nobody matches that/)
    const entries = (await audits('support.lookup')).slice(before)
    assert.equal(entries.length, queries.length + 1)
    assert.equal(entries[0]!.actor_id, agentAccount.id)
    assert.equal(entries[0]!.subject_id, accountId)
    assert.deepEqual(entries.at(-1)!.details, { query: 'no-such-person@example.ke', matches: 0, accounts: '' })
  })

  it('a reply reaches the person by inbox and email, meets the first-response SLA, and is audited', async () => {
    const person = await createAccount(t.database.db)
    const reference = await opened(person.id)
    const url = `/support/console/tickets/${reference}`
    const page = await agent.get(url)
    assert.match(page.body, /Please help/)
    assert.match(page.body, new RegExp(`href="/support/console\\?q=${reference}"`), 'a link to the person\'s records')
    assert.equal((await ticketRow(reference)).first_responded_at, null)

    const empty = await agent.post(`${url}/reply`, { message: '' })
    assert.equal(empty.statusCode, 400)
    assert.match(empty.body, /href="#message">Tell us what happened/)

    await agent.get(url)
    const replied = await agent.post(`${url}/reply`, { message: 'We have fixed your account.' })
    assert.equal(replied.statusCode, 303)
    const row = await ticketRow(reference)
    assert.ok(row.first_responded_at, 'the first answer is recorded')
    const message = await t.database.db.selectFrom('support_messages').select('id').where('ticket_id', '=', row.id).where('author', '=', 'agent').executeTakeFirstOrThrow()
    const inbox = await t.database.db.selectFrom('inbox_messages').selectAll().where('idempotency_key', '=', `support-reply:${message.id}`).executeTakeFirstOrThrow()
    assert.equal(inbox.account_id, person.id)
    assert.match(inbox.body_en, new RegExp(`/support/tickets/${reference}`))
    const email = await t.database.db.selectFrom('notifications').selectAll().where('idempotency_key', '=', `support-reply:${message.id}:email`).executeTakeFirstOrThrow()
    assert.equal(email.recipient, person.email)
    assert.match(email.body, new RegExp(`replied to your request ${reference}`))
    const [audit] = (await audits('support.reply')).filter((entry) => entry.subject_id === row.id)
    assert.equal(audit?.actor_id, agentAccount.id)

    // The person reads it on their own page.
    const own = await Client.signedIn(t, person.id)
    assert.match((await own.get(`/support/tickets/${reference}`)).body, /Support team[\s\S]*We have fixed your account./)

    // A second reply leaves the time of the first, and is written in the person's language.
    await t.database.db.updateTable('accounts').set({ language: 'sw' }).where('id', '=', person.id).execute()
    await agent.get(url)
    await agent.post(`${url}/reply`, { message: 'Anything else?' })
    assert.deepEqual((await ticketRow(reference)).first_responded_at, row.first_responded_at)
    const second = await t.database.db.selectFrom('support_messages').select('id').where('ticket_id', '=', row.id).where('author', '=', 'agent').orderBy('seq', 'desc').executeTakeFirstOrThrow()
    const kiswahili = await t.database.db.selectFrom('notifications').selectAll().where('idempotency_key', '=', `support-reply:${second.id}:email`).executeTakeFirstOrThrow()
    assert.match(kiswahili.body, new RegExp(`imejibu ombi lako ${reference}`))
  })

  it('closes a request (audited); then neither side can reply', async () => {
    const person = await createAccount(t.database.db)
    const reference = await opened(person.id)
    const url = `/support/console/tickets/${reference}`
    await agent.get(url)
    assert.equal((await agent.post(`${url}/close`, {})).statusCode, 303)
    const row = await ticketRow(reference)
    assert.equal(row.status, 'closed')
    assert.equal(row.closed_by, agentAccount.id)
    assert.equal((await audits('support.close')).filter((entry) => entry.subject_id === row.id).length, 1)
    assert.match((await agent.get(url)).body, /This request is closed/)
    assert.equal((await agent.post(`${url}/reply`, { message: 'late' })).statusCode, 409)
    const own = await Client.signedIn(t, person.id)
    assert.match((await own.get(`/support/tickets/${reference}`)).body, /This request is closed/)
    assert.equal((await own.post(`/support/tickets/${reference}/reply`, { message: 'late' })).statusCode, 409)
    assert.doesNotMatch((await agent.get('/support/console')).body, new RegExp(reference), 'closed requests leave the open list')
  })

  it('lists open requests by first-response due time, marking the overdue ones', async () => {
    const person = await createAccount(t.database.db)
    const later = await opened(person.id)
    const overdue = await opened(person.id)
    const opening = await ticketRow(later)
    const dueHours = (opening.first_response_due_at.getTime() - opening.created_at.getTime()) / 3_600_000
    assert.ok(Math.abs(dueHours - 24) < 0.01, `due 24 hours after opening by default (was ${dueHours})`)
    await t.database.db.updateTable('support_tickets').set({ first_response_due_at: new Date(Date.now() - 60_000) }).where('reference', '=', overdue).execute()

    const page = (await agent.get('/support/console')).body
    const row = (reference: string) => new RegExp(`${reference}</a>[\\s\\S]*?</tr>`).exec(page)?.[0] ?? ''
    assert.ok(page.indexOf(overdue) < page.indexOf(later), 'the overdue one first')
    assert.match(row(overdue), /Overdue/)
    assert.doesNotMatch(row(later), /Overdue/)
    assert.match((await agent.get(`/support/console/tickets/${overdue}`)).body, /Overdue/)

    await agent.post(`/support/console/tickets/${overdue}/reply`, { message: 'Sorry for the wait.' })
    const after = (await agent.get('/support/console')).body
    assert.doesNotMatch(new RegExp(`${overdue}</a>[\\s\\S]*?</tr>`).exec(after)?.[0] ?? '', /Overdue/)
    assert.match(new RegExp(`${overdue}</a>[\\s\\S]*?</tr>`).exec(after)?.[0] ?? '', /Answered/)

    // The person answers back: the request wants attention again.
    const own = await Client.signedIn(t, person.id)
    await own.get(`/support/tickets/${overdue}`)
    await own.post(`/support/tickets/${overdue}/reply`, { message: 'Thanks, but it is still wrong.' })
    const again = (await agent.get('/support/console')).body
    assert.match(new RegExp(`${overdue}</a>[\\s\\S]*?</tr>`).exec(again)?.[0] ?? '', /They replied/)
    assert.equal(serverErrors(t.logs).length, 0)
  })

  it('reads the first-response time from SUPPORT_FIRST_RESPONSE_HOURS', () => {
    assert.equal(loadConfig({}).supportFirstResponseHours, 24)
    assert.equal(loadConfig({ SUPPORT_FIRST_RESPONSE_HOURS: '8' }).supportFirstResponseHours, 8)
    assert.throws(() => loadConfig({ SUPPORT_FIRST_RESPONSE_HOURS: '0' }), /SUPPORT_FIRST_RESPONSE_HOURS must be between 1 and 720/)
  })

  it('lets agents open the files people sent, each opening audited', async () => {
    const person = await createAccount(t.database.db)
    const client = await Client.signedIn(t, person.id)
    const form = await client.get('/support/tickets/new')
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(form.body)![1]!
    const sent = await client.postMultipart('/support/tickets/new', [['idempotencyKey', key], ['topic', 'document'], ['message', 'My certificate']], [{ name: 'attachment', filename: 'certificate.png', type: 'image/png', bytes: PNG }])
    const reference = String(sent.headers.location).split('/').pop()!
    const page = await agent.get(`/support/console/tickets/${reference}`)
    const href = /href="(\/support\/console\/tickets\/[^"]+\/attachments\/[^"]+)">certificate.png/.exec(page.body)?.[1]
    assert.ok(href)
    const before = (await audits('support.attachment.download')).length
    const download = await agent.get(href)
    assert.equal(download.statusCode, 200)
    assert.equal(download.headers['content-type'], 'image/png')
    assert.equal(download.headers['content-security-policy'], "default-src 'none'; sandbox")
    assert.equal((await audits('support.attachment.download')).length, before + 1)
    assert.equal((await agent.get(href.replace(/attachments\/.*/, 'attachments/00000000-0000-0000-0000-000000000000'))).statusCode, 404)
  })

  it('answers 404 for a request that does not exist', async () => {
    assert.equal((await agent.get('/support/console/tickets/SUP-2222-2222')).statusCode, 404)
    assert.equal((await agent.get('/support/console/tickets/nonsense')).statusCode, 404)
  })
})
