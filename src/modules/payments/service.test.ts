import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { findApplication } from '../applications/store.js'
import { ACCOUNTS, unbalancedEntries } from './ledger.js'
import { normaliseBillReference } from './invoices.js'
import { ledgerBalances, paymentsFor } from './store.js'
import { SUSPENSE_ACCOUNT } from './suspense.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

let n = 0
const receipt = () => `RLA${String(++n).padStart(7, '0')}`
const claimFor = (billReference: string, amountCents: number, mpesa = receipt()) => ({
  source: 'c2b' as const, receipt: mpesa, amountCents, currency: 'KES' as const, phone: '+254712345678', paidAt: new Date(), billReference, raw: { TransID: mpesa },
})

describe(`payments service on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  before(async () => {
    t = await paymentsTestApp()
  })
  after(() => t.close())

  it('raises an invoice with the government fee and the convenience fee, and a short checked bill reference', async () => {
    const { invoice } = await awaitingPayment(t)
    assert.equal(invoice.totalCents, 105000)
    assert.deepEqual(invoice.lines.map((line) => [line.kind, line.amountCents]), [['government', 100000], ['convenience', 5000]])
    assert.match(invoice.billReference, /^DIS[2-9][2-9A-Z]{7}$/)
    assert.ok(invoice.billReference.length <= 12)
    assert.equal(normaliseBillReference(invoice.billReference.toLowerCase().replace(/(....)/g, '$1 ')), invoice.billReference)
    const typo = invoice.billReference.slice(0, -1) + (invoice.billReference.endsWith('2') ? '3' : '2')
    assert.equal(normaliseBillReference(typo), undefined)
    assert.equal(invoice.status, 'pending')
    assert.ok(invoice.dueAt > new Date())
    assert.equal((await t.payments.findInvoiceByBillReference(` ${invoice.billReference.toLowerCase()} `))?.id, invoice.id)
    assert.deepEqual(await t.payments.isPayable(invoice.billReference), { ok: true, invoice })
    assert.deepEqual(await t.payments.isPayable('DIS2222222X'), { ok: false, reason: 'unknown' })
  })

  it('raises the invoice in the same transaction as a submission that must be paid first', async () => {
    const { applications } = t.app.modules
    const accountId = (await createAccount(t.database.db)).id
    const started = await applications.start(accountId, 'paid-service', {})
    assert.ok('application' in started)
    const id = started.application.id
    await applications.savePage(accountId, id, 'first', { fields: { kind: 'a' }, files: {}, saveForLater: false, returnToCheck: false })
    const submitted = await applications.submit(accountId, id, { key: randomUUID(), declaration: true })
    assert.equal(submitted.status, 'awaiting-payment')
    const invoice = (await t.payments.invoiceForApplication(id))!
    assert.equal(invoice.totalCents, 105000)
    assert.equal(invoice.accountId, accountId)
  })

  it('credits a C2B payment once, submits the application, splits the fee in the ledger and sends a receipt', async () => {
    const { invoice, application } = await awaitingPayment(t)
    const claim = claimFor(invoice.billReference.toLowerCase(), 105000)
    const first = await t.payments.creditPayment(claim)
    assert.equal(first.outcome, 'credited')
    assert.equal(first.invoiceStatus, 'paid')
    const again = await t.payments.creditPayment({ ...claim, amountCents: 1 })
    assert.equal(again.outcome, 'duplicate')
    assert.equal(again.paymentId, first.paymentId)
    const payments = await paymentsFor(t.database.db, invoice.id)
    assert.equal(payments.length, 1)
    assert.match(payments[0]!.receiptNumber, /^RCPT-/)
    const balances = await ledgerBalances(t.database.db, invoice.id)
    assert.equal(balances.get(ACCOUNTS.cash), 105000)
    assert.equal(balances.get(ACCOUNTS.clearing), 0)
    assert.equal(balances.get(ACCOUNTS.agencyRevenue('DIS')), -100000)
    assert.equal(balances.get(ACCOUNTS.convenience), -5000)
    const moved = (await findApplication(t.database.db, application.id))!
    assert.equal(moved.status, 'in-progress')
    assert.equal(moved.stage, 'submitted')
    const sent = await t.database.db.selectFrom('notifications').select(['body', 'channel']).where('idempotency_key', 'like', `payment:${payments[0]!.receiptNumber}:%`).execute()
    assert.equal(sent.length, 2)
    assert.match(sent[0]!.body, new RegExp(`Receipt ${payments[0]!.receiptNumber}`))
    assert.deepEqual(await t.payments.isPayable(invoice.billReference), { ok: false, reason: 'paid' })
    const audited = await t.database.db.selectFrom('audit_log').select('action').where('subject_id', '=', invoice.id).execute()
    assert.deepEqual(audited.map((row) => row.action), ['payment.credited'])
  })

  it('holds money for a bill reference or prompt we never issued, or an invoice in another currency, in suspense: each receipt once', async () => {
    const { db } = t.database
    const count = async () => Number((await db.selectFrom('payments').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
    const paymentsBefore = await count()
    const { invoice: usd } = await awaitingPayment(t)
    await db.updateTable('invoices').set({ currency: 'USD' }).where('id', '=', usd.id).execute()
    const cases = [
      { claim: claimFor('DIS2222222X', 5000), reason: 'unknown-reference', invoiceId: null },
      { claim: { ...claimFor('x', 7000), billReference: undefined, checkoutRequestId: 'ws_CO_never' }, reason: 'unknown-prompt', invoiceId: null },
      { claim: claimFor(usd.billReference, 9000), reason: 'currency-mismatch', invoiceId: usd.id },
    ]
    for (const { claim, reason, invoiceId } of cases) {
      const held = await t.payments.creditPayment(claim)
      assert.equal(held.outcome, 'suspense', reason)
      assert.ok(held.suspenseId)
      assert.equal(held.paymentId, undefined)
      const item = await db.selectFrom('payment_suspense').selectAll().where('id', '=', held.suspenseId).executeTakeFirstOrThrow()
      assert.deepEqual(
        [item.reason, item.held, Number(item.amount_cents), item.mpesa_receipt, item.status, item.invoice_id],
        [reason, true, claim.amountCents, claim.receipt, 'open', invoiceId],
      )
      // The receipt is claimed by the suspense item, and the money sits in the suspense account.
      const claimed = await db.selectFrom('mpesa_receipts').selectAll().where('receipt', '=', claim.receipt).executeTakeFirstOrThrow()
      assert.deepEqual([claimed.suspense_id, claimed.payment_id, Number(claimed.amount_cents)], [held.suspenseId, null, claim.amountCents])
      const lines = await db
        .selectFrom('ledger_lines as l')
        .innerJoin('ledger_entries as e', 'e.id', 'l.entry_id')
        .select(['e.kind', 'e.invoice_id', 'l.account', 'l.debit_cents', 'l.credit_cents'])
        .where('e.suspense_id', '=', held.suspenseId!)
        .orderBy('l.account')
        .execute()
      assert.deepEqual(
        lines.map((line) => [line.kind, line.invoice_id, line.account, Number(line.debit_cents), Number(line.credit_cents)]),
        [['suspense-received', null, ACCOUNTS.cash, claim.amountCents, 0], ['suspense-received', null, SUSPENSE_ACCOUNT, 0, claim.amountCents]],
      )
      // The same receipt again, or claimed for a real invoice, is a duplicate of the item: held once, credited never.
      const again = await t.payments.creditPayment(claim)
      assert.deepEqual([again.outcome, again.suspenseId], ['duplicate', held.suspenseId])
      const { invoice } = await awaitingPayment(t)
      assert.equal((await t.payments.creditPayment({ ...claim, billReference: invoice.billReference, checkoutRequestId: undefined })).outcome, 'duplicate')
      assert.equal((await t.payments.invoiceForApplication(invoice.applicationId))!.paidCents, 0)
    }
    const items = await db.selectFrom('payment_suspense').select('id').where('mpesa_receipt', 'in', cases.map((c) => c.claim.receipt)).execute()
    assert.equal(items.length, cases.length, 'one item per receipt')
    assert.equal((await t.payments.invoiceForApplication(usd.applicationId))!.paidCents, 0, 'the USD invoice is not paid in shillings')
    // A result for a prompt we never sent names no invoice: nothing is credited by it.
    assert.deepEqual(await t.payments.settlePrompt('ws_CO_never', { resultCode: 0, resultDesc: 'ok', receipt: receipt(), raw: {} }), { outcome: 'unknown-prompt' })
    assert.equal(await count(), paymentsBefore)
    assert.deepEqual(await unbalancedEntries(db), [])
  })

  it('credits a part payment and an overpayment as paid, flagging both', async () => {
    const { invoice, application } = await awaitingPayment(t)
    const part = await t.payments.creditPayment(claimFor(invoice.billReference, 60000))
    assert.equal(part.invoiceStatus, 'partly-paid')
    assert.equal((await findApplication(t.database.db, application.id))!.status, 'awaiting-payment')
    const rest = await t.payments.creditPayment(claimFor(invoice.billReference, 50000))
    assert.equal(rest.invoiceStatus, 'paid')
    assert.equal(rest.overpaidCents, 5000)
    const flags = (await paymentsFor(t.database.db, invoice.id)).map((payment) => payment.flaggedReason)
    assert.deepEqual(flags, ['underpayment', 'overpayment'])
    const balances = await ledgerBalances(t.database.db, invoice.id)
    assert.equal(balances.get(ACCOUNTS.clearing), -5000, 'the overpayment waits in clearing')
    assert.equal((await findApplication(t.database.db, application.id))!.status, 'in-progress')
  })

  it('settles STK prompts: a failure once, a success credited once whether the query or the callback comes first', async () => {
    const { invoice } = await awaitingPayment(t)
    await t.payments.recordPrompt(invoice.id, { checkoutRequestId: 'ws_CO_fail1', merchantRequestId: 'm1', phone: '0712345678', amountCents: 105000 })
    assert.deepEqual(await t.payments.settlePrompt('ws_CO_fail1', { resultCode: 1032, resultDesc: 'Request cancelled by user', raw: {} }), { outcome: 'failed' })
    assert.equal((await t.payments.prompt('ws_CO_fail1'))!.status, 'cancelled')
    assert.deepEqual(await t.payments.settlePrompt('ws_CO_fail1', { resultCode: 1037, resultDesc: 'again', raw: {} }), { outcome: 'already-settled' })

    await t.payments.recordPrompt(invoice.id, { checkoutRequestId: 'ws_CO_ok1', merchantRequestId: 'm2', phone: '+254712345678', amountCents: 105000 })
    assert.equal((await t.payments.latestPrompt(invoice.id))!.checkoutRequestId, 'ws_CO_ok1')
    assert.equal((await t.payments.pendingPrompts(new Date(Date.now() + 1000))).some((p) => p.checkoutRequestId === 'ws_CO_ok1'), true)
    // The query confirms the payment without a receipt: credited, "receipt to follow".
    const queried = await t.payments.settlePrompt('ws_CO_ok1', { resultCode: 0, resultDesc: 'processed', raw: { query: true }, source: 'query' })
    assert.equal(queried.outcome, 'credited')
    assert.equal(queried.outcome === 'credited' && queried.invoiceStatus, 'paid')
    let payments = await paymentsFor(t.database.db, invoice.id)
    assert.deepEqual(payments.map((p) => [p.source, p.mpesaReceipt, p.amountCents]), [['query', null, 105000]])
    assert.equal((await t.payments.prompt('ws_CO_ok1'))!.status, 'succeeded')
    const told = await t.database.db.selectFrom('notifications').select('body').where('idempotency_key', 'like', `payment:${payments[0]!.receiptNumber}:%`).execute()
    assert.ok(told.length > 0 && told.every((row) => row.body.includes('(receipt number to follow)')), 'the payer is told the M-Pesa receipt follows')
    // The callback that follows completes it with M-Pesa's receipt: no second payment, no more money.
    const mpesa = receipt()
    const callback = await t.payments.settlePrompt('ws_CO_ok1', { resultCode: 0, resultDesc: 'processed', receipt: mpesa, amountCents: 105000, raw: { callback: true } })
    assert.deepEqual(callback, { outcome: 'receipt-completed', invoiceId: invoice.id, paymentId: queried.outcome === 'credited' ? queried.paymentId : undefined })
    payments = await paymentsFor(t.database.db, invoice.id)
    assert.deepEqual(payments.map((p) => [p.source, p.mpesaReceipt, p.amountCents]), [['query', mpesa, 105000]])
    const claimed = await t.database.db.selectFrom('mpesa_receipts').select(['payment_id', 'suspense_id']).where('receipt', '=', mpesa).executeTakeFirstOrThrow()
    assert.deepEqual(claimed, { payment_id: payments[0]!.id, suspense_id: null })
    // The same callback again, or a query after it, changes nothing.
    assert.equal((await t.payments.settlePrompt('ws_CO_ok1', { resultCode: 0, resultDesc: 'processed', receipt: mpesa, amountCents: 105000, raw: {} })).outcome, 'duplicate')
    assert.equal((await t.payments.settlePrompt('ws_CO_ok1', { resultCode: 0, resultDesc: 'processed', raw: {}, source: 'query' })).outcome, 'duplicate')
    assert.equal((await paymentsFor(t.database.db, invoice.id)).length, 1)
    assert.equal((await t.payments.invoiceForApplication(invoice.applicationId))!.paidCents, 105000)
    assert.equal((await ledgerBalances(t.database.db, invoice.id)).get(ACCOUNTS.cash), 105000)

    // The callback first: credited with its receipt; the query after it is a duplicate.
    const { invoice: second } = await awaitingPayment(t)
    await t.payments.recordPrompt(second.id, { checkoutRequestId: 'ws_CO_ok2', merchantRequestId: 'm3', phone: '+254712345678', amountCents: 105000 })
    const first = receipt()
    assert.equal((await t.payments.settlePrompt('ws_CO_ok2', { resultCode: 0, resultDesc: 'processed', receipt: first, amountCents: 105000, raw: {} })).outcome, 'credited')
    assert.equal((await t.payments.settlePrompt('ws_CO_ok2', { resultCode: 0, resultDesc: 'processed', raw: {}, source: 'query' })).outcome, 'duplicate')
    assert.deepEqual((await paymentsFor(t.database.db, second.id)).map((p) => [p.source, p.mpesaReceipt]), [['stk', first]])
  })

  it('refunds an overpayment from clearing, then the government fee from revenue, and tells the payer', async () => {
    const { invoice, accountId } = await awaitingPayment(t)
    await t.payments.creditPayment(claimFor(invoice.billReference, 115000))
    const actor = { accountId }
    await assert.rejects(t.payments.refund(invoice.id, { amountCents: 1000, reason: '  ', actor }), /Invalid|invalid/)
    await assert.rejects(t.payments.refund(invoice.id, { amountCents: 110001, reason: 'too much', actor }))
    await t.payments.refund(invoice.id, { amountCents: 10000, reason: 'Paid twice', actor })
    let balances = await ledgerBalances(t.database.db, invoice.id)
    assert.equal(balances.get(ACCOUNTS.clearing), 0)
    assert.equal(balances.get(ACCOUNTS.refunds), -10000)
    assert.equal((await t.payments.invoiceForApplication(invoice.applicationId))!.status, 'paid')
    await t.payments.refund(invoice.id, { amountCents: 100000, reason: 'Application refused', actor })
    balances = await ledgerBalances(t.database.db, invoice.id)
    assert.equal(balances.get(ACCOUNTS.agencyRevenue('DIS')), 0)
    assert.equal(balances.get(ACCOUNTS.convenience), -5000, 'the convenience fee stays')
    const after = (await t.payments.invoiceForApplication(invoice.applicationId))!
    assert.equal(after.status, 'refunded')
    assert.equal(after.refundedCents, 110000)
    const told = await t.database.db.selectFrom('notifications').select('body').where('template', '=', 'payment-refunded').execute()
    assert.equal(told.length, 4)
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
  })

  it('refuses an unbalanced entry at commit, whatever the code', async () => {
    const { invoice } = await awaitingPayment(t)
    await assert.rejects(
      t.database.db.transaction().execute(async (trx) => {
        const { id } = await trx.insertInto('ledger_entries').values({ invoice_id: invoice.id, kind: 'refund', payment_id: null, refund_id: null }).returning('id').executeTakeFirstOrThrow()
        await trx.insertInto('ledger_lines').values({ entry_id: id, account: ACCOUNTS.cash, currency: 'KES', debit_cents: 100 }).execute()
      }),
      /does not balance/,
    )
  })
})
