import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { findApplication } from '../applications/store.js'
import { unbalancedEntries } from './ledger.js'
import { ledgerBalances, paymentsFor } from './store.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

// Real concurrency needs real connections: PGlite is one session and serialises everything.
describe('payments under concurrency on PostgreSQL', { skip: TEST_ENGINE !== 'postgres' && 'needs TEST_DATABASE_URL' }, () => {
  let t: PaymentsTestApp
  before(async () => {
    t = await paymentsTestApp()
  })
  after(() => t.close())

  it('credits 1,000 identical claims arriving at once exactly once', async () => {
    const { invoice, application } = await awaitingPayment(t)
    const claim = { source: 'c2b' as const, receipt: 'RLC0000001', amountCents: invoice.totalCents, currency: 'KES' as const, paidAt: new Date(), billReference: invoice.billReference, raw: {} }
    const outcomes = await Promise.all(Array.from({ length: 1000 }, () => t.payments.creditPayment(claim)))
    const counts = outcomes.reduce<Record<string, number>>((acc, outcome) => ({ ...acc, [outcome.outcome]: (acc[outcome.outcome] ?? 0) + 1 }), {})
    assert.deepEqual(counts, { credited: 1, duplicate: 999 })
    assert.equal((await paymentsFor(t.database.db, invoice.id)).length, 1)
    const paid = (await t.payments.invoiceForApplication(application.id))!
    assert.equal(paid.status, 'paid')
    assert.equal(paid.paidCents, invoice.totalCents)
    const submitted = await t.database.db.selectFrom('application_events').select('id').where('application_id', '=', application.id).where('event_type', '=', 'submitted').execute()
    assert.equal(submitted.length, 1)
    assert.equal((await findApplication(t.database.db, application.id))!.status, 'in-progress')
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
    const balances = await ledgerBalances(t.database.db, invoice.id)
    assert.equal([...balances.values()].reduce((sum, value) => sum + value, 0), 0)
  })

  it('records an STK callback racing a C2B payment for one invoice as two payments, the second an overpayment', async () => {
    for (let round = 0; round < 20; round++) {
      const { invoice } = await awaitingPayment(t)
      const checkout = `ws_CO_race_${round}`
      await t.payments.recordPrompt(invoice.id, { checkoutRequestId: checkout, merchantRequestId: checkout, phone: '0712345678', amountCents: invoice.totalCents })
      const [stk, c2b] = await Promise.all([
        t.payments.settlePrompt(checkout, { resultCode: 0, resultDesc: 'ok', receipt: `RSTK${String(round).padStart(6, '0')}`, amountCents: invoice.totalCents, raw: {} }),
        t.payments.creditPayment({ source: 'c2b', receipt: `RC2B${String(round).padStart(6, '0')}`, amountCents: invoice.totalCents, currency: 'KES', paidAt: new Date(), billReference: invoice.billReference, raw: {} }),
      ])
      assert.equal(stk.outcome, 'credited')
      assert.equal(c2b.outcome, 'credited')
      const payments = await paymentsFor(t.database.db, invoice.id)
      assert.equal(payments.length, 2)
      assert.deepEqual(payments.map((payment) => payment.overpaidCents).sort((a, b) => a - b), [0, invoice.totalCents])
      assert.deepEqual(payments.map((payment) => payment.flaggedReason).sort(), ['overpayment', null].sort())
      // Each receipt claimed once, by its own payment.
      const claimed = await t.database.db.selectFrom('mpesa_receipts').select(['receipt', 'payment_id']).where('payment_id', 'in', payments.map((payment) => payment.id)).execute()
      assert.deepEqual(claimed.map((row) => row.receipt).sort(), payments.map((payment) => payment.mpesaReceipt).sort())
      const after = (await t.payments.invoiceForApplication(invoice.applicationId))!
      assert.equal(after.status, 'paid')
      assert.equal(after.paidCents, 2 * invoice.totalCents)
      const submitted = await t.database.db.selectFrom('application_events').select('id').where('application_id', '=', invoice.applicationId).where('event_type', '=', 'submitted').execute()
      assert.equal(submitted.length, 1)
    }
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
  })
})
