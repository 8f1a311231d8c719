import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { runDetectionRound } from './detection-runner.js'
import { openDraft, saveDetection } from './detection-store.js'
import type { StatusEvent } from './service.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

describe(`drafts from automatic detection on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let admin: string
  let round = 0
  const events: StatusEvent[] = []
  const text = (en: string) => ({ en, sw: `${en} (sw)` })

  before(async () => {
    t = await testApp()
    t.app.modules.status.service.onPublished(async (event) => {
      events.push(event)
    })
    admin = await signedInCookie(t.database.db, (await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })).id)
  })
  after(() => t.close())

  /** A draft as detection opens it: the component marked degraded, and its incident hidden. */
  async function detected(component: string, title: string): Promise<string> {
    await saveDetection(t.database.db, component, { state: 'degraded', streak: 0 }, ++round, text(`${title} measured`))
    const id = await openDraft(t.database.db, { component, title: text(title), message: text(`${title} measured`) })
    assert.ok(id)
    await t.app.modules.status.board.reload()
    return id
  }

  async function submit(page: string, action: string, cookie = admin): Promise<LightMyRequestResponse> {
    const form = await t.app.inject({ method: 'GET', url: page, headers: { cookie } })
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? ''
    const headers = { ...FORM, cookie: [cookie, ...form.cookies.map((c) => `${c.name}=${c.value}`)].join('; ') }
    return t.app.inject({ method: 'POST', url: action, headers, payload: new URLSearchParams([['_csrf', token]]).toString() })
  }
  const publicJson = async () => JSON.parse((await t.app.inject('/status.json')).body) as { components: { id: string; state: string }[]; incidents: { id: string; title: { en: string } }[] }
  const auditOf = async (id: string) => (await t.database.db.selectFrom('audit_log').select('action').where('subject_id', '=', id).orderBy('id').execute()).map((a) => a.action)

  it('publishes a draft as a public incident, audited and announced once', async () => {
    const id = await detected('email', 'Emails are late')
    assert.deepEqual((await publicJson()).incidents, [])
    assert.equal((await publicJson()).components.find((c) => c.id === 'email')?.state, 'degraded', 'degraded before anyone publishes')
    const page = await t.app.inject({ url: `/admin/status/incidents/${id}`, headers: { cookie: admin } })
    assert.match(page.body, /The public cannot see it until you publish it/)
    assert.doesNotMatch(page.body, /Post the update/, 'no updates on a draft')

    const citizen = await signedInCookie(t.database.db, (await createAccount(t.database.db)).id)
    assert.equal((await submit('/feedback', `/admin/status/incidents/${id}/publish`, citizen)).statusCode, 403)
    const noToken = await t.app.inject({ method: 'POST', url: `/admin/status/incidents/${id}/publish`, headers: { ...FORM, cookie: admin }, payload: '' })
    assert.equal(noToken.statusCode, 403)
    assert.deepEqual((await publicJson()).incidents, [], 'refused requests change nothing')

    const published = await submit('/admin/status', `/admin/status/incidents/${id}/publish`)
    assert.equal(published.statusCode, 303)
    assert.equal(published.headers.location, `/admin/status/incidents/${id}`)
    assert.deepEqual((await publicJson()).incidents.map((i) => i.title.en), ['Emails are late'])
    assert.match((await t.app.inject('/status/feed.atom')).body, /Emails are late/)
    assert.match((await t.app.inject('/')).body, /Emails are late/, 'the banner shows it')
    assert.deepEqual(events, [{ kind: 'incident-opened', incidentId: id }])
    assert.deepEqual(await auditOf(id), ['status.incident-publish'])

    assert.equal((await submit('/admin/status', `/admin/status/incidents/${id}/publish`)).statusCode, 409, 'published once')
    assert.equal((await submit('/admin/status', `/admin/status/incidents/${id}/discard`)).statusCode, 409, 'a public incident is resolved, not discarded')

    // Recovery clears the automatic state but leaves a published incident for an administrator to resolve.
    for (let i = 0; i < t.config.statusRecoveryRounds; i++) await runDetectionRound({ db: t.database.db, settings: t.config, log: t.app.log }, ++round)
    await t.app.modules.status.board.reload()
    const after = await publicJson()
    assert.deepEqual(after.incidents.map((i) => i.id), [id])
    assert.equal(after.components.find((c) => c.id === 'email')?.state, 'degraded', 'the open incident still says degraded')
    const detection = await t.database.db.selectFrom('status_detections').select('state').where('component', '=', 'email').executeTakeFirstOrThrow()
    assert.equal(detection.state, 'operational')
  })

  it('discards a draft, which never reaches the public', async () => {
    const id = await detected('sms', 'Texts are failing')
    const list = await t.app.inject({ url: '/admin/status', headers: { cookie: admin } })
    assert.match(list.body, /Texts are failing measured/)
    assert.match(list.body, /Marked as degraded automatically/)
    const discarded = await submit('/admin/status', `/admin/status/incidents/${id}/discard`)
    assert.equal(discarded.statusCode, 303)
    assert.equal(discarded.headers.location, '/admin/status')
    const row = await t.database.db.selectFrom('status_incidents').select(['draft', 'status']).where('id', '=', id).executeTakeFirstOrThrow()
    assert.deepEqual(row, { draft: true, status: 'resolved' })
    assert.doesNotMatch((await t.app.inject({ url: '/admin/status', headers: { cookie: admin } })).body, /href="\/admin\/status\/incidents\/[^"]+\/discard/)
    assert.ok(!(await publicJson()).incidents.some((i) => i.id === id))
    assert.deepEqual(await auditOf(id), ['status.incident-discard'])
    assert.equal((await submit('/admin/status', `/admin/status/incidents/${id}/discard`)).statusCode, 409, 'discarded once')
    assert.equal(events.filter((e) => 'incidentId' in e && e.incidentId === id).length, 0, 'no one is told of a draft')
  })

  it('takes no updates on a draft and answers 404 for one that does not exist', async () => {
    const id = await detected('payments-paybill', 'Paybill is slow')
    const update = await t.app.inject({ url: `/admin/status/incidents/${id}`, headers: { cookie: admin } })
    const token = /name="_csrf" value="([^"]+)"/.exec(update.body)?.[1] ?? ''
    const headers = { ...FORM, cookie: [admin, ...update.cookies.map((c) => `${c.name}=${c.value}`)].join('; ') }
    const posted = await t.app.inject({ method: 'POST', url: `/admin/status/incidents/${id}`, headers, payload: new URLSearchParams({ _csrf: token, status: 'identified', messageEn: 'x', messageSw: 'y' }).toString() })
    assert.equal(posted.statusCode, 409)
    for (const missing of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      assert.equal((await submit('/admin/status', `/admin/status/incidents/${missing}/publish`)).statusCode, 404)
      assert.equal((await submit('/admin/status', `/admin/status/incidents/${missing}/discard`)).statusCode, 404)
    }
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
