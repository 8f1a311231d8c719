import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { seedDemoData } from '../../seed.js'
import { Client } from '../applications/test-support.js'
import { unbalancedEntries } from '../payments/ledger.js'
import { DEMO_QUEUE_SIZE } from './demo-queue.js'

describe(`the demo back-office queue on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
    await seedDemoData(t.database, pino({ level: 'silent' }))
  })
  after(() => t.close())

  const queued = () =>
    t.database.db
      .selectFrom('applications as a')
      .innerJoin('invoices as i', 'i.application_id', 'a.id')
      .select(['a.reference', 'a.stage', 'i.status'])
      .where('a.agency_code', '=', 'DCI')
      .orderBy('a.reference')
      .execute()

  it('puts a few paid, submitted good-conduct applications in DCI\'s queue, the same ones however often it runs', async () => {
    const first = await queued()
    assert.equal(first.length, DEMO_QUEUE_SIZE)
    assert.ok(first.every((row) => row.stage === 'submitted' && row.status === 'paid'))
    await seedDemoData(t.database, pino({ level: 'silent' }))
    assert.deepEqual(await queued(), first)
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
    // Written, never sent: no delivery job was queued for the demo's history.
    const sent = await t.database.db.selectFrom('notifications').select('status').execute()
    assert.ok(sent.every((message) => message.status === 'queued'))
  })

  it('shows them to the demo DCI officer', async () => {
    const officer = await t.database.db.selectFrom('accounts').select('id').where('email', '=', 'officer.dci@demo.ecitizen.example').executeTakeFirstOrThrow()
    const page = await (await Client.signedIn(t, officer.id)).get('/backoffice')
    assert.equal(page.statusCode, 200)
    for (const row of await queued()) assert.ok(page.body.includes(row.reference))
  })
})
