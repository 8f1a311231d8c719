import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { Client } from '../applications/test-support.js'
import { findDocument, type DocumentRow } from './store.js'
import { documentsTestApp, issue, registerPerson, submittedApplication, type DocumentsTestApp } from './test-support.js'

describe(`document pages on ${TEST_ENGINE}`, () => {
  let t: DocumentsTestApp
  let holder: Client
  let holderId: string
  let document: DocumentRow
  let reference: string
  let other: DocumentRow
  const staff = async (role: 'agency_admin' | 'agency_officer', agencyCode: string) => Client.signedIn(t, (await createAccount(t.database.db, { role, agencyCode, secondFactor: 'totp' })).id)
  const get = (url: string) => t.app.inject({ url })

  before(async () => {
    t = await documentsTestApp()
    const account = await createAccount(t.database.db)
    holderId = account.id
    await registerPerson(t.database.db, { idNumber: account.id_number!, firstName: 'Achieng', lastName: 'Otieno', dateOfBirth: '1990-05-17' })
    holder = await Client.signedIn(t, holderId)
    const application = await submittedApplication(t, { accountId: holderId })
    reference = application.reference
    document = (await findDocument(t.database.db, await issue(t, application, { officerFields: { licenceNumber: 'DL-778899' } })))!
    other = (await findDocument(t.database.db, await issue(t, await submittedApplication(t, { accountId: holderId }))))!
  })
  after(() => t.close())

  it('says a document is valid, showing only name, document, agency and dates', async () => {
    const page = await get(`/verify/${document.number.toLowerCase().replace(/-/g, ' ')}`)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /This document is valid/)
    assert.match(page.body, /Achieng Otieno/)
    assert.match(page.body, /Test driving licence/)
    assert.match(page.body, /National Transport and Safety Authority|NTSA/)
    assert.doesNotMatch(page.body, new RegExp(`DL-778899|1990|${reference}`), 'no field values, no application reference')
    const sw = await get(`/verify/${document.number}?lang=sw`)
    assert.match(sw.body, /Hati hii ni halali/)
    assert.match(sw.body, /Leseni ya udereva ya majaribio/)
  })

  it('checks the credential from the QR code: genuine, altered, forged, or another document’s', async () => {
    const genuine = await get(`/verify/${document.number}?c=${document.credential}`)
    assert.match(genuine.body, /The credential in the QR code is genuine/)
    const [header, payload, signature] = document.credential.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
    const altered = Buffer.from(JSON.stringify({ ...claims, validUntil: '2099-12-31' })).toString('base64url')
    assert.match((await get(`/verify/${document.number}?c=${header}.${altered}.${signature}`)).body, /The signature does not match/)
    const strangeKid = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'NeverUsedKey1234' })).toString('base64url')
    assert.match((await get(`/verify/${document.number}?c=${strangeKid}.${payload}.${signature}`)).body, /signed by a key we never used/)
    assert.match((await get(`/verify/${document.number}?c=${other.credential}`)).body, /The credential is for another document/)
    for (const garbage of ['x', '%00%ff', 'a.b.c', `${header}..${signature}`]) {
      const page = await get(`/verify/${document.number}?c=${garbage}`)
      assert.equal(page.statusCode, 200, garbage)
      assert.match(page.body, /could not be read/, garbage)
    }
    assert.match((await get(`/verify/${document.number}?c=a&c=b`)).body, /could not be read/)
    assert.match((await get(`/verify/${document.number}?c=${document.credential}&lang=sw`)).body, /ni halisi/)
  })

  it('answers unknown numbers and garbage with a 404 page, never an error', async () => {
    for (const number of ['LIC-2222-2222', 'LIC-2222-2223', 'nonsense', '%3Cscript%3E', 'x'.repeat(90), 'NTSA-2222-2222', '..%2F..%2Fetc']) {
      const page = await get(`/verify/${number}`)
      assert.equal(page.statusCode, 404, number)
      assert.match(page.body, /No such document or receipt/, number)
      assert.doesNotMatch(page.body, /<script>|at .*\.ts/, number)
    }
    assert.match((await get('/verify/LIC-2222-2222?lang=sw')).body, /Hakuna hati au risiti/)
    assert.ok((await get(`/verify/${'x'.repeat(5000)}`)).statusCode < 500)
    assert.deepEqual(serverErrors(t.logs), [])
  })

  it('says when a document has expired', async () => {
    const application = await submittedApplication(t, { accountId: holderId, answers: { period: '1', classes: ['A'] } })
    const number = await issue(t, application)
    // As if two years had passed since it was issued.
    await sql`update issued_documents set valid_from = '2020-01-01', valid_until = '2020-12-31' where number = ${number}`.execute(t.database.db)
    const page = await get(`/verify/${number}`)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /This document has expired/)
    assert.match(page.body, /31 December 2020/)
  })

  it('gives the PDF to the applicant only: others get 404', async () => {
    const url = `/applications/${reference.toLowerCase()}/document`
    const mine = await holder.get(url)
    assert.equal(mine.statusCode, 200)
    assert.equal(mine.headers['content-type'], 'application/pdf')
    assert.equal(mine.headers['content-disposition'], `attachment; filename="${document.number}.pdf"`)
    assert.equal(mine.rawPayload.subarray(0, 5).toString(), '%PDF-')
    assert.ok(mine.rawPayload.length > 2000)
    const stranger = await Client.signedIn(t, (await createAccount(t.database.db)).id)
    assert.equal((await stranger.get(url)).statusCode, 404)
    assert.equal((await holder.get('/applications/NTSA-2222-2222/document')).statusCode, 404)
    assert.equal((await holder.get('/applications/garbage/document')).statusCode, 404)
    assert.equal((await (await staff('agency_officer', 'NTSA')).get(url)).statusCode, 403, 'staff download from the back-office, not here')
    assert.equal((await get(url)).statusCode, 303, 'signed out: to sign in')
  })

  it('links the document from the application page and the dashboard', async () => {
    const page = await holder.get(`/applications/${document.application_id}`)
    assert.equal(page.statusCode, 200)
    assert.ok(page.body.includes(`href="/applications/${reference}/document"`), 'the application page links the PDF')
    const dashboard = await holder.get('/dashboard')
    assert.ok(dashboard.body.includes(`href="/applications/${reference}/document"`), 'the dashboard row links the PDF')
  })

  it('lets an agency admin find and revoke their own agency’s documents only, with a reason', async () => {
    const url = `/backoffice/documents/${other.number}/revoke`
    assert.equal((await (await staff('agency_admin', 'DIS')).get(url)).statusCode, 404, 'another agency’s admin')
    assert.equal((await (await staff('agency_officer', 'NTSA')).get(url)).statusCode, 403, 'an officer')
    assert.equal((await holder.get(url)).statusCode, 403)
    const admin = await staff('agency_admin', 'NTSA')
    const list = await admin.get('/backoffice/documents')
    assert.equal(list.statusCode, 200)
    assert.ok(list.body.includes(`href="/backoffice/documents/${other.number}/revoke"`))
    assert.ok(list.body.includes('backoffice-navigation'), 'in the back-office layout')
    const found = await admin.get(`/backoffice/documents?number=${other.number.toLowerCase()}`)
    assert.equal(found.headers.location, url)
    assert.match((await admin.get('/backoffice/documents?number=LIC-2222-2222')).body, /has issued no document numbered/)
    assert.equal((await admin.get(url)).statusCode, 200)
    const blank = await admin.post(url, { reason: '', note: '  ' })
    assert.equal(blank.statusCode, 400)
    assert.match(blank.body, /Select why the document is revoked/)
    assert.match(blank.body, /Enter an explanation for the holder/)
    const noNote = await admin.post(url, { reason: 'issued-in-error', note: '' })
    assert.equal(noNote.statusCode, 400)
    assert.match(noNote.body, /value="issued-in-error" checked/, 'the choice is kept')
    const otherAdmin = await staff('agency_admin', 'DIS')
    await otherAdmin.get('/backoffice/documents')
    assert.equal((await otherAdmin.post(url, { reason: 'fraud', note: 'x' })).statusCode, 404)
    assert.doesNotMatch((await otherAdmin.get('/backoffice/documents')).body, new RegExp(other.number), 'nor listed')
    const done = await admin.post(url, { reason: 'issued-in-error', note: 'The holder’s name was misspelt; a new licence follows.' })
    assert.equal(done.statusCode, 303)
    assert.equal(done.headers.location, `${url}?done=1`)
    assert.match((await admin.get(`${url}?done=1`)).body, /The document was revoked and the holder has been told/)

    const check = await get(`/verify/${other.number}?c=${other.credential}`)
    assert.match(check.body, /This document has been revoked/)
    assert.match(check.body, /Issued in error/)
    assert.doesNotMatch(check.body, /misspelt/, 'the note is for the holder, not the public')
    assert.match(check.body, /The credential in the QR code is genuine/, 'genuine, and revoked')
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'subject_id', 'details']).where('action', '=', 'document.revoked').execute()
    assert.deepEqual(audit.map((row) => [row.subject_id, row.details]), [[other.number, { reason: 'issued-in-error' }]])
    const told = await t.database.db.selectFrom('notifications').select(['channel', 'body']).where('template', '=', 'document-revoked').execute()
    assert.deepEqual(told.map((row) => row.channel).sort(), ['email', 'sms'])
    assert.match(told[0]!.body, /Issued in error\. The holder’s name was misspelt/)
    const again = await admin.post(url, { reason: 'fraud', note: 'Again' })
    assert.equal(again.statusCode, 303, 'revoking twice changes nothing')
    assert.equal((await findDocument(t.database.db, other.number))!.revocation_reason, 'issued-in-error')
    // A revoked document is no longer offered to download.
    const revokedReference = (await t.database.db.selectFrom('applications').select('reference').where('id', '=', other.application_id).executeTakeFirstOrThrow()).reference
    assert.equal((await holder.get(`/applications/${revokedReference}/document`)).statusCode, 404)
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
