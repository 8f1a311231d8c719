import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { audit } from '../../platform/audit/audit.js'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { AUDIT_PAGE_SIZE } from './audit-store.js'

describe(`the audit log page on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let cookie: string
  let adminId: string
  before(async () => {
    t = await testApp()
    const admin = await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })
    adminId = admin.id
    cookie = await signedInCookie(t.database.db, admin.id)
    for (let i = 0; i < AUDIT_PAGE_SIZE + 5; i++) {
      await audit(t.database.db, { action: i % 2 ? 'sign-in.password' : 'account.role-change', outcome: i % 3 ? 'success' : 'failure', subjectType: 'account', subjectId: `subject-${i}` })
    }
  })
  after(() => t.close())

  it('filters by action prefix and outcome, and pages by keyset', async () => {
    const first = await t.app.inject({ url: '/admin/audit?action=sign-in', headers: { cookie } })
    assert.equal(first.statusCode, 200)
    assert.doesNotMatch(first.body, /account\.role-change<\/td>/)
    assert.match(first.body, /sign-in\.password/)
    const failures = await t.app.inject({ url: '/admin/audit?outcome=failure&action=account', headers: { cookie } })
    assert.match(failures.body, /cell">Failure<\/td>/)
    assert.doesNotMatch(failures.body, /cell">Success<\/td>/)
    const all = await t.app.inject({ url: '/admin/audit', headers: { cookie } })
    const older = /href="(\/admin\/audit\?before=\d+)"/.exec(all.body)?.[1]
    assert.ok(older, 'a link to older entries')
    const second = await t.app.inject({ url: older.replace(/&amp;/g, '&'), headers: { cookie } })
    assert.match(second.body, /subject-0</, 'the oldest entry is on the second page')
    assert.doesNotMatch(all.body, /subject-0</)
  })

  it('records each reading in the log itself', async () => {
    const reads = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'audit-log.read').where('actor_id', '=', adminId).execute()
    assert.ok(reads.length >= 3)
  })
})
