import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import type { Client } from '../applications/test-support.js'
import { unbalancedEntries } from './ledger.js'
import { paymentsFor } from './store.js'
import { PAGE, staffClient, statusOf, suspenseBalance, suspenseItem, tokenOn } from './suspense-test-support.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

// Real concurrency needs real connections: PGlite is one session and serialises everything.
describe('suspense approvals under concurrency on PostgreSQL', { skip: TEST_ENGINE !== 'postgres' && 'needs TEST_DATABASE_URL' }, () => {
  let t: PaymentsTestApp
  let proposer: Client
  let first: Client
  let second: Client

  before(async () => {
    t = await paymentsTestApp()
    proposer = await staffClient(t, 'agency_finance', 'DIS')
    first = await staffClient(t, 'agency_finance', 'DIS')
    second = await staffClient(t, 'platform_admin')
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  it('lets exactly one of two people approving the same match at once move the money; the other is told 409', async () => {
    for (let round = 0; round < 10; round++) {
      const { invoice } = await awaitingPayment(t)
      const item = await suspenseItem(t, { agencyCode: 'DIS', amountCents: invoice.totalCents })
      const url = `${PAGE}/${item.id}`
      await proposer.get(url)
      assert.equal((await proposer.post(`${url}/propose`, { action: 'match', billReference: invoice.billReference, note: '' })).statusCode, 303)
      const [seenByFirst, seenBySecond] = await Promise.all([first.get(url), second.get(url)])
      const answers = await Promise.all([
        first.post(`${url}/approve`, { proposal: tokenOn(seenByFirst.body) }),
        second.post(`${url}/approve`, { proposal: tokenOn(seenBySecond.body) }),
      ])
      assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [303, 409], `round ${round}`)
      assert.match(answers.find((answer) => answer.statusCode === 409)!.body, /Someone else dealt with this item first/)
      assert.equal(await statusOf(t, item.id), 'matched')
      assert.equal((await paymentsFor(t.database.db, invoice.id)).length, 1, `round ${round}: one payment`)
      const paid = (await t.payments.invoiceForApplication(invoice.applicationId))!
      assert.equal(paid.paidCents, invoice.totalCents, `round ${round}: credited once`)
      assert.equal(paid.status, 'paid')
      assert.equal(await suspenseBalance(t, item.id), 0)
    }
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
  })

  it('lets one of an approval and a rejection of the same proposal win', async () => {
    for (let round = 0; round < 5; round++) {
      const item = await suspenseItem(t, { agencyCode: 'DIS' })
      const url = `${PAGE}/${item.id}`
      await proposer.get(url)
      assert.equal((await proposer.post(`${url}/propose`, { action: 'refund', note: 'Payer asked for it back' })).statusCode, 303)
      const [seenByFirst, seenBySecond] = await Promise.all([first.get(url), second.get(url)])
      const [approved, rejected] = await Promise.all([
        first.post(`${url}/approve`, { proposal: tokenOn(seenByFirst.body) }),
        second.post(`${url}/reject`, { proposal: tokenOn(seenBySecond.body), rejectNote: '' }),
      ])
      assert.deepEqual([approved.statusCode, rejected.statusCode].sort(), [303, 409], `round ${round}`)
      assert.equal(await statusOf(t, item.id), approved.statusCode === 303 ? 'refunded' : 'open')
      assert.equal(await suspenseBalance(t, item.id), approved.statusCode === 303 ? 0 : -105000)
    }
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
  })
})
