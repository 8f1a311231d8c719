import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import type { Role } from '../../platform/db/schema.js'
import type { Client } from '../applications/test-support.js'
import { findApplication } from '../applications/store.js'
import { unbalancedEntries } from './ledger.js'
import { paymentsFor } from './store.js'
import { PAGE, staffClient, statusOf, suspenseBalance, suspenseItem, tokenOn } from './suspense-test-support.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

describe(`the suspense account pages on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let admin: Client
  let finance: Client
  let colleague: Client

  before(async () => {
    t = await paymentsTestApp()
    admin = await staffClient(t, 'platform_admin')
    finance = await staffClient(t, 'agency_finance', 'DIS')
    colleague = await staffClient(t, 'agency_finance', 'DIS')
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  it('keeps agency finance staff to exactly one agency (migration 0026)', async () => {
    await assert.rejects(createAccount(t.database.db, { role: 'agency_finance', secondFactor: 'totp' }), /accounts_agency_staff/)
    await assert.rejects(createAccount(t.database.db, { role: 'support_agent', agencyCode: 'DIS', secondFactor: 'totp' }), /accounts_agency_staff/)
    await assert.rejects(createAccount(t.database.db, { role: 'treasurer' as Role, secondFactor: 'totp' }), /accounts_role_check/)
  })

  it('lists what waits to platform admins, and to agency finance staff their own agency’s only', async () => {
    const dis = await suspenseItem(t, { agencyCode: 'DIS', reason: 'overpayment' })
    const dci = await suspenseItem(t, { agencyCode: 'DCI' })
    const nobody = await suspenseItem(t)
    const claim = await suspenseItem(t, { agencyCode: 'DIS', held: false, reason: 'unconfirmed-claim', amountCents: 250000 })
    const all = await admin.get(PAGE)
    assert.equal(all.statusCode, 200)
    for (const item of [dis, dci, nobody]) assert.ok(all.body.includes(item.receipt), item.receipt)
    assert.match(all.body, /Held in suspense: KES [\d,]+ \(items holding money: \d+\)/)
    const own = await finance.get(PAGE)
    assert.equal(own.statusCode, 200)
    assert.ok(own.body.includes(dis.receipt))
    assert.ok(!own.body.includes(dci.receipt) && !own.body.includes(nobody.receipt), 'another agency’s and unknown references are not theirs')
    assert.match(own.body, /Held in suspense: KES 1,050 \(items holding money: 1\)/)
    assert.match(own.body, /Claim only, no money \(claimed KES 2,500\)/)
    assert.match(own.body, /\+•••••••••678/, 'the phone masked but for its last three digits')
    assert.ok(!own.body.includes('712345678'))
    assert.match(own.body, /Paid more than the invoice owed/)
    assert.ok(own.body.includes(`href="${PAGE}/${claim.id}"`))
    const filtered = await finance.get(`${PAGE}?reason=unconfirmed-claim&status=open`)
    assert.ok(filtered.body.includes(`${PAGE}/${claim.id}`) && !filtered.body.includes(`${PAGE}/${dis.id}`))
    const sw = await finance.get(`${PAGE}?lang=sw`)
    assert.match(sw.body, /Dai tu, hakuna pesa/)
    await finance.get(`${PAGE}?lang=en`)

    assert.equal((await finance.get(`${PAGE}/${dis.id}`)).statusCode, 200)
    assert.equal((await finance.get(`${PAGE}/${dci.id}`)).statusCode, 404)
    assert.equal((await finance.get(`${PAGE}/${nobody.id}`)).statusCode, 404)
    assert.equal((await finance.get(`${PAGE}/not-a-uuid`)).statusCode, 404)
    assert.equal((await admin.get(`${PAGE}/${nobody.id}`)).statusCode, 200)
    for (const role of ['citizen', 'agency_officer', 'agency_admin', 'support_agent'] as const) {
      const other = await staffClient(t, role, role.startsWith('agency') ? 'DIS' : undefined)
      assert.equal((await other.get(PAGE)).statusCode, 403, role)
      assert.equal((await other.get(`${PAGE}/${dis.id}`)).statusCode, 403, role)
    }
  })

  it('matches held money to an invoice on a second person’s approval: paid, submitted, receipted, ledger balanced', async () => {
    const { invoice, application, accountId } = await awaitingPayment(t)
    const item = await suspenseItem(t, { agencyCode: 'DIS', amountCents: invoice.totalCents, billReference: 'XX' + invoice.billReference.slice(2) })
    const url = `${PAGE}/${item.id}`
    const page = await finance.get(url)
    assert.match(page.body, /Match to an invoice/)
    assert.doesNotMatch(page.body, /Dismiss the claim/, 'held money cannot be dismissed')
    const unknown = await finance.post(`${url}/propose`, { action: 'match', billReference: 'NOSUCH1234', note: '' })
    assert.equal(unknown.statusCode, 400)
    assert.match(unknown.body, /No invoice you can use has this bill reference/)
    assert.match(unknown.body, /href="#billReference"/)
    assert.match(unknown.body, /value="NOSUCH1234"/)
    const proposed = await finance.post(`${url}/propose`, { action: 'match', billReference: invoice.billReference.toLowerCase(), note: 'Typed the bill wrong' })
    assert.equal(proposed.statusCode, 303)
    const shown = await finance.get(`${proposed.headers.location}`)
    assert.match(shown.body, /Proposed\. A second person must approve it/)
    assert.match(shown.body, /You made this proposal/)
    assert.match(shown.body, /KES 1,050/, 'what the invoice still owes')

    const own = await finance.post(`${url}/approve`, { proposal: tokenOn(shown.body) })
    assert.equal(own.statusCode, 403)
    assert.match(own.body, /You made this proposal, so you cannot approve it/)
    const denied = await t.database.db.selectFrom('audit_log').select('outcome').where('action', '=', 'payment.suspense-approve').where('subject_id', '=', item.id).execute()
    assert.deepEqual(denied.map((row) => row.outcome), ['denied'])
    assert.equal(await statusOf(t, item.id), 'proposed')

    const seen = await colleague.get(url)
    const approved = await colleague.post(`${url}/approve`, { proposal: tokenOn(seen.body) })
    assert.equal(approved.statusCode, 303)
    assert.equal(approved.headers.location, `${url}?done=matched`)
    assert.equal(await statusOf(t, item.id), 'matched')
    const paid = (await t.payments.invoiceForApplication(application.id))!
    assert.equal(paid.status, 'paid')
    assert.equal(paid.paidCents, invoice.totalCents)
    assert.equal((await findApplication(t.database.db, application.id))!.status, 'in-progress')
    const [payment] = await paymentsFor(t.database.db, invoice.id)
    assert.equal(payment!.mpesaReceipt, item.receipt)
    assert.equal(payment!.source, 'c2b')
    assert.match(payment!.receiptNumber, /^RCPT-/)
    const claimed = await t.database.db.selectFrom('mpesa_receipts').selectAll().where('receipt', '=', item.receipt).executeTakeFirstOrThrow()
    assert.equal(claimed.payment_id, payment!.id)
    assert.equal(claimed.suspense_id, item.id)
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
    assert.equal(await suspenseBalance(t, item.id), 0)
    const told = await t.database.db.selectFrom('inbox_messages').select('template').where('account_id', '=', accountId).where('template', '=', 'payment-received').execute()
    assert.equal(told.length, 1)
    const again = await colleague.post(`${url}/approve`, { proposal: tokenOn(seen.body) })
    assert.equal(again.statusCode, 409, 'approved once only')
    assert.match(again.body, /Someone else dealt with this item first/)
  })

  it('refunds held money to refunds-payable and tells the holder of the invoice it was meant for', async () => {
    const { invoice, accountId } = await awaitingPayment(t)
    const item = await suspenseItem(t, { agencyCode: 'DIS', reason: 'invoice-closed', invoiceId: invoice.id, amountCents: 50000 })
    const url = `${PAGE}/${item.id}`
    await finance.get(url)
    const noReason = await finance.post(`${url}/propose`, { action: 'refund', note: '  ' })
    assert.equal(noReason.statusCode, 400)
    assert.match(noReason.body, /Enter the reason for the refund/)
    assert.equal((await finance.post(`${url}/propose`, { action: 'refund', note: 'Application was withdrawn' })).statusCode, 303)
    const seen = await admin.get(url)
    assert.equal((await admin.post(`${url}/approve`, { proposal: tokenOn(seen.body) })).statusCode, 303)
    assert.equal(await statusOf(t, item.id), 'refunded')
    assert.equal(await suspenseBalance(t, item.id), 0)
    const lines = await t.database.db
      .selectFrom('ledger_lines')
      .innerJoin('ledger_entries', 'ledger_entries.id', 'ledger_lines.entry_id')
      .select(['ledger_entries.kind', 'ledger_lines.account', 'ledger_lines.credit_cents'])
      .where('ledger_entries.suspense_id', '=', item.id)
      .where('ledger_entries.kind', '=', 'suspense-refunded')
      .where('ledger_lines.account', '=', 'refunds-payable')
      .execute()
    assert.deepEqual(lines.map((line) => Number(line.credit_cents)), [50000])
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
    const told = await t.database.db.selectFrom('inbox_messages').select('body_en').where('account_id', '=', accountId).where('template', '=', 'payment-refunded').execute()
    assert.equal(told.length, 1)
    assert.match(told[0]!.body_en, /Application was withdrawn/)
  })

  it('dismisses only a claim that moved no money, and never matches or refunds one', async () => {
    const claim = await suspenseItem(t, { agencyCode: 'DIS', held: false, reason: 'unconfirmed-claim' })
    const money = await suspenseItem(t, { agencyCode: 'DIS' })
    await finance.get(`${PAGE}/${claim.id}`)
    assert.equal((await finance.post(`${PAGE}/${money.id}/propose`, { action: 'dismiss', note: 'Looks fake' })).statusCode, 409)
    for (const action of ['match', 'refund']) {
      const refused = await finance.post(`${PAGE}/${claim.id}/propose`, { action, billReference: 'X', note: 'x' })
      assert.equal(refused.statusCode, 409, action)
      assert.match(refused.body, /a claim that moved no money can only be dismissed/)
    }
    assert.equal((await finance.post(`${PAGE}/${claim.id}/propose`, { action: 'dismiss', note: 'M-Pesa does not know the receipt' })).statusCode, 303)
    const seen = await colleague.get(`${PAGE}/${claim.id}`)
    assert.equal((await colleague.post(`${PAGE}/${claim.id}/approve`, { proposal: tokenOn(seen.body) })).statusCode, 303)
    assert.equal(await statusOf(t, claim.id), 'dismissed')
    const entries = await t.database.db.selectFrom('ledger_entries').select('id').where('suspense_id', '=', claim.id).execute()
    assert.equal(entries.length, 0, 'nothing in the ledger')
    assert.equal(await statusOf(t, money.id), 'open')
  })

  it('lets a second person reject a proposal: the item is open again, and the old proposal cannot be approved', async () => {
    const item = await suspenseItem(t, { agencyCode: 'DIS' })
    const url = `${PAGE}/${item.id}`
    await finance.get(url)
    assert.equal((await finance.post(`${url}/propose`, { action: 'refund', note: 'Unknown payer' })).statusCode, 303)
    const seen = await colleague.get(url)
    const token = tokenOn(seen.body)
    assert.equal((await colleague.post(`${url}/reject`, { proposal: token, rejectNote: 'Find the invoice first' })).statusCode, 303)
    assert.equal(await statusOf(t, item.id), 'open')
    const stale = await admin.post(`${url}/approve`, { proposal: token })
    assert.equal(stale.statusCode, 409)
    const page = await admin.get(url)
    assert.match(page.body, /Proposal rejected/)
    assert.match(page.body, /Propose what to do/)
  })
})
