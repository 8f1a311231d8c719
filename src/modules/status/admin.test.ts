import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

describe(`status administration on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let admin: string
  before(async () => {
    t = await testApp()
    await upsertAgencies(t.database.db, DEMO_AGENCIES)
    const account = await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })
    admin = await signedInCookie(t.database.db, account.id)
  })
  after(() => t.close())

  /** Posts a form from the page it lives on, with that page's CSRF token; fields may repeat (checkboxes). */
  async function submit(page: string, action: string, fields: [string, string][], cookie = admin): Promise<LightMyRequestResponse> {
    const form = await t.app.inject({ method: 'GET', url: page, headers: { cookie } })
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? ''
    // The page's cookies go back with the form, as a browser's would: the CSRF secret, a chosen language.
    const headers = { ...FORM, cookie: [cookie, ...form.cookies.map((c) => `${c.name}=${c.value}`)].join('; ') }
    return t.app.inject({ method: 'POST', url: action, headers, payload: new URLSearchParams([['_csrf', token], ...fields]).toString() })
  }

  const incident = (overrides: Record<string, string> = {}): [string, string][] =>
    Object.entries({
      impact: 'major-outage',
      titleEn: 'M-Pesa prompts are not arriving',
      titleSw: 'Maombi ya M-Pesa hayafiki',
      messageEn: 'We are looking into it.',
      messageSw: 'Tunalichunguza.',
      ...overrides,
    })

  async function openIncident(components: string[], overrides: Record<string, string> = {}): Promise<string> {
    const response = await submit('/admin/status/incidents/new', '/admin/status/incidents', [...components.map((c): [string, string] => ['components', c]), ...incident(overrides)])
    assert.equal(response.statusCode, 303, response.body.slice(0, 500))
    const id = /\/admin\/status\/incidents\/([0-9a-f-]{36})$/.exec(String(response.headers.location))?.[1]
    assert.ok(id)
    return id
  }

  it('lists incidents and maintenance, with the forms to open and schedule', async () => {
    const response = await t.app.inject({ url: '/admin/status', headers: { cookie: admin } })
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /href="\/admin\/status\/incidents\/new"/)
    assert.match(response.body, /href="\/admin\/status\/maintenance\/new"/)
    const form = await t.app.inject({ url: '/admin/status/incidents/new', headers: { cookie: admin } })
    assert.match(form.body, /name="_csrf"/)
    assert.match(form.body, /value="payments-prompt"/)
    assert.match(form.body, /value="agency-dis"/, 'one component per agency')
  })

  it('keeps the form out of reach of citizens and agency staff', async () => {
    const citizen = await signedInCookie(t.database.db, (await createAccount(t.database.db)).id)
    const officer = await signedInCookie(t.database.db, (await createAccount(t.database.db, { role: 'agency_officer', agencyCode: 'DIS', secondFactor: 'totp' })).id)
    for (const cookie of [citizen, officer]) {
      assert.equal((await t.app.inject({ url: '/admin/status', headers: { cookie } })).statusCode, 403)
      const post = await submit('/feedback', '/admin/status/incidents', [['components', 'portal'], ...incident()], cookie)
      assert.equal(post.statusCode, 403)
    }
    assert.equal((await t.app.inject('/admin/status/incidents/new')).headers.location, '/sign-in')
  })

  it('refuses a form without its CSRF token', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/admin/status/incidents', headers: { ...FORM, cookie: admin }, payload: new URLSearchParams(incident()).toString() })
    assert.equal(response.statusCode, 403)
  })

  it('asks for both languages, with the errors at the fields and what was typed kept', async () => {
    const response = await submit('/admin/status/incidents/new', '/admin/status/incidents', [['components', 'sms'], ...incident({ titleSw: '', messageEn: '', titleEn: 'SMS <late>' })])
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /<title>Error: Open an incident/)
    assert.match(response.body, /href="#titleSw">Enter the title in Kiswahili/)
    assert.match(response.body, /href="#messageEn">Enter the message in English/)
    assert.match(response.body, /id="titleSw-error"/)
    assert.match(response.body, /value="SMS &lt;late&gt;"/, 'typed text kept, escaped')
    assert.match(response.body, /value="sms" checked/, 'chosen component kept')
    assert.match(response.body, /value="major-outage" checked/)

    const sw = await submit('/admin/status/incidents/new?lang=sw', '/admin/status/incidents', incident({ impact: 'bad' }))
    assert.equal(sw.statusCode, 400)
    assert.match(sw.body, /href="#components">Chagua kilichoathirika/)
    assert.match(sw.body, /href="#impact">Chagua athari/)
  })

  it('refuses a component that does not exist', async () => {
    const response = await submit('/admin/status/incidents/new', '/admin/status/incidents', [['components', 'agency-nope'], ...incident()])
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /href="#components"/)
  })

  it('opens an incident, posts updates and resolves it, auditing each step', async () => {
    const id = await openIncident(['payments-prompt', 'agency-dis'])
    const page = await t.app.inject({ url: `/admin/status/incidents/${id}`, headers: { cookie: admin } })
    assert.match(page.body, /M-Pesa prompts are not arriving/)
    assert.match(page.body, /We are looking into it\./)
    assert.match(page.body, /Tunalichunguza\./)

    const invalid = await submit(`/admin/status/incidents/${id}`, `/admin/status/incidents/${id}`, [['status', 'identified'], ['messageEn', 'Found it'], ['messageSw', '']])
    assert.equal(invalid.statusCode, 400)
    assert.match(invalid.body, /href="#messageSw">Enter the message in Kiswahili/)
    assert.match(invalid.body, />Found it<\/textarea>/)

    const identified = await submit(`/admin/status/incidents/${id}`, `/admin/status/incidents/${id}`, [['status', 'identified'], ['messageEn', 'The gateway is down.'], ['messageSw', 'Lango halifanyi kazi.']])
    assert.equal(identified.statusCode, 303)
    const row = () => t.database.db.selectFrom('status_incidents').select(['status', 'resolved_at']).where('id', '=', id).executeTakeFirstOrThrow()
    assert.deepEqual(await row(), { status: 'identified', resolved_at: null })

    const resolved = await submit(`/admin/status/incidents/${id}`, `/admin/status/incidents/${id}`, [['status', 'resolved'], ['messageEn', 'Prompts work again.'], ['messageSw', 'Maombi yanafanya kazi tena.']])
    assert.equal(resolved.statusCode, 303)
    const after = await row()
    assert.equal(after.status, 'resolved')
    assert.ok(after.resolved_at instanceof Date, 'resolving sets the resolved time')

    const closed = await t.app.inject({ url: `/admin/status/incidents/${id}`, headers: { cookie: admin } })
    assert.doesNotMatch(closed.body, /Post the update/, 'a resolved incident takes no more updates')
    const late = await submit('/feedback', `/admin/status/incidents/${id}`, [['status', 'monitoring'], ['messageEn', 'x'], ['messageSw', 'y']])
    assert.equal(late.statusCode, 409)

    const actions = await t.database.db.selectFrom('audit_log').select(['action', 'details']).where('subject_id', '=', id).orderBy('id').execute()
    assert.deepEqual(actions.map((a) => a.action), ['status.incident-open', 'status.incident-update', 'status.incident-update'])
  })

  it('answers 404 for an incident that does not exist', async () => {
    assert.equal((await t.app.inject({ url: '/admin/status/incidents/not-a-uuid', headers: { cookie: admin } })).statusCode, 404)
    assert.equal((await t.app.inject({ url: '/admin/status/incidents/00000000-0000-4000-8000-000000000000', headers: { cookie: admin } })).statusCode, 404)
  })

  it('schedules maintenance, checking its times, and cancels it', async () => {
    const bad = await submit('/admin/status/maintenance/new', '/admin/status/maintenance', [
      ['components', 'email'],
      ['startsAt', '2099-01-02T10:00'],
      ['endsAt', '2099-01-02T09:00'],
      ['messageEn', 'Email upgrade'],
      ['messageSw', ''],
    ])
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /href="#endsAt">The end must be after the start/)
    assert.match(bad.body, /href="#messageSw">/)
    assert.match(bad.body, /value="2099-01-02T10:00"/)

    const good = await submit('/admin/status/maintenance/new', '/admin/status/maintenance', [
      ['components', 'email'],
      ['startsAt', '2099-01-02 10:00'],
      ['endsAt', '2099-01-02 12:00'],
      ['messageEn', 'Email upgrade'],
      ['messageSw', 'Uboreshaji wa barua pepe'],
    ])
    assert.equal(good.statusCode, 303)
    const row = await t.database.db.selectFrom('status_maintenance').selectAll().executeTakeFirstOrThrow()
    assert.equal(row.starts_at.toISOString(), '2099-01-02T07:00:00.000Z', 'read as Nairobi time')
    const list = await t.app.inject({ url: '/admin/status', headers: { cookie: admin } })
    assert.match(list.body, /Email upgrade/)
    const audited = await t.database.db.selectFrom('audit_log').select('action').where('subject_id', '=', row.id).execute()
    assert.deepEqual(audited, [{ action: 'status.maintenance-schedule' }])

    const cancel = await submit('/admin/status', `/admin/status/maintenance/${row.id}/cancel`, [])
    assert.equal(cancel.statusCode, 303)
    assert.doesNotMatch((await t.app.inject({ url: '/admin/status', headers: { cookie: admin } })).body, /Email upgrade/)
    assert.doesNotMatch((await t.app.inject('/status')).body, /Email upgrade/, 'gone from the public page too')
    const again = await submit('/admin/status', `/admin/status/maintenance/${row.id}/cancel`, [])
    assert.equal(again.statusCode, 404, 'cancelled once')
    const actions = await t.database.db.selectFrom('audit_log').select('action').where('subject_id', '=', row.id).orderBy('id').execute()
    assert.deepEqual(actions.map((a) => a.action), ['status.maintenance-schedule', 'status.maintenance-cancel'])
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
