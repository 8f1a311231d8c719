/**
 * Money you can prove, as a property: an independent Daraja (test/helpers/test-daraja.ts) confirms
 * payments; its results reach the portal in random order, duplicated, late or lost, mixed with forged
 * and wrong-amount claims, paybill confirmations and queries, and with processes "killed" between the
 * inbox and the credit (messages acknowledged but never processed by the process that took them). After
 * every history: the money credited to invoices plus the money held in suspense equals the money M-Pesa
 * confirmed; every receipt is accounted for once; every inbox message is processed; no genuine result is
 * lost; no forged claim is credited; the ledger balances.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { MPESA, postToMpesa } from '../../../test/helpers/mpesa.js'
import { TestDaraja } from '../../../test/helpers/test-daraja.js'
import { queryPromptWith } from './jobs.js'
import { unbalancedEntries } from './ledger.js'
import { reconcile } from './reconcile.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

type Delivery = 'once' | 'twice' | 'lost' | 'crash'
type Event =
  | { kind: 'prompt'; approve: boolean; delivery: Delivery; forgedFirst: boolean }
  | { kind: 'paybill'; share: number; delivery: Exclude<Delivery, 'lost'>; unknownReference: boolean }
  | { kind: 'forged-unknown' }

const delivery = fc.constantFrom<Delivery>('once', 'twice', 'lost', 'crash')
const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('prompt' as const), approve: fc.boolean(), delivery, forgedFirst: fc.boolean() }),
  fc.record({ kind: fc.constant('paybill' as const), share: fc.integer({ min: 1, max: 12 }), delivery: fc.constantFrom<'once' | 'twice' | 'crash'>('once', 'twice', 'crash'), unknownReference: fc.boolean() }),
  fc.constant({ kind: 'forged-unknown' as const }),
)

describe(`money you can prove, under random histories, on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let daraja: TestDaraja
  const forged = new Set<string>()
  let forgedCount = 0
  before(async () => {
    daraja = await new TestDaraja().start()
    const env = { MPESA_BASE_URL: daraja.url, MPESA_CONSUMER_KEY: 'key', MPESA_CONSUMER_SECRET: 'secret', MPESA_PASSKEY: 'passkey', MPESA_ALLOWED_IPS: '127.0.0.1' }
    t = await paymentsTestApp(undefined, { env, mpesaInbox: { retryDelayMs: 0, maxAttempts: 2 } })
  })
  after(async () => {
    await t.close()
    await daraja.stop()
  })

  const db = () => t.database.db

  /** A message as it reaches the portal; `crash`: acknowledged, then the process died before processing it. */
  async function deliver(path: string, body: unknown, how: Delivery): Promise<void> {
    if (how === 'lost') return
    if (how === 'crash') {
      await t.app.modules.mpesa.inbox.writer.write({ kind: path.endsWith('/callback') ? 'stk-result' : 'c2b-confirmation', path, sourceIp: '127.0.0.1', body })
      return
    }
    const first = await postToMpesa(t.app, path, body)
    assert.equal(first.statusCode, 200)
    if (how === 'twice') await postToMpesa(t.app, path, body)
  }

  async function play(events: Event[], order: number[]): Promise<void> {
    const client = t.app.modules.mpesa.client!
    const steps: (() => Promise<void>)[] = []
    for (const e of events) {
      if (e.kind === 'forged-unknown') {
        const receipt = `FORGED${String(++forgedCount).padStart(4, '0')}`
        forged.add(receipt)
        steps.push(() => deliver(MPESA.callback, forgedResult(`ws_CO_${Date.now()}${forgedCount}`, 500, receipt), 'once'))
        continue
      }
      const { invoice } = await awaitingPayment(t)
      if (e.kind === 'paybill') {
        const amount = Math.max(1, Math.round((invoice.totalCents / 100) * (e.share / 10)))
        const body = daraja.payBill('222222', e.unknownReference ? 'NOTOURS1' : invoice.billReference, amount, '254722000333')
        steps.push(() => deliver(MPESA.confirmation, body, e.delivery))
        continue
      }
      const amount = invoice.totalCents / 100
      const sent = await client.stkPush({ phone: '254712000444', amount, accountReference: invoice.billReference, description: 'DIS fees' })
      await t.payments.recordPrompt(invoice.id, { ...sent, phone: '0712000444', amountCents: invoice.totalCents })
      if (e.forgedFirst) {
        const receipt = `FORGED${String(++forgedCount).padStart(4, '0')}`
        forged.add(receipt)
        steps.push(() => deliver(MPESA.callback, forgedResult(sent.checkoutRequestId, 1, receipt), 'once'))
      }
      const genuine = daraja.answer(sent.checkoutRequestId, e.approve)
      steps.push(() => deliver(MPESA.callback, genuine, e.delivery))
    }
    // The messages reach the portal in a random order, with queries between them.
    const shuffled = steps.map((step, index) => ({ step, key: order[index % Math.max(1, order.length)]! + index / 1000 })).sort((a, b) => a.key - b.key)
    for (const [index, { step }] of shuffled.entries()) {
      await step()
      if (index % 3 === 2) await reconcile(t.payments, queryPromptWith(client), new Date(Date.now() + 600_000))
    }
    // Recovery: the sweep takes what crashed processes left, retries run out, the job asks about the rest.
    for (let round = 0; round < 3; round++) await t.app.modules.mpesa.inbox.processor.sweep(0)
    await reconcile(t.payments, queryPromptWith(client), new Date(Date.now() + 600_000))
  }

  async function checkInvariants(): Promise<void> {
    const credited = await db().selectFrom('payments').select(['mpesa_receipt', 'amount_cents', 'checkout_request_id']).execute()
    const held = await db().selectFrom('payment_suspense').select(['mpesa_receipt', 'amount_cents']).where('held', '=', true).execute()
    const truthCents = daraja.truth.reduce((sum, item) => sum + item.amount * 100, 0)
    const creditedCents = credited.reduce((sum, row) => sum + Number(row.amount_cents), 0)
    const heldCents = held.reduce((sum, row) => sum + Number(row.amount_cents), 0)
    assert.equal(creditedCents + heldCents, truthCents, 'credited + suspense = what M-Pesa confirmed')
    const receipts = [...credited.map((row) => row.mpesa_receipt).filter((r): r is string => r !== null), ...held.map((row) => row.mpesa_receipt!)]
    assert.equal(new Set(receipts).size, receipts.length, 'every receipt once')
    for (const receipt of receipts) assert.ok(!forged.has(receipt), `forged ${receipt} was never credited`)
    // No genuine result lost: each confirmed receipt is credited or held, or its prompt was credited by the query (receipt to follow).
    const known = new Set(receipts)
    const byQuery = new Set(credited.filter((row) => row.mpesa_receipt === null).map((row) => row.checkout_request_id))
    for (const truth of daraja.truth) assert.ok(known.has(truth.receipt) || (truth.checkoutRequestId && byQuery.has(truth.checkoutRequestId)), `genuine ${truth.receipt} is accounted for`)
    const unprocessed = await db().selectFrom('mpesa_inbox').select('id').where('processed_at', 'is', null).execute()
    assert.deepEqual(unprocessed, [], 'every inbox message processed')
    assert.deepEqual(await unbalancedEntries(db()), [])
  }

  it('keeps every invariant after random interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(100), { minLength: 1, maxLength: 12 }), async (events, order) => {
        await play(events, order)
        await checkInvariants()
      }),
      { numRuns: TEST_ENGINE === 'postgres' ? 12 : 8 },
    )
    assert.deepEqual(serverErrors(t.logs), [])
  })
})

function forgedResult(checkoutRequestId: string, amount: number, receipt: string) {
  return {
    Body: {
      stkCallback: {
        MerchantRequestID: '1-2-3', CheckoutRequestID: checkoutRequestId, ResultCode: 0, ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: { Item: [{ Name: 'Amount', Value: amount }, { Name: 'MpesaReceiptNumber', Value: receipt }, { Name: 'Balance' }, { Name: 'TransactionDate', Value: 20261207120000 }, { Name: 'PhoneNumber', Value: 254799999999 }] },
      },
    },
  }
}
