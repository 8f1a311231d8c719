import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { ACCOUNTS, unbalancedEntries } from './ledger.js'
import type { CreditClaim, Invoice } from './model.js'
import { refundable } from './refund.js'
import { findInvoice, ledgerBalances } from './store.js'
import { SUSPENSE_ACCOUNT } from './suspense.js'
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

/** An M-Pesa receipt as M-Pesa writes them (ten letters and digits), unique to one step of one run. */
const mpesaReceipt = (kind: 'P' | 'S', run: number, index: number) => `${kind}${String(run).padStart(5, '0')}X${String(index).padStart(3, '0')}`

describe(`the ledger under random histories on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let accountId: string
  before(async () => {
    t = await paymentsTestApp()
    accountId = (await awaitingPayment(t)).accountId
  })
  after(() => t.close())

  it('balances every entry, matches each invoice, credits no receipt twice and holds what matches nothing', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        run++
        const invoices: Invoice[] = [(await awaitingPayment(t, { accountId })).invoice]
        // What a correct ledger must show, kept independently of the code under test.
        const model = new Map<string, { received: number; refunded: number }>([[invoices[0]!.id, { received: 0, refunded: 0 }]])
        /** Every M-Pesa receipt that moved money in this history, and how much: credited or held, each once. */
        const genuine = new Map<string, number>()
        /** Receipts of query-confirmed payments whose callback has not come yet ("receipt to follow"). */
        const toFollow = new Set<string>()
        /** Receipts for no invoice of ours: held in suspense. */
        const held = new Set<string>()
        const claims: { claim: CreditClaim & { receipt: string }; settle?: string }[] = []
        for (const [index, s] of steps.entries()) {
          if (s.kind === 'invoice') {
            const { invoice } = await awaitingPayment(t, { accountId, kind: s.fee })
            invoices.push(invoice)
            model.set(invoice.id, { received: 0, refunded: 0 })
          } else if (s.kind === 'pay') {
            const invoice = invoices[s.invoice % invoices.length]!
            const amountCents = Math.max(1, Math.round(invoice.totalCents * s.fraction))
            const receipt = mpesaReceipt('P', run, index)
            const claim = { source: s.via === 'c2b' ? 'c2b' : 'stk', receipt, amountCents, currency: 'KES', paidAt: new Date(), raw: {} } satisfies CreditClaim
            let credited: boolean
            if (s.via === 'c2b') {
              credited = (await t.payments.creditPayment({ ...claim, billReference: invoice.billReference })).outcome === 'credited'
              claims.push({ claim: { ...claim, billReference: invoice.billReference } })
            } else {
              const checkout = `ws_CO_${run}_${index}`
              await t.payments.recordPrompt(invoice.id, { checkoutRequestId: checkout, merchantRequestId: checkout, phone: '0712345678', amountCents })
              // A query's answer has no receipt (credited, receipt to follow); the callback has one. Either credits once.
              const result = { resultCode: 0, resultDesc: 'ok', amountCents, raw: {}, ...(s.via === 'query' ? { source: 'query' as const } : { receipt }) }
              credited = (await t.payments.settlePrompt(checkout, result)).outcome === 'credited'
              claims.push({ claim: { ...claim, checkoutRequestId: checkout }, settle: checkout })
              if (s.via === 'query') toFollow.add(receipt)
            }
            assert.ok(credited)
            genuine.set(receipt, amountCents)
            model.get(invoice.id)!.received += amountCents
          } else if (s.kind === 'repeat') {
            if (!claims.length) continue
            const { claim, settle } = claims[s.claim % claims.length]!
            const outcome = settle
              ? await t.payments.settlePrompt(settle, { resultCode: 0, resultDesc: 'ok', receipt: claim.receipt, amountCents: claim.amountCents, raw: {} })
              : await t.payments.creditPayment(claim)
            // The callback after a query-confirmed payment completes its receipt, once; anything else again is a duplicate.
            assert.equal(outcome.outcome, toFollow.delete(claim.receipt) ? 'receipt-completed' : 'duplicate')
          } else if (s.kind === 'refund') {
            const invoice = (await findInvoice(t.database.db, { id: invoices[s.invoice % invoices.length]!.id }))!
            const { clearing, revenue } = await refundable(t.database.db, invoice)
            const amountCents = Math.floor((clearing + revenue) * s.fraction)
            if (amountCents <= 0) continue
            await t.payments.refund(invoice.id, { amountCents, reason: 'property test', actor: { accountId } })
            model.get(invoice.id)!.refunded += amountCents
          } else {
            const claim = { source: 'c2b', receipt: mpesaReceipt('S', run, index), amountCents: s.amount, currency: 'KES', paidAt: new Date(), billReference: 'NOPE2222222', raw: {} } satisfies CreditClaim
            const outcome = await t.payments.creditPayment(claim)
            assert.equal(outcome.outcome, 'suspense')
            assert.ok(outcome.suspenseId)
            genuine.set(claim.receipt, claim.amountCents)
            held.add(claim.receipt)
            claims.push({ claim })
          }
        }
        const { db } = t.database
        assert.deepEqual(await unbalancedEntries(db), [])
        for (const { id } of invoices) {
          const invoice = (await findInvoice(db, { id }))!
          const expected = model.get(id)!
          const balances = await ledgerBalances(db, id)
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
        }

        // Each receipt is accounted for once: on one payment or one held suspense item, never both, never twice.
        const invoiceIds = invoices.map((invoice) => invoice.id)
        const receipts = [...genuine.keys()]
        const payments = await db.selectFrom('payments').select(['mpesa_receipt', 'amount_cents', 'source']).where('invoice_id', 'in', invoiceIds).execute()
        // (`in ()` is not SQL: a history without payments looks for a receipt nobody has.)
        const among = receipts.length > 0 ? receipts : ['NONE000000']
        const items = await db.selectFrom('payment_suspense').select(['id', 'mpesa_receipt', 'amount_cents', 'held', 'reason']).where('mpesa_receipt', 'in', among).execute()
        const claimed = await db.selectFrom('mpesa_receipts').select(['receipt', 'amount_cents', 'payment_id', 'suspense_id']).where('receipt', 'in', among).execute()
        const onPayments = payments.flatMap((row) => (row.mpesa_receipt === null ? [] : [row.mpesa_receipt]))
        assert.equal(new Set(onPayments).size, onPayments.length, 'no receipt credited twice')
        assert.deepEqual(onPayments.filter((receipt) => !genuine.has(receipt)), [], 'no payment under a receipt M-Pesa never issued')
        assert.deepEqual(items.map((item) => [item.mpesa_receipt, item.held, item.reason]).sort(), [...held].map((receipt) => [receipt, true, 'unknown-reference']).sort())
        assert.deepEqual(onPayments.filter((receipt) => held.has(receipt)), [], 'held money is not also credited')
        // Receipts still to follow are not claimed yet; every other one is claimed once, for its amount.
        assert.deepEqual(
          claimed.map((row) => [row.receipt, Number(row.amount_cents), row.payment_id === null ? 'suspense' : 'payment']).sort(),
          receipts.filter((receipt) => !toFollow.has(receipt)).map((receipt) => [receipt, genuine.get(receipt)!, held.has(receipt) ? 'suspense' : 'payment']).sort(),
        )
        assert.equal(payments.filter((row) => row.mpesa_receipt === null).length, toFollow.size, 'one payment per receipt to follow')
        assert.ok(payments.every((row) => row.mpesa_receipt !== null || row.source === 'query'), 'only a query-confirmed payment lacks its receipt')

        // The money: what is in payments plus what is held in suspense is what the genuine receipts brought.
        const sum = (values: (string | number | bigint)[]) => values.reduce<number>((total, value) => total + Number(value), 0)
        const heldCents = sum(items.filter((item) => item.held).map((item) => item.amount_cents))
        assert.equal(sum(payments.map((row) => row.amount_cents)) + heldCents, sum([...genuine.values()]))
        assert.equal(heldCents, sum([...held].map((receipt) => genuine.get(receipt)!)))
        if (items.length > 0) {
          const suspense = await db
            .selectFrom('ledger_lines as l')
            .innerJoin('ledger_entries as e', 'e.id', 'l.entry_id')
            .select(['l.account', (eb) => eb.fn.sum<string>('l.debit_cents').as('debit'), (eb) => eb.fn.sum<string>('l.credit_cents').as('credit')])
            .where('e.suspense_id', 'in', items.map((item) => item.id))
            .groupBy('l.account')
            .execute()
          const balance = new Map(suspense.map((row) => [row.account, Number(row.debit) - Number(row.credit)]))
          assert.deepEqual(balance, new Map([[ACCOUNTS.cash, heldCents], [SUSPENSE_ACCOUNT, -heldCents]]), 'held money sits in the suspense account')
        }
      }),
      { numRuns: TEST_ENGINE === 'postgres' ? 40 : 25 },
    )
  })
})
