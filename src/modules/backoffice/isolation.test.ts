import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { PERMISSIONS, type Permission, type RouteAccess } from '../../platform/access/access.js'
import type { Role } from '../../platform/db/schema.js'
import { pinnedDefinition } from '../applications/status.js'
import { Client } from '../applications/test-support.js'
import { raiseInvoiceFor } from '../payments/invoices.js'
import { backofficeTestApp, staffMember, submitted, type BackofficeTestApp } from './test-support.js'

/** For each permission a back-office route may need, the agency role that has it (the least one). */
const ROLE_FOR: Partial<Record<Permission, Role>> = {
  'backoffice.queue': 'agency_officer',
  'backoffice.decide': 'agency_officer',
  'backoffice.supervise': 'agency_supervisor',
  'agency.admin': 'agency_admin',
}
/** Parameters that name no agency's record (a report's name is the same for every agency). */
const NOT_RECORDS = new Set(['name'])

/**
 * Every back-office route with a record in its address, asked by staff of another agency who hold the
 * route's permission: 404 for every one, as if the record did not exist, while its own agency finds it.
 * Routes join by being registered; a parameter nobody here knows how to make a record for fails the test.
 */
describe(`back-office records of one agency, asked for by another on ${TEST_ENGINE}`, () => {
  let t: BackofficeTestApp
  let routes: RouteAccess[]
  /** A real record of DIS for each kind of parameter. */
  const records: Record<string, string> = {}

  before(async () => {
    t = await backofficeTestApp()
    const params = (route: RouteAccess) => [...route.url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!)
    routes = t.app.routeAccess.filter((route) => route.url.startsWith('/backoffice') && route.method !== 'HEAD' && params(route).some((name) => !NOT_RECORDS.has(name)))
    const db = t.database.db
    const application = await submitted(t, { slug: 'ordinary-passport' })
    const staff = await createAccount(db, { role: 'agency_officer', agencyCode: 'DIS', secondFactor: 'totp' })
    const admin = await createAccount(db, { role: 'agency_admin', agencyCode: 'DIS', secondFactor: 'totp' })
    records.reference = application.reference
    records.accountId = staff.id
    await db.transaction().execute(async (trx) => {
      records.billReference = (await raiseInvoiceFor(trx, t.app.modules.catalogue, application)).billReference
      const definition = pinnedDefinition(t.app.modules.catalogue, application)
      records.number = (await t.app.modules.documents.issue(trx, { application, definition, officerFields: { passportNumber: 'AK0123456' }, issuedBy: admin.id })).number
    })
    const invitation = await db
      .insertInto('staff_invitations')
      .values({ agency_code: 'DIS', email: 'new.officer@immigration.example', role: 'agency_officer', token_hash: randomBytes(32).toString('hex'), invited_by: admin.id, expires_at: new Date(Date.now() + 86_400_000) })
      .returning('id')
      .executeTakeFirstOrThrow()
    records.invitationId = invitation.id
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  /** The route's address for DIS's records. */
  function pathOf(route: RouteAccess): string {
    return route.url.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
      const value = records[name]
      if (!value) throw new Error(`${route.method} ${route.url}: no record of another agency is made here for ":${name}"; add one`)
      return value
    })
  }

  async function clientFor(route: RouteAccess, agency: string): Promise<Client> {
    const role = ROLE_FOR[route.access as Permission]
    if (!role) throw new Error(`${route.method} ${route.url}: ${route.access} is not an agency permission`)
    const { client } = await staffMember(t, role, agency)
    // A page of their own first, as a browser would have: its form token goes with the post.
    await client.get(route.access === 'agency.admin' ? '/backoffice/admin' : '/backoffice')
    return client
  }

  it('finds back-office routes with records to check', () => {
    const names = new Set(routes.flatMap((route) => [...route.url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!)))
    assert.ok(names.has('reference'))
    assert.ok(routes.length >= 5)
    for (const route of routes) assert.ok(route.access in PERMISSIONS)
  })

  it('answers 404 to another agency\'s staff on every one, reading or writing', async () => {
    for (const route of routes) {
      const client = await clientFor(route, 'DCI')
      const url = pathOf(route)
      const response = route.method === 'GET' ? await client.get(url) : await client.post(url, {})
      assert.equal(response.statusCode, 404, `${route.method} ${url}`)
    }
  })

  it('while the agency\'s own staff find each record', async () => {
    for (const route of routes.filter((candidate) => candidate.method === 'GET')) {
      const client = await clientFor(route, 'DIS')
      const url = pathOf(route)
      const response = await client.get(url)
      assert.ok(response.statusCode === 200 || response.statusCode === 303, `${route.method} ${url}: ${response.statusCode}`)
    }
  })

  it('leaves the records as they were', async () => {
    const row = await t.database.db.selectFrom('applications').select(['stage', 'assignee_id']).where('reference', '=', records.reference!).executeTakeFirstOrThrow()
    assert.deepEqual(row, { stage: 'submitted', assignee_id: null })
    const notes = await t.database.db.selectFrom('case_notes').select('id').execute()
    assert.equal(notes.length, 0)
    const document = await t.database.db.selectFrom('issued_documents').select('revoked_at').where('number', '=', records.number!).executeTakeFirstOrThrow()
    assert.equal(document.revoked_at, null)
    const staff = await t.database.db.selectFrom('accounts').select(['role', 'deactivated_at']).where('id', '=', records.accountId!).executeTakeFirstOrThrow()
    assert.deepEqual(staff, { role: 'agency_officer', deactivated_at: null })
    const invitation = await t.database.db.selectFrom('staff_invitations').select('cancelled_at').where('id', '=', records.invitationId!).executeTakeFirstOrThrow()
    assert.equal(invitation.cancelled_at, null)
    const refunds = await t.database.db.selectFrom('invoices').select('refunded_cents').where('bill_reference', '=', records.billReference!).executeTakeFirstOrThrow()
    assert.equal(Number(refunds.refunded_cents), 0)
  })
})
