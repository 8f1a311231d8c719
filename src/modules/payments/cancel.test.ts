import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

describe(`an invoice when its application ends, on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  before(async () => {
    t = await paymentsTestApp()
  })
  after(() => t.close())

  /** In the workflow with its invoice still unpaid: as an invoice raised after submission would be. */
  async function submittedWithUnpaidInvoice() {
    const { application, invoice, accountId } = await awaitingPayment(t)
    const submitted = await t.database.db.transaction().execute((trx) =>
      t.app.modules.recordStatusChange(trx, application, { to: 'submitted', actor: { kind: 'system' } }),
    )
    return { application: submitted, invoice, accountId }
  }

  it('withdrawing cancels the unpaid invoice, so the paybill refuses it', async () => {
    const { application, invoice, accountId } = await submittedWithUnpaidInvoice()
    await t.database.db.transaction().execute((trx) =>
      t.app.modules.recordStatusChange(trx, application, { to: 'withdrawn', actor: { kind: 'applicant', accountId } }),
    )
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'cancelled')
    assert.equal((await t.payments.isPayable(invoice.billReference)).ok, false)
  })

  it('money that arrives for a cancelled invoice is held and flagged for refund, not lost', async () => {
    const { application, invoice, accountId } = await submittedWithUnpaidInvoice()
    await t.database.db.transaction().execute((trx) =>
      t.app.modules.recordStatusChange(trx, application, { to: 'withdrawn', actor: { kind: 'applicant', accountId } }),
    )
    const outcome = await t.payments.creditPayment({
      source: 'c2b', receipt: 'LATE000001', amountCents: invoice.totalCents, currency: 'KES', paidAt: new Date(), billReference: invoice.billReference, raw: {},
    })
    assert.equal(outcome.outcome, 'credited')
    const payment = await t.database.db.selectFrom('payments').select(['flagged_reason', 'overpaid_cents']).where('mpesa_receipt', '=', 'LATE000001').executeTakeFirstOrThrow()
    assert.ok(payment.flagged_reason, 'flagged for a person to refund')
    assert.equal(Number(payment.overpaid_cents), invoice.totalCents)
    assert.equal((await t.payments.findInvoiceByBillReference(invoice.billReference))?.status, 'cancelled')
  })
})
