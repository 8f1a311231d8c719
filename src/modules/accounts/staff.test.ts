import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Browser, codeIn, lastMessageTo } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { userCommand } from './user-command.js'

describe(`staff accounts from the command line on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
    await upsertAgencies(t.database.db, DEMO_AGENCIES)
  })
  after(() => t.close())

  const run = async (...argv: string[]) => {
    const lines: string[] = []
    const code = await userCommand(t.database.db, argv, (line) => lines.push(line))
    return { code, output: lines.join('\n') }
  }

  it('refuses what makes no sense, saying why, and creates nothing', async () => {
    const base = ['--email', 'x@example.ke', '--phone', '0711000001', '--name', 'Jane Doe']
    assert.match((await run('create', '--role', 'agency_officer', ...base)).output, /needs|belongs to one agency/)
    assert.match((await run('create', '--role', 'support_agent', '--agency', 'DIS', ...base)).output, /not bound to an agency/)
    assert.match((await run('create', '--role', 'agency_officer', '--agency', 'NOPE', ...base)).output, /no agency with code NOPE/)
    assert.match((await run('create', '--role', 'emperor', ...base)).output, /role must be one of/)
    assert.equal((await run('create', '--role', 'platform_admin', '--bogus', 'x')).code, 2)
    const count = await t.database.db.selectFrom('accounts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
    assert.equal(Number(count.n), 0)
  })

  it('creates an agency officer who must set up an app or passkey at first sign-in; role changes are audited and end sessions', async () => {
    const created = await run('create', '--role', 'agency_officer', '--agency', 'dis', '--email', 'officer@immigration.example', '--phone', '0711000002', '--name', 'Mary Achieng')
    assert.equal(created.code, 0, created.output)
    const password = /One-off password: (\S+)/.exec(created.output)?.[1]
    assert.ok(password)
    const account = await t.database.db.selectFrom('accounts').selectAll().where('email', '=', 'officer@immigration.example').executeTakeFirstOrThrow()
    assert.deepEqual([account.kind, account.role, account.agency_code, account.phone], ['staff', 'agency_officer', 'DIS', '+254711000002'])

    const browser = new Browser(t.app)
    await browser.submit('/sign-in', '/sign-in', { name: 'officer@immigration.example', password })
    const code = codeIn(await lastMessageTo(t.database.db, 'officer@immigration.example'))
    await browser.submit('/sign-in/code', '/sign-in/code', { code })
    const dashboard = await browser.get('/dashboard')
    assert.equal(dashboard.headers.location, '/account/authenticator', 'staff set up a stronger second factor first')
    assert.equal((await browser.get('/account/authenticator')).statusCode, 200)

    const changed = await run('role', '--email', 'OFFICER@immigration.example', '--role', 'agency_supervisor', '--agency', 'DIS')
    assert.equal(changed.code, 0, changed.output)
    assert.equal((await browser.get('/account/authenticator')).headers.location, '/sign-in', 'the old session has ended')
    const entries = await t.database.db.selectFrom('audit_log').selectAll().where('subject_id', '=', account.id).where('action', 'like', 'account.%').orderBy('id').execute()
    assert.deepEqual(entries.map((e) => e.action), ['account.create-staff', 'account.role-change'])
    assert.deepEqual([entries[1]?.details.from, entries[1]?.details.to], ['agency_officer', 'agency_supervisor'])
  })
})
