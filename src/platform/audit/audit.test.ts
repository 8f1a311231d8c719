import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../db/database.js'
import { audit } from './audit.js'

describe(`audit log on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  before(async () => {
    database = await freshDatabase()
  })
  after(() => database.close())

  it('records who did what, to what, from where, in UTC', async () => {
    await audit(
      database.db,
      { action: 'sign-in', outcome: 'failure', actorId: 'person-1', subjectType: 'account', subjectId: 'person-1', details: { method: 'password' } },
      { ip: '203.0.113.9', requestId: 'req-12345678' },
    )
    const row = await database.db.selectFrom('audit_log').selectAll().executeTakeFirstOrThrow()
    assert.equal(row.action, 'sign-in')
    assert.equal(row.outcome, 'failure')
    assert.equal(row.ip, '203.0.113.9')
    assert.equal(row.request_id, 'req-12345678')
    assert.deepEqual(row.details, { method: 'password' })
    assert.ok(row.occurred_at instanceof Date)
  })

  it('exists only if the audited change commits', async () => {
    const before = await database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        await audit(trx, { action: 'role.change', outcome: 'success' })
        throw new Error('change failed')
      }),
    )
    const after = await database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
    assert.equal(after.n, before.n)
  })

  it('cannot be changed or deleted, even by the application', async () => {
    await assert.rejects(sql`update audit_log set outcome = 'success'`.execute(database.db), /append-only/)
    await assert.rejects(sql`delete from audit_log`.execute(database.db), /append-only/)
  })

  it('refuses details that look like secrets', async () => {
    await assert.rejects(audit(database.db, { action: 'password.reset', outcome: 'success', details: { resetToken: 'abc' } }), /secrets/)
    await assert.rejects(audit(database.db, { action: 'otp.check', outcome: 'failure', details: { code: '123456' } }), /secrets/)
  })
})
