import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { becomePerson } from '../../../test/helpers/profile.js'
import { servicesFolder } from '../../../test/helpers/service-definitions.js'
import { DEMO_WANJIKU, DEMO_WANJIKU_CHILDREN } from '../registry/demo-fixed.js'
import { seedRegistry } from '../registry/seed.js'
import { loadCatalogue } from '../services/catalogue.js'
import { SAMPLE_V1, SAMPLE_V2 } from './fixture.js'
import { findApplication, listEvents } from './store.js'
import { applicationsTestApp, Client, DASHBOARD, type ApplicationsTestApp } from './test-support.js'

describe(`submitting an application on ${TEST_ENGINE}`, () => {
  let t: ApplicationsTestApp
  let alice: Client
  let aliceId: string
  let bob: Client

  before(async () => {
    t = await applicationsTestApp(await loadCatalogue(servicesFolder({ 'DIS/sample-service.yaml': SAMPLE_V1 })))
    aliceId = (await createAccount(t.database.db)).id
    alice = await Client.signedIn(t, aliceId)
    bob = await Client.signedIn(t, (await createAccount(t.database.db)).id)
  })
  after(() => t.close())

  /** A draft with kind a answered: ready for check answers. */
  async function draft(client = alice): Promise<string> {
    await client.get('/services/sample-service/start')
    const started = await client.post('/services/sample-service/start')
    assert.equal(started.statusCode, 303)
    const id = /\/applications\/([0-9a-f-]{36})\/pages\/first$/.exec(started.headers.location as string)![1]!
    await client.get(`/applications/${id}/pages/first`)
    const answered = await client.post(`/applications/${id}/pages/first`, [['kind', 'a'], ['born-day', ''], ['born-month', ''], ['born-year', '']])
    assert.equal(answered.headers.location, `/applications/${id}/check`)
    return id
  }

  async function checkKey(client: Client, id: string): Promise<string> {
    const check = await client.get(`/applications/${id}/check`)
    return /name="idempotencyKey" value="([^"]+)"/.exec(check.body)![1]!
  }

  const submissions = async (id: string) => (await listEvents(t.database.db, id)).filter((event) => event.event_type === 'submitted').length

  it('submits into the start stage with its working-day SLA, and tells the person by email, SMS and in-app, in their language', async () => {
    await t.database.db.updateTable('accounts').set({ language: 'sw' }).where('id', '=', aliceId).execute()
    const id = await draft()
    const key = await checkKey(alice, id)
    const response = await alice.post(`/applications/${id}/submit`, { idempotencyKey: key, declaration: 'yes' })
    assert.equal(response.headers.location, `/applications/${id}`)
    const row = (await findApplication(t.database.db, id))!
    assert.equal(row.status, 'in-progress')
    assert.equal(row.stage, 'submitted')
    assert.match(row.expected_by ?? '', /^\d{4}-\d{2}-\d{2}$/)
    const page = await alice.get(`/applications/${id}`)
    assert.match(page.body, /Application submitted to/)
    assert.match(page.body, /Expected by/)
    assert.ok(page.body.includes(row.reference.split('-').join('&nbsp;&nbsp;')), 'the reference in groups')
    const sent = await t.database.db.selectFrom('notifications').select(['channel', 'language', 'body']).where('idempotency_key', 'like', 'application:%').execute()
    assert.deepEqual(sent.map((message) => message.channel).sort(), ['email', 'sms'])
    assert.ok(sent.every((message) => message.language === 'sw' && message.body.startsWith(`Tumepokea maombi yako ${row.reference}`)))
    await t.database.db.updateTable('accounts').set({ language: 'en' }).where('id', '=', aliceId).execute()
  })

  it('makes one submission of a double click, a retry, five requests at once, or two tabs', async () => {
    const id = await draft()
    const key = await checkKey(alice, id)
    const fields = { idempotencyKey: key, declaration: 'yes' }
    const first = await alice.post(`/applications/${id}/submit`, fields)
    const retry = await alice.post(`/applications/${id}/submit`, fields)
    assert.equal(retry.statusCode, 303)
    assert.equal(retry.headers.location, first.headers.location)
    assert.equal(await submissions(id), 1)

    const other = await draft()
    const otherKey = await checkKey(alice, other)
    const secondTab = await checkKey(alice, other)
    const together = await Promise.all(Array.from({ length: 5 }, () => alice.post(`/applications/${other}/submit`, { idempotencyKey: otherKey, declaration: 'yes' })))
    assert.deepEqual(together.map((response) => response.statusCode), [303, 303, 303, 303, 303])
    assert.ok(together.every((response) => response.headers.location === `/applications/${other}`))
    const tab = await alice.post(`/applications/${other}/submit`, { idempotencyKey: secondTab, declaration: 'yes' })
    assert.equal(tab.headers.location, `/applications/${other}`)
    assert.equal(await submissions(other), 1)
    const messages = await t.database.db.selectFrom('application_messages').select('id').where('application_id', '=', other).execute()
    assert.equal(messages.length, 1)
  })

  it('asks for the declaration, keeping the application a draft', async () => {
    const id = await draft()
    const response = await alice.post(`/applications/${id}/submit`, { idempotencyKey: await checkKey(alice, id) })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /Confirm the declaration/)
    assert.equal((await findApplication(t.database.db, id))!.status, 'draft')
  })

  it('refuses a tampered form whole (400) and changes nothing', async () => {
    const id = await draft()
    const before = await findApplication(t.database.db, id)
    await alice.get(`/applications/${id}/pages/first`)
    const attempts = [
      await alice.post(`/applications/${id}/pages/first`, [['kind', 'a'], ['isAdmin', 'yes']]),
      await alice.post(`/applications/${id}/pages/first`, [['kind', 'z']]),
      // The note is asked only for kind b: an answer to it now is an answer to a hidden question.
      await alice.post(`/applications/${id}/pages/second`, [['note', 'sneaky']]),
      await alice.post(`/applications/${id}/submit`, { idempotencyKey: await checkKey(alice, id), declaration: 'yes', kind: 'b' }),
      await alice.post(`/applications/${id}/submit`, { declaration: 'yes' }),
    ]
    assert.deepEqual(attempts.map((response) => response.statusCode), [400, 400, 400, 400, 400])
    assert.equal((await alice.get(`/applications/${id}/pages/second`)).headers.location, `/applications/${id}/check`, 'a hidden page sends the person on')
    assert.deepEqual(await findApplication(t.database.db, id), before)
    assert.deepEqual(serverErrors(t.logs), [])
  })

  it('shows errors at the fields and in the summary, in the person’s language, keeping what was typed', async () => {
    const id = await draft()
    await alice.get(`/applications/${id}/pages/first?lang=sw`)
    const response = await alice.post(`/applications/${id}/pages/first`, [['kind', 'b'], ['born-day', '31'], ['born-month', '2'], ['born-year', '2001']])
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /<title>Hitilafu: /)
    assert.match(response.body, /href="#born-day">Tarehe ya kuzaliwa: /)
    assert.match(response.body, /name="born-day" type="text" value="31"/)
    assert.match(response.body, /value="b" checked/)
    await alice.get(`/applications/${id}/pages/first?lang=en`)
  })

  it('returns to check answers after a change, through any page the change brings in', async () => {
    const id = await draft()
    const check = await alice.get(`/applications/${id}/check`)
    assert.ok(check.body.includes(`href="/applications/${id}/pages/first?return=check#kind"`))
    const page = await alice.get(`/applications/${id}/pages/first?return=check`)
    assert.match(page.body, /name="returnTo" value="check"/)
    const changed = await alice.post(`/applications/${id}/pages/first`, [['kind', 'b'], ['returnTo', 'check']])
    assert.equal(changed.headers.location, `/applications/${id}/pages/second?return=check`)
    const noted = await alice.post(`/applications/${id}/pages/second`, [['note', 'Hello'], ['returnTo', 'check']])
    assert.equal(noted.headers.location, `/applications/${id}/check`)
  })

  it('saves a page for later and carries on from there', async () => {
    const id = await draft()
    await alice.post(`/applications/${id}/pages/first`, [['kind', 'b']])
    await alice.get(`/applications/${id}/pages/second`)
    const saved = await alice.post(`/applications/${id}/pages/second`, [['note', 'Half'], ['action', 'save']])
    assert.match(saved.headers.location as string, /^\/dashboard\?saved=DIS-/)
    const resumed = await alice.get(`/applications/${id}`)
    assert.equal(resumed.headers.location, `/applications/${id}/pages/second`)
    assert.match((await alice.get(`/applications/${id}/pages/second`)).body, /value="Half"/)
  })

  it('answers 404 to anyone but the applicant, on every page of the application', async () => {
    const id = await draft()
    const key = await checkKey(alice, id)
    await bob.get(DASHBOARD)
    const pages = ['', '/pages/first', '/check', '/withdraw']
    for (const page of pages) assert.equal((await bob.get(`/applications/${id}${page}`)).statusCode, 404, page)
    assert.equal((await bob.post(`/applications/${id}/pages/first`, [['kind', 'b']])).statusCode, 404)
    assert.equal((await bob.post(`/applications/${id}/submit`, { idempotencyKey: key, declaration: 'yes' })).statusCode, 404)
    assert.equal((await bob.post(`/applications/${id}/withdraw`)).statusCode, 404)
    assert.equal((await findApplication(t.database.db, id))!.status, 'draft')
  })

  it('lets the applicant withdraw while the workflow allows it, once', async () => {
    const id = await draft()
    await alice.post(`/applications/${id}/submit`, { idempotencyKey: await checkKey(alice, id), declaration: 'yes' })
    assert.match((await alice.get(`/applications/${id}/withdraw`)).body, /Withdraw this application\?/)
    for (let i = 0; i < 2; i++) assert.equal((await alice.post(`/applications/${id}/withdraw`)).headers.location, `/applications/${id}`)
    const row = (await findApplication(t.database.db, id))!
    assert.deepEqual([row.status, row.stage, row.outcome], ['completed', 'withdrawn', 'withdrawn'])
    assert.equal((await listEvents(t.database.db, id)).filter((event) => event.event_type === 'withdrawn').length, 1)
    assert.equal((await alice.get(`/applications/${id}/withdraw`)).headers.location, `/applications/${id}`, 'nothing left to withdraw')
  })

  it('records the agency’s decisions through recordStatusChange, with the reason and a message', async () => {
    const id = await draft()
    await alice.post(`/applications/${id}/submit`, { idempotencyKey: await checkKey(alice, id), declaration: 'yes' })
    const db = t.database.db
    const record = (to: string, note?: string) =>
      db.transaction().execute(async (trx) => t.recordStatusChange(trx, (await findApplication(trx, id))!, { to, actor: { kind: 'agency', role: 'agency_officer' }, note }))
    await assert.rejects(record('returned'), /invalid input/, 'a return needs a reason')
    await assert.rejects(record('withdrawn'), /no transition/, 'only the applicant withdraws')
    const returned = await record('returned', 'The note is unreadable')
    assert.deepEqual([returned.status, returned.expected_by], ['action-needed', null])
    const page = await alice.get(`/applications/${id}`)
    assert.match(page.body, /The note is unreadable/)
    assert.match(page.body, /Correct the note/)
    assert.match(page.body, /Your next step: Send it back/)
    const messages = await db.selectFrom('application_messages').select('title_en').where('application_id', '=', id).orderBy('created_at').execute()
    assert.match(messages.at(-1)!.title_en, /Returned for correction/)
    const dashboard = await alice.get(DASHBOARD)
    assert.match(dashboard.body, /Needs your action/)
  })

  it('explains that a kind of account may not apply', async () => {
    const visitor = await createAccount(t.database.db)
    await t.database.db.updateTable('accounts').set({ kind: 'visitor', id_number: null, passport_number: 'X1234567', nationality: 'DEU' }).where('id', '=', visitor.id).execute()
    const client = await Client.signedIn(t, visitor.id)
    const page = await client.get('/services/sample-service/start')
    assert.equal(page.statusCode, 403)
    assert.match(page.body, /You cannot apply for this service with your account/)
    assert.match(page.body, /a Kenyan citizen/)
    assert.equal((await client.post('/services/sample-service/start')).statusCode, 403)
  })
})

describe(`applying for a child, and definitions that change, on ${TEST_ENGINE}`, () => {
  let t: ApplicationsTestApp
  const v1 = () => loadCatalogue(servicesFolder({ 'DIS/sample-service.yaml': SAMPLE_V1 }))
  before(async () => {
    t = await applicationsTestApp(await v1())
    await seedRegistry(t.database.db)
  })
  after(() => t.close())

  it('lists the person’s children, and shows a child’s application on the parent’s dashboard', async () => {
    const parent = await becomePerson(t.database.db, await createAccount(t.database.db), DEMO_WANJIKU.idNumber!)
    const client = await Client.signedIn(t, parent.id)
    const child = DEMO_WANJIKU_CHILDREN[0]
    await client.get(DASHBOARD)
    const choose = await client.post('/services/sample-service/start')
    assert.equal(choose.statusCode, 200)
    assert.match(choose.body, /Who is the application for\?/)
    assert.ok(choose.body.includes(`value="dependant:${child.birthCertificateNumber}"`))
    assert.equal((await client.post('/services/sample-service/start', { party: 'dependant:000000000' })).statusCode, 400)
    const started = await client.post('/services/sample-service/start', { party: `dependant:${child.birthCertificateNumber}` })
    assert.equal(started.statusCode, 303)
    const id = /applications\/([0-9a-f-]{36})/.exec(started.headers.location as string)![1]!
    const row = (await findApplication(t.database.db, id))!
    assert.deepEqual([row.account_id, row.party_kind, row.party_id], [parent.id, 'dependant', child.birthCertificateNumber])
    const dashboard = await client.get(DASHBOARD)
    assert.ok(dashboard.body.includes(`${child.firstName} ${child.middleName} ${child.lastName}`))
    assert.match(dashboard.body, /Drafts/)
  })

  it('keeps a draft on version 1 working after version 2 is published', async () => {
    const account = await createAccount(t.database.db)
    const client = await Client.signedIn(t, account.id)
    await client.get('/services/sample-service/start')
    const started = await client.post('/services/sample-service/start')
    const id = /applications\/([0-9a-f-]{36})/.exec(started.headers.location as string)![1]!
    await client.post(`/applications/${id}/pages/first`, [['kind', 'b']])

    // A new release of the portal with version 2 beside version 1, on the same database.
    const v2 = await loadCatalogue(servicesFolder({ 'DIS/sample-service.yaml': SAMPLE_V2, 'DIS/sample-service.v1.yaml': SAMPLE_V1 }))
    const next = await applicationsTestApp(v2, { database: t.database })
    try {
      const later = await Client.signedIn(next, account.id)
      const second = await later.get(`/applications/${id}/pages/second`)
      assert.equal(second.statusCode, 200, 'a page version 2 no longer has')
      assert.equal((await later.post(`/applications/${id}/pages/second`, [['note', 'Still here']])).headers.location, `/applications/${id}/check`)
      const check = await later.get(`/applications/${id}/check`)
      assert.match(check.body, /Kind B/)
      const key = /name="idempotencyKey" value="([^"]+)"/.exec(check.body)![1]!
      assert.equal((await later.post(`/applications/${id}/submit`, { idempotencyKey: key, declaration: 'yes' })).headers.location, `/applications/${id}`)
      const row = (await findApplication(next.database.db, id))!
      assert.deepEqual([row.status, row.definition_version, row.answers], ['in-progress', 1, { kind: 'b', note: 'Still here' }])
      const fresh = await later.post('/services/sample-service/start')
      const newId = /applications\/([0-9a-f-]{36})/.exec(fresh.headers.location as string)![1]!
      assert.equal((await findApplication(next.database.db, newId))!.definition_version, 2)
    } finally {
      await next.app.close()
      await next.jobs.stop(1000)
    }
  })
})
