import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createAccount } from '../../../test/helpers/accounts.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { Invalid } from '../../platform/http/errors.js'
import { expiryDate, todayInKenya } from '../services/dates.js'
import { checkCredential } from './credential.js'
import { DocumentsService } from './service.js'
import { findDocument } from './store.js'
import { documentsTestApp, issue, registerBusiness, registerPerson, submittedApplication, type DocumentsTestApp } from './test-support.js'

const value = (fields: { id: string; value: { en: string; sw: string } | null }[], id: string) => fields.find((field) => field.id === id)?.value

describe(`issuing documents on ${TEST_ENGINE}`, () => {
  let t: DocumentsTestApp
  let citizen: Awaited<ReturnType<typeof createAccount>>
  before(async () => {
    t = await documentsTestApp()
    citizen = await createAccount(t.database.db)
    await registerPerson(t.database.db, { idNumber: citizen.id_number!, firstName: 'Achieng', lastName: 'Otieno', dateOfBirth: '1990-05-17' })
  })
  after(() => t.close())

  it('takes each field from where the definition says: answers, subject, applicant, application, officer', async () => {
    const application = await submittedApplication(t, { accountId: citizen.id, answers: { period: '3', classes: ['A', 'B'] } })
    const number = await issue(t, application, { officerFields: { licenceNumber: '  DL-123456 ' } })
    assert.match(number, /^LIC-[2-9][2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{4}$/)
    const document = (await findDocument(t.database.db, number))!
    assert.equal(document.agency_code, 'NTSA')
    assert.equal(document.kind, 'licence')
    assert.equal(document.title_en, 'Test driving licence')
    assert.equal(document.title_sw, 'Leseni ya udereva ya majaribio')
    assert.equal(document.holder_name, 'Achieng Otieno')
    assert.equal(document.application_id, application.id)
    assert.deepEqual(value(document.fields, 'licenceNumber'), { en: 'DL-123456', sw: 'DL-123456' })
    assert.deepEqual(value(document.fields, 'holder'), { en: 'Achieng Otieno', sw: 'Achieng Otieno' })
    assert.deepEqual(value(document.fields, 'idNumber'), { en: citizen.id_number, sw: citizen.id_number })
    assert.deepEqual(value(document.fields, 'born'), { en: '17/05/1990', sw: '17/05/1990' }, 'from the register')
    assert.deepEqual(value(document.fields, 'nationality'), { en: 'Kenya', sw: 'Kenya' })
    assert.equal(value(document.fields, 'passport'), null)
    assert.equal(value(document.fields, 'business'), null, 'not a business application')
    assert.deepEqual(value(document.fields, 'applicant'), { en: 'Achieng Otieno', sw: 'Achieng Otieno' })
    assert.deepEqual(value(document.fields, 'reference'), { en: application.reference, sw: application.reference })
    assert.deepEqual(value(document.fields, 'submitted'), { en: '02/03/2026', sw: '02/03/2026' })
    assert.deepEqual(value(document.fields, 'classes'), { en: 'Motorcycles, Cars', sw: 'Pikipiki, Magari' }, 'option labels, in both languages')
    assert.deepEqual(value(document.fields, 'period'), { en: 'Three years', sw: 'Miaka mitatu' })
    assert.equal(value(document.fields, 'note'), null, 'an optional question left unanswered')
    const signed = await checkCredential(document.credential, (kid) => t.documents.deps.keys.publicKey(kid, true))
    assert.ok(signed.genuine)
    assert.equal(signed.kid, document.signing_key_id)
    assert.deepEqual(Object.keys(signed.claims).sort(), ['agency', 'holder', 'iat', 'iss', 'kind', 'num', 'title', 'validFrom', 'validUntil'])
    assert.equal(signed.claims.num, number)
    assert.doesNotMatch(document.credential, new RegExp(citizen.id_number!), 'the credential never carries the ID number')
    assert.doesNotMatch(JSON.stringify(signed.claims), new RegExp(`${citizen.id_number}|1990`), 'nor the date of birth')
  })

  it('works out validity: a period chosen by an answer, a fixed one, or none', async () => {
    const today = todayInKenya()
    const one = await issue(t, await submittedApplication(t, { accountId: citizen.id, answers: { period: '1', classes: ['B'] } }))
    const three = await issue(t, await submittedApplication(t, { accountId: citizen.id, answers: { period: '3', classes: ['B'] } }))
    const six = await issue(t, await submittedApplication(t, { accountId: citizen.id, slug: 'test-permit' }))
    const forever = await issue(t, await submittedApplication(t, { accountId: citizen.id, slug: 'test-forever' }))
    const read = async (number: string) => (await findDocument(t.database.db, number))!
    assert.equal((await read(one)).valid_from, today)
    assert.equal((await read(one)).valid_until, expiryDate(today, { years: 1 }))
    assert.equal((await read(three)).valid_until, expiryDate(today, { years: 3 }))
    assert.equal((await read(six)).valid_until, expiryDate(today, { months: 6 }))
    assert.equal((await read(forever)).valid_until, null, 'no validity: it does not expire')
    // The last valid day is the day before the period has passed.
    assert.equal(expiryDate('2026-03-01', { years: 1 }), '2027-02-28')
  })

  it('refuses missing officer fields by their ids, writing nothing, so the officer can fill them in', async () => {
    const application = await submittedApplication(t, { accountId: citizen.id })
    const attempts: Record<string, string>[] = [{}, { licenceNumber: '   ' }, { other: 'x' }]
    for (const officerFields of attempts) {
      await assert.rejects(
        () => issue(t, application, { officerFields }),
        (error: unknown) => error instanceof Invalid && Object.keys(error.fields).join() === 'licenceNumber' && error.fields.licenceNumber!.key === 'documents.errors.officerField',
      )
    }
    await assert.rejects(() => issue(t, application, { officerFields: { licenceNumber: 'x'.repeat(201) } }), Invalid)
    // The decision rolled back with it: no document, and the application still waits.
    const rows = await t.database.db.selectFrom('issued_documents').select('id').where('application_id', '=', application.id).execute()
    assert.equal(rows.length, 0)
    const still = await t.database.db.selectFrom('applications').select('stage').where('id', '=', application.id).executeTakeFirstOrThrow()
    assert.equal(still.stage, 'submitted')
  })

  it('answers a second issue for the same application with the first document', async () => {
    const application = await submittedApplication(t, { accountId: citizen.id })
    const number = await issue(t, application)
    const definition = t.app.modules.catalogue.latest('test-licence')!
    const again = await t.database.db.transaction().execute((trx) => t.documents.issue(trx, { application, definition, officerFields: { licenceNumber: 'DL-2' }, issuedBy: citizen.id }))
    assert.equal(again.number, number)
  })

  it('makes a dependant the subject and holder, from the register', async () => {
    await registerPerson(t.database.db, { firstName: 'Baraka', lastName: 'Otieno', dateOfBirth: '2015-08-09', birthCertificate: '7654321', parentIdNumber: citizen.id_number! })
    const application = await submittedApplication(t, { accountId: citizen.id, party: { kind: 'dependant', id: '7654321', name: 'Baraka Otieno' } })
    const document = (await findDocument(t.database.db, await issue(t, application)))!
    assert.equal(document.holder_name, 'Baraka Otieno')
    assert.deepEqual(value(document.fields, 'holder'), { en: 'Baraka Otieno', sw: 'Baraka Otieno' })
    assert.deepEqual(value(document.fields, 'born'), { en: '09/08/2015', sw: '09/08/2015' })
    assert.equal(value(document.fields, 'idNumber'), null, 'a child has no ID number')
    assert.deepEqual(value(document.fields, 'applicant'), { en: 'Achieng Otieno', sw: 'Achieng Otieno' }, 'the parent applied')
  })

  it('makes a business the holder, with its name and registration number', async () => {
    await registerBusiness(t.database.db, { number: 'PVT-DOCS001', name: 'Lakeside Haulage Limited', directorIdNumber: citizen.id_number!, accountId: citizen.id })
    const application = await submittedApplication(t, { accountId: citizen.id, party: { kind: 'business', id: 'PVT-DOCS001', name: 'Lakeside Haulage Limited' } })
    const document = (await findDocument(t.database.db, await issue(t, application)))!
    assert.equal(document.holder_name, 'Lakeside Haulage Limited')
    assert.deepEqual(value(document.fields, 'business'), { en: 'Lakeside Haulage Limited', sw: 'Lakeside Haulage Limited' })
    assert.deepEqual(value(document.fields, 'businessNumber'), { en: 'PVT-DOCS001', sw: 'PVT-DOCS001' })
    assert.deepEqual(value(document.fields, 'holder'), { en: 'Achieng Otieno', sw: 'Achieng Otieno' }, 'the subject is the director who applied')
  })

  it('takes a visitor’s nationality and passport number from their account', async () => {
    const visitor = await createAccount(t.database.db)
    await sql`update accounts set kind = 'visitor', id_number = null, passport_number = 'C01X00T47', nationality = 'DE' where id = ${visitor.id}`.execute(t.database.db)
    const document = (await findDocument(t.database.db, await issue(t, await submittedApplication(t, { accountId: visitor.id }))))!
    assert.deepEqual(value(document.fields, 'nationality'), { en: 'Germany', sw: 'Ujerumani' })
    assert.deepEqual(value(document.fields, 'passport'), { en: 'C01X00T47', sw: 'C01X00T47' })
    assert.equal(value(document.fields, 'born'), null, 'no register holds a visitor')
  })

  it('tells valid from expired by today’s date in Kenya', async () => {
    const number = await issue(t, await submittedApplication(t, { accountId: citizen.id, answers: { period: '1', classes: ['A'] } }))
    const document = (await findDocument(t.database.db, number))!
    const on = (today: string) => new DocumentsService({ ...t.documents.deps, today: () => today }).check(number)
    assert.equal((await on(document.valid_until!))!.state, 'valid', 'the last day is still valid')
    assert.equal((await on(expiryDate(document.valid_until!, { days: 2 })))!.state, 'expired')
    assert.equal(await t.documents.check('LIC-2222-2222'), undefined)
  })
})
