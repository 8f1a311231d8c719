import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { Browser, codeIn, createAccount, lastMessageTo, signedInCookie, TEST_PASSWORD } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import type { Role } from '../../platform/db/schema.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { TEMPLATES } from '../notifications/templates.js'
import { INVITATION_HOURS } from './invitations.js'

const NEW_PASSWORD = 'river lantern copper meadow'

describe(`agency staff administration on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
    await upsertAgencies(t.database.db, DEMO_AGENCIES)
  })
  after(() => t.close())

  /** A browser signed in as a new account of that role (with an authenticator app, as staff must have). */
  async function staffBrowser(role: Role, agencyCode: string) {
    const account = await createAccount(t.database.db, { role, agencyCode, secondFactor: 'totp' })
    const browser = new Browser(t.app)
    browser.cookies.set('session', (await signedInCookie(t.database.db, account.id)).split('=')[1]!)
    return { account, browser }
  }

  const account = (id: string) => t.database.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const auditOf = (subjectId: string) =>
    t.database.db.selectFrom('audit_log').select(['action', 'outcome', 'details']).where('subject_id', '=', subjectId).orderBy('id').execute()
  const linkIn = (message: string) => /\/staff-invitation\/([A-Za-z0-9_-]{40,})/.exec(message)?.[1]

  it('invites by email; the invitee chooses a name, phone and password, signs in and must set up an authenticator', async () => {
    const { browser: admin } = await staffBrowser('agency_admin', 'DIS')
    const sent = await admin.submit('/backoffice/admin/staff/invite', '/backoffice/admin/staff/invite', { email: 'Njeri.Kamau@immigration.example', role: 'agency_supervisor' })
    assert.equal(sent.statusCode, 303)
    assert.equal(sent.headers.location, '/backoffice/admin/staff?done=invited')
    const list = await admin.get('/backoffice/admin/staff?done=invited')
    assert.match(list.body, /Invitation sent/)
    assert.match(list.body, /Njeri\.Kamau@immigration\.example<\/td>\s*<td class="govuk-table__cell">Supervisor/)

    const email = await lastMessageTo(t.database.db, 'Njeri.Kamau@immigration.example')
    assert.match(email, /Department of Immigration Services/)
    assert.match(email, new RegExp(`within ${INVITATION_HOURS} hours`))
    const token = linkIn(email)
    assert.ok(token, 'the email carries the link')
    const row = await t.database.db.selectFrom('staff_invitations').selectAll().where('email', '=', 'Njeri.Kamau@immigration.example').executeTakeFirstOrThrow()
    assert.equal(row.token_hash, createHash('sha256').update(token).digest('hex'), 'only the hash is stored')
    assert.ok(Math.abs(row.expires_at.getTime() - Date.now() - INVITATION_HOURS * 3_600_000) < 60_000)

    const invitee = new Browser(t.app)
    const form = await invitee.get(`/staff-invitation/${token}`)
    assert.equal(form.statusCode, 200)
    assert.match(form.body, /join Department of Immigration Services as: Supervisor/)
    const weak = await invitee.submit(`/staff-invitation/${token}`, `/staff-invitation/${token}`, { firstName: 'Njeri', lastName: 'Kamau', phone: '0722 000 111', password: 'short' })
    assert.equal(weak.statusCode, 400)
    assert.match(weak.body, /at least 8 characters/)
    assert.match(weak.body, /value="Njeri"/, 'what was typed is kept')
    assert.match(weak.body, /value="0722 000 111"/)
    const done = await invitee.submit(`/staff-invitation/${token}`, `/staff-invitation/${token}`, { firstName: 'Njeri', lastName: 'Kamau', phone: '0722 000 111', password: NEW_PASSWORD })
    assert.equal(done.headers.location, '/staff-invitation/accepted')
    assert.match((await invitee.get('/staff-invitation/accepted')).body, /Your staff account is ready/)

    const created = await t.database.db.selectFrom('accounts').selectAll().where('email', '=', 'Njeri.Kamau@immigration.example').executeTakeFirstOrThrow()
    assert.deepEqual([created.kind, created.role, created.agency_code, created.phone, created.second_factor], ['staff', 'agency_supervisor', 'DIS', '+254722000111', 'email'])
    assert.ok(created.email_verified_at)
    const again = await invitee.get(`/staff-invitation/${token}`)
    assert.equal(again.statusCode, 410, 'the link works once')
    assert.match(again.body, /already been accepted/)

    const person = new Browser(t.app)
    const signIn = await person.submit('/sign-in', '/sign-in', { name: 'njeri.kamau@immigration.example', password: NEW_PASSWORD })
    assert.equal(signIn.headers.location, '/sign-in/code')
    const code = codeIn(await lastMessageTo(t.database.db, 'Njeri.Kamau@immigration.example'))
    assert.equal((await person.submit('/sign-in/code', '/sign-in/code', { code })).headers.location, '/dashboard')
    assert.equal((await person.get('/dashboard')).headers.location, '/account/authenticator', 'staff set up an authenticator app first')
    assert.deepEqual((await auditOf(created.id)).map((entry) => entry.action).filter((action) => action.startsWith('account.')), ['account.create-staff'])
    assert.deepEqual((await auditOf(row.id)).map((entry) => entry.action), ['staff.invited'])
  })

  it('refuses expired, cancelled, replaced and unknown links, and addresses that already have an account', async () => {
    const { browser: admin, account: adminAccount } = await staffBrowser('agency_admin', 'DIS')
    const invite = (email: string) => admin.submit('/backoffice/admin/staff/invite', '/backoffice/admin/staff/invite', { email, role: 'agency_officer' })
    await invite('otieno@immigration.example')
    const first = linkIn(await lastMessageTo(t.database.db, 'otieno@immigration.example'))!
    await invite('otieno@immigration.example')
    const second = linkIn(await lastMessageTo(t.database.db, 'otieno@immigration.example'))!
    assert.notEqual(first, second)
    const replaced = await new Browser(t.app).get(`/staff-invitation/${first}`)
    assert.equal(replaced.statusCode, 410)
    assert.match(replaced.body, /was cancelled/)

    await sql`update staff_invitations set expires_at = now() - interval '1 minute' where email = 'otieno@immigration.example' and cancelled_at is null`.execute(t.database.db)
    const invitee = new Browser(t.app)
    const expired = await invitee.get(`/staff-invitation/${second}`)
    assert.equal(expired.statusCode, 410)
    assert.match(expired.body, /has expired/)
    const late = await invitee.post(`/staff-invitation/${second}`, { _csrf: /name="_csrf" value="([^"]+)"/.exec((await invitee.get('/feedback')).body)![1]!, firstName: 'Otieno', lastName: 'Ouma', phone: '0722000222', password: NEW_PASSWORD })
    assert.equal(late.statusCode, 410)
    assert.equal(await t.database.db.selectFrom('accounts').select('id').where('email', '=', 'otieno@immigration.example').executeTakeFirst(), undefined)

    await invite('wambui@immigration.example')
    const cancelledToken = linkIn(await lastMessageTo(t.database.db, 'wambui@immigration.example'))!
    const open = await t.database.db.selectFrom('staff_invitations').select('id').where('email', '=', 'wambui@immigration.example').executeTakeFirstOrThrow()
    const cancel = await admin.submit('/backoffice/admin/staff', `/backoffice/admin/invitations/${open.id}/cancel`, {})
    assert.equal(cancel.headers.location, '/backoffice/admin/staff?done=cancelled')
    assert.equal((await new Browser(t.app).get(`/staff-invitation/${cancelledToken}`)).statusCode, 410)
    assert.deepEqual((await auditOf(open.id)).map((entry) => entry.action), ['staff.invited', 'staff.invitation-cancelled'])

    assert.equal((await new Browser(t.app).get('/staff-invitation/not-a-real-token')).statusCode, 410)
    const taken = await invite(adminAccount.email.toUpperCase())
    assert.equal(taken.statusCode, 400)
    assert.match(taken.body, /An account already uses this email address/)
    const badRole = await admin.submit('/backoffice/admin/staff/invite', '/backoffice/admin/staff/invite', { email: 'x@immigration.example', role: 'platform_admin' })
    assert.equal(badRole.statusCode, 400)
    assert.match(badRole.body, /Choose a role/)
  })

  it('changes a role within the agency, signing the person out, audited', async () => {
    const { browser: admin } = await staffBrowser('agency_admin', 'DIS')
    const { account: officer, browser: officerBrowser } = await staffBrowser('agency_officer', 'DIS')
    const page = `/backoffice/admin/staff/${officer.id}`
    const refused = await admin.submit(page, `${page}/role`, { role: 'platform_admin' })
    assert.equal(refused.statusCode, 400)
    assert.match(refused.body, /Choose one of the agency roles/)
    assert.equal((await account(officer.id)).role, 'agency_officer')

    const changed = await admin.submit(page, `${page}/role`, { role: 'agency_supervisor' })
    assert.equal(changed.headers.location, `${page}?done=role`)
    assert.equal((await account(officer.id)).role, 'agency_supervisor')
    assert.equal((await officerBrowser.get('/dashboard')).headers.location, '/sign-in', 'they are signed out')
    const entries = await auditOf(officer.id)
    const change = entries.find((entry) => entry.action === 'account.role-change')
    assert.deepEqual([change?.outcome, change?.details.from, change?.details.to], ['success', 'agency_officer', 'agency_supervisor'])
  })

  it('deactivates an account: signed out everywhere and sign-in refused, until it is reactivated', async () => {
    const { browser: admin } = await staffBrowser('agency_admin', 'DIS')
    const { account: officer, browser: officerBrowser } = await staffBrowser('agency_officer', 'DIS')
    assert.equal((await officerBrowser.get('/dashboard')).statusCode, 200)
    const page = `/backoffice/admin/staff/${officer.id}`
    const off = await admin.submit(page, `${page}/deactivate`, {})
    assert.equal(off.headers.location, `${page}?done=deactivated`)
    assert.ok((await account(officer.id)).deactivated_at)
    assert.equal((await officerBrowser.get('/dashboard')).headers.location, '/sign-in', 'they are signed out')
    const live = await t.database.db.selectFrom('sessions').select('token_hash').where('account_id', '=', officer.id).where('revoked_at', 'is', null).execute()
    assert.deepEqual(live, [])

    const attempt = await new Browser(t.app).submit('/sign-in', '/sign-in', { name: officer.email, password: TEST_PASSWORD })
    assert.equal(attempt.statusCode, 400, 'a deactivated account cannot sign in')
    assert.match(attempt.body, /The details you entered are not right/)
    assert.match((await admin.get('/backoffice/admin/staff')).body, /Deactivated/)

    const on = await admin.submit(page, `${page}/reactivate`, {})
    assert.equal(on.headers.location, `${page}?done=reactivated`)
    assert.equal((await account(officer.id)).deactivated_at, null)
    const back = await new Browser(t.app).submit('/sign-in', '/sign-in', { name: officer.email, password: TEST_PASSWORD })
    assert.equal(back.headers.location, '/sign-in/code')
    const actions = (await auditOf(officer.id)).map((entry) => `${entry.action}:${entry.outcome}`)
    assert.deepEqual(actions.filter((action) => action.startsWith('account.')), ['account.deactivated:success', 'account.reactivated:success'])
    assert.ok(actions.includes('sign-in.password:denied'))
  })

  it('keeps at least one active admin, and an admin cannot deactivate themselves', async () => {
    const { browser: first, account: firstAdmin } = await staffBrowser('agency_admin', 'NTSA')
    const own = `/backoffice/admin/staff/${firstAdmin.id}`
    const demoteSelf = await first.submit(own, `${own}/role`, { role: 'agency_officer' })
    assert.equal(demoteSelf.statusCode, 400)
    assert.match(demoteSelf.body, /must keep at least one active administrator/)
    assert.equal((await account(firstAdmin.id)).role, 'agency_admin')
    const offSelf = await first.post(`${own}/deactivate`, { _csrf: /name="_csrf" value="([^"]+)"/.exec((await first.get(own)).body)![1]! })
    assert.equal(offSelf.statusCode, 400)
    assert.match(offSelf.body, /You cannot deactivate your own account/)
    assert.equal((await account(firstAdmin.id)).deactivated_at, null)
    assert.deepEqual((await auditOf(firstAdmin.id)).map((entry) => `${entry.action}:${entry.outcome}:${String(entry.details.reason)}`), [
      'account.role-change:denied:lastAdmin',
      'account.deactivated:denied:self',
    ])

    // With a second admin, the first may step down; the second, now the last, may not.
    const { browser: second, account: secondAdmin } = await staffBrowser('agency_admin', 'NTSA')
    assert.equal((await first.submit(own, `${own}/role`, { role: 'agency_officer' })).headers.location, `${own}?done=role`)
    const theirs = `/backoffice/admin/staff/${secondAdmin.id}`
    assert.equal((await second.submit(theirs, `${theirs}/role`, { role: 'agency_supervisor' })).statusCode, 400)
    // A deactivated admin does not count: the last active one still cannot go.
    await second.submit(own, `${own}/role`, { role: 'agency_admin' })
    await second.submit(own, `${own}/deactivate`, {})
    assert.equal((await second.submit(theirs, `${theirs}/role`, { role: 'agency_officer' })).statusCode, 400)
    assert.equal((await account(secondAdmin.id)).role, 'agency_admin')
  })

  it('answers 404 to another agency’s admin on every route with a record, and changes nothing', async () => {
    const { browser: disAdmin } = await staffBrowser('agency_admin', 'DIS')
    const { account: disOfficer } = await staffBrowser('agency_officer', 'DIS')
    await disAdmin.submit('/backoffice/admin/staff/invite', '/backoffice/admin/staff/invite', { email: 'kiprop@immigration.example', role: 'agency_officer' })
    const invitation = await t.database.db.selectFrom('staff_invitations').select('id').where('email', '=', 'kiprop@immigration.example').executeTakeFirstOrThrow()
    const { browser: crsAdmin } = await staffBrowser('agency_admin', 'CRS')
    const withRecord = t.app.routeAccess.filter((route) => route.access === 'agency.admin' && /:(accountId|invitationId)/.test(route.url) && route.method !== 'HEAD')
    assert.ok(withRecord.length >= 5, withRecord.map((route) => route.url).join(', '))
    for (const route of withRecord) {
      const url = route.url.replace(':accountId', disOfficer.id).replace(':invitationId', invitation.id)
      const response = route.method === 'GET' ? await crsAdmin.get(url) : await crsAdmin.submit('/backoffice/admin/staff', url, { role: 'agency_admin' })
      assert.equal(response.statusCode, 404, `${route.method} ${url}`)
    }
    const after = await account(disOfficer.id)
    assert.deepEqual([after.role, after.deactivated_at], ['agency_officer', null])
    const still = await t.database.db.selectFrom('staff_invitations').select('cancelled_at').where('id', '=', invitation.id).executeTakeFirstOrThrow()
    assert.equal(still.cancelled_at, null)
    assert.doesNotMatch((await crsAdmin.get('/backoffice/admin/staff')).body, new RegExp(disOfficer.email))
  })

  it('answers 403 to officers and supervisors on every admin route', async () => {
    const routes = t.app.routeAccess.filter((route) => route.access === 'agency.admin' && route.url.startsWith('/backoffice/admin') && route.method !== 'HEAD')
    assert.ok(routes.length >= 10)
    const { account: member } = await staffBrowser('agency_officer', 'DIS')
    for (const role of ['agency_officer', 'agency_supervisor'] as const) {
      const { browser } = await staffBrowser(role, 'DIS')
      for (const route of routes) {
        const url = route.url.replace(/:(accountId|invitationId)/, member.id).replace(':name', 'sla')
        const response = route.method === 'GET' ? await browser.get(url) : await browser.submit('/feedback', url, { role: 'agency_admin' })
        assert.equal(response.statusCode, 403, `${role} ${route.method} ${url}`)
      }
    }
    assert.equal((await account(member.id)).role, 'agency_officer')
  })

  it('shows the area inside the back-office navigation, with links to its own pages', async () => {
    const { browser } = await staffBrowser('agency_admin', 'DIS')
    const home = await browser.get('/backoffice/admin')
    assert.equal(home.statusCode, 200)
    assert.match(home.body, /id="backoffice-navigation"/)
    assert.match(home.body, /<nav aria-label="Agency administration"/)
    for (const href of ['/backoffice/admin/staff', '/backoffice/admin/reports', '/backoffice/admin/settlement']) assert.match(home.body, new RegExp(`href="${href}"`))
    assert.match((await browser.get('/backoffice/admin?lang=sw')).body, /Usimamizi wa taasisi/)
  })

  it('says 72 hours in the invitation email in both languages, as the link lasts', () => {
    assert.equal(INVITATION_HOURS, 72)
    assert.match(TEMPLATES['staff-invitation'].en.text, /72 hours/)
    assert.match(TEMPLATES['staff-invitation'].sw.text, /saa 72/)
  })

  it('logs no server error', () => {
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
