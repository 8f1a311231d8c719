import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { ACCOUNTS, unbalancedEntries } from './ledger.js'
import type { CreditClaim, Invoice } from './model.js'
import { refundable } from './refund.js'
import { findInvoice, ledgerBalances } from './store.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

/** One step of a random history: what payers, M-Pesa and agency admins may do, in any order. */
type Step =
  | { kind: 'invoice'; fee: 'a' | 'b' }
  | { kind: 'pay'; invoice: number; fraction: number; via: 'stk' | 'c2b' | 'query' }
  | { kind: 'repeat'; claim: number }
  | { kind: 'refund'; invoice: number; fraction: number }
  | { kind: 'stranger'; amount: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('invoice' as const), fee: fc.constantFrom('a' as const, 'b' as const) }),
  { arbitrary: fc.record({ kind: fc.constant('pay' as const), invoice: fc.nat(), fraction: fc.double({ min: 0.01, max: 1.6, noNaN: true }), via: fc.constantFrom('stk' as const, 'c2b' as const, 'query' as const) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('repeat' as const), claim: fc.nat() }), weight: 2 },
  fc.record({ kind: fc.constant('refund' as const), invoice: fc.nat(), fraction: fc.double({ min: 0.01, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('stranger' as const), amount: fc.integer({ min: 1, max: 1_000_000 }) }),
)

describe(`the ledger under random histories on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let accountId: string
  before(async () => {
    t = await paymentsTestApp()
    accountId = (await awaitingPayment(t)).accountId
  })
  after(() => t.close())

  it('balances every entry, matches each invoice, and credits no receipt twice', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        run++
        const invoices: Invoice[] = [(await awaitingPayment(t, { accountId })).invoice]
        // What a correct ledger must show, kept independently of the code under test.
        const model = new Map<string, { received: number; refunded: number }>([[invoices[0]!.id, { received: 0, refunded: 0 }]])
        const claims: { claim: CreditClaim; settle?: string }[] = []
        for (const [index, s] of steps.entries()) {
          if (s.kind === 'invoice') {
            const { invoice } = await awaitingPayment(t, { accountId, kind: s.fee })
            invoices.push(invoice)
            model.set(invoice.id, { received: 0, refunded: 0 })
          } else if (s.kind === 'pay') {
            const invoice = invoices[s.invoice % invoices.length]!
            const amountCents = Math.max(1, Math.round(invoice.totalCents * s.fraction))
            const receipt = `P${run}X${index}`
            const claim: CreditClaim = { source: s.via === 'c2b' ? 'c2b' : 'stk', receipt, amountCents, currency: 'KES', paidAt: new Date(), raw: {} }
            let credited: boolean
            if (s.via === 'c2b') {
              claim.billReference = invoice.billReference
              credited = (await t.payments.creditPayment(claim)).outcome === 'credited'
              claims.push({ claim })
            } else {
              const checkout = `ws_CO_${run}_${index}`
              await t.payments.recordPrompt(invoice.id, { checkoutRequestId: checkout, merchantRequestId: checkout, phone: '0712345678', amountCents })
              // A query's answer has no receipt; the callback that may follow has one. Either credits once.
              const result = { resultCode: 0, resultDesc: 'ok', amountCents, raw: {}, ...(s.via === 'query' ? { source: 'query' as const } : { receipt }) }
              credited = (await t.payments.settlePrompt(checkout, result)).outcome === 'credited'
              claims.push({ claim: { ...claim, checkoutRequestId: checkout }, settle: checkout })
            }
            assert.ok(credited)
            model.get(invoice.id)!.received += amountCents
          } else if (s.kind === 'repeat') {
            if (!claims.length) continue
            const { claim, settle } = claims[s.claim % claims.length]!
            const outcome = settle
              ? await t.payments.settlePrompt(settle, { resultCode: 0, resultDesc: 'ok', receipt: claim.receipt, amountCents: claim.amountCents, raw: {} })
              : await t.payments.creditPayment(claim)
            assert.equal(outcome.outcome, 'duplicate')
          } else if (s.kind === 'refund') {
            const invoice = (await findInvoice(t.database.db, { id: invoices[s.invoice % invoices.length]!.id }))!
            const { clearing, revenue } = await refundable(t.database.db, invoice)
            const amountCents = Math.floor((clearing + revenue) * s.fraction)
            if (amountCents <= 0) continue
            await t.payments.refund(invoice.id, { amountCents, reason: 'property test', actor: { accountId } })
            model.get(invoice.id)!.refunded += amountCents
          } else {
            const outcome = await t.payments.creditPayment({ source: 'c2b', receipt: `S${run}X${index}`, amountCents: s.amount, currency: 'KES', paidAt: new Date(), billReference: 'NOPE2222222', raw: {} })
            assert.equal(outcome.outcome, 'unknown-reference')
          }
        }
        assert.deepEqual(await unbalancedEntries(t.database.db), [])
        for (const { id } of invoices) {
          const invoice = (await findInvoice(t.database.db, { id }))!
          const expected = model.get(id)!
          const balances = await ledgerBalances(t.database.db, id)
          const get = (account: string) => balances.get(account) ?? 0
          const revenue = ACCOUNTS.agencyRevenue(invoice.agencyCode)
          assert.equal([...balances.values()].reduce((sum, value) => sum + value, 0), 0, 'balanced per invoice')
          assert.equal(invoice.paidCents, expected.received)
          assert.equal(get(ACCOUNTS.cash), expected.received, 'cash in = paid')
          assert.equal(invoice.refundedCents, expected.refunded)
          assert.equal(0 - get(ACCOUNTS.refunds), expected.refunded, 'refunds owed = refunded')
          const government = invoice.lines.filter((line) => line.kind === 'government').reduce((sum, line) => sum + line.amountCents, 0)
          const recognised = invoice.status === 'paid' || invoice.status === 'refunded'
          assert.equal(get(ACCOUNTS.convenience), recognised ? government - invoice.totalCents : 0)
          assert.ok(get(ACCOUNTS.clearing) <= 0 && get(revenue) <= 0 && -get(revenue) <= government)
          // Whatever has not been refunded is held (clearing) or earned (revenue, fees), to the cent.
          assert.equal(0 - (get(ACCOUNTS.clearing) + get(revenue) + get(ACCOUNTS.convenience)), expected.received - expected.refunded)
          if (!recognised) assert.ok(expected.received - expected.refunded < invoice.totalCents, `unpaid ${invoice.status} yet covered`)
          const receipts = await t.database.db.selectFrom('payments').select(['mpesa_receipt', 'checkout_request_id']).where('invoice_id', '=', id).execute()
          assert.equal(new Set(receipts.map((row) => row.mpesa_receipt)).size, receipts.length)
        }
      }),
      { numRuns: TEST_ENGINE === 'postgres' ? 40 : 25 },
    )
  })
})
