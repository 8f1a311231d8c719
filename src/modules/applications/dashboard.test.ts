import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createAccount } from '../../../test/helpers/accounts.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { servicesFolder } from '../../../test/helpers/service-definitions.js'
import { loadCatalogue } from '../services/catalogue.js'
import { decodeCursor, PAGE_SIZE } from './dashboard.js'
import { SAMPLE_V1 } from './fixture.js'
import { applicationsTestApp, Client, DASHBOARD, type ApplicationsTestApp } from './test-support.js'

describe(`the dashboard on ${TEST_ENGINE}`, () => {
  let t: ApplicationsTestApp
  before(async () => {
    t = await applicationsTestApp(await loadCatalogue(servicesFolder({ 'DIS/sample-service.yaml': SAMPLE_V1 })))
  })
  after(() => t.close())

  it('pages each group newest first, with a "more" link that continues exactly where the page ended', async () => {
    const account = await createAccount(t.database.db)
    const client = await Client.signedIn(t, account.id)
    await client.get(DASHBOARD)
    const references: string[] = []
    for (let i = 0; i < PAGE_SIZE + 3; i++) {
      const started = await client.post('/services/sample-service/start')
      const id = /applications\/([0-9a-f-]{36})/.exec(started.headers.location as string)![1]!
      references.push((await t.database.db.selectFrom('applications').select('reference').where('id', '=', id).executeTakeFirstOrThrow()).reference)
      await client.get(DASHBOARD)
    }
    // Two drafts changed in the same microsecond still come out once each, in id order.
    await sql`update applications set updated_at = '2030-01-01T00:00:00Z' where account_id = ${account.id}`.execute(t.database.db)
    const first = await client.get(DASHBOARD)
    assert.match(first.body, /Drafts/)
    const more = new RegExp(`href="(${DASHBOARD}\\?group=draft&amp;after=[^"]+)"`).exec(first.body)?.[1]?.replace(/&amp;/g, '&')
    assert.ok(more, 'a more link')
    assert.ok(decodeCursor(new URL(more, 'http://x').searchParams.get('after')))
    const second = await client.get(more)
    const shown = (html: string) => references.filter((reference) => html.includes(reference))
    assert.equal(shown(first.body).length, PAGE_SIZE)
    assert.equal(shown(second.body).length, 3)
    assert.deepEqual([...shown(first.body), ...shown(second.body)].sort(), [...references].sort())
    assert.equal((await client.get(`${DASHBOARD}?group=draft&after=nonsense`)).statusCode, 200, 'a bad cursor starts from the top')
  })

  it('reads a group as one range of the dashboard index', async () => {
    // One transaction: on a server the setting and the query must share a connection.
    const plan = await t.database.db.transaction().execute(async (trx) => {
      // The table is small here; the planner would rightly read it whole. The question is whether the index serves.
      await sql`set local enable_seqscan = off`.execute(trx)
      return sql<{ 'QUERY PLAN': string }>`explain select id from applications
        where account_id = ${'00000000-0000-0000-0000-000000000000'}::uuid and status = 'draft'
        and (updated_at, id) < (now(), ${'00000000-0000-0000-0000-000000000000'}::uuid)
        order by updated_at desc, id desc limit 11`.execute(trx)
    })
    const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n')
    assert.match(text, /Index (Only )?Scan Backward using applications_dashboard/)
    assert.doesNotMatch(text, /Sort/)
  })

  it('keeps the banner asking an unverified person to confirm their contact details', async () => {
    const account = await createAccount(t.database.db)
    await t.database.db.updateTable('accounts').set({ email_verified_at: null }).where('id', '=', account.id).execute()
    const client = await Client.signedIn(t, account.id)
    const page = await client.get(DASHBOARD)
    assert.match(page.body, /Confirm your email address and phone number/)
    assert.match(page.body, /You have no applications yet/)
  })
})
