import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { Client } from '../applications/test-support.js'
import { findApplication, listEvents, type Application } from '../applications/store.js'
import { addWorkingDays, workingDaysBetween } from '../applications/working-days.js'
import { addDays, generateSlots, nairobiDate, seedOffices } from '../appointments/offices.js'
import { todayInKenya } from '../services/dates.js'
import { backofficeTestApp, caseUrl, moveTo, staffMember, submitted, versionOn, type BackofficeTestApp, type StaffClient } from './test-support.js'

describe(`back-office decisions on ${TEST_ENGINE}`, () => {
  let t: BackofficeTestApp
  let dciOfficer: StaffClient
  let dciSupervisor: StaffClient
  let disOfficer: StaffClient
  let disSupervisor: StaffClient

  before(async () => {
    t = await backofficeTestApp()
    dciOfficer = await staffMember(t, 'agency_officer', 'DCI')
    dciSupervisor = await staffMember(t, 'agency_supervisor', 'DCI')
    disOfficer = await staffMember(t, 'agency_officer', 'DIS')
    disSupervisor = await staffMember(t, 'agency_supervisor', 'DIS')
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  /** Opens the case page, then posts the action form for `to` with the page's version. */
  async function act(staff: StaffClient, application: Application, to: string, fields: Record<string, string> = {}) {
    const page = await staff.client.get(caseUrl(application))
    assert.equal(page.statusCode, 200)
    return staff.client.post(`${caseUrl(application)}/decide`, { to, version: versionOn(page), note: '', ...fields })
  }

  const current = async (application: Application) => (await findApplication(t.database.db, application.id))!
  const auditOf = (application: Application, action: string) =>
    t.database.db.selectFrom('audit_log').select(['outcome', 'actor_id', 'actor_role', 'details']).where('subject_type', '=', 'application').where('subject_id', '=', application.id).where('action', '=', action).orderBy('id').execute()

  it('moves a case on: the timeline names the officer, the applicant is told, and the audit log has it, in one go', async () => {
    const application = await submitted(t, { slug: 'certificate-of-good-conduct' })
    const response = await act(dciOfficer, application, 'fingerprints')
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, `${caseUrl(application)}?done=decided`)
    const moved = await current(application)
    assert.equal(moved.stage, 'fingerprints')
    assert.equal(moved.status, 'action-needed')
    const events = await t.database.db.selectFrom('application_events').selectAll().where('application_id', '=', application.id).orderBy('at').execute()
    const last = events.at(-1)!
    assert.deepEqual([last.actor_kind, last.actor_account_id, last.stage_from, last.stage_to], ['agency', dciOfficer.id, 'submitted', 'fingerprints'])
    const notices = await t.database.db.selectFrom('notifications').select('channel').where('idempotency_key', 'like', `application:${last.id}:%`).execute()
    assert.deepEqual(notices.map((notice) => notice.channel).sort(), ['email', 'sms'])
    const audited = await auditOf(application, 'backoffice.decision')
    assert.equal(audited.length, 1)
    assert.deepEqual([audited[0]!.outcome, audited[0]!.actor_id, audited[0]!.actor_role], ['success', dciOfficer.id, 'agency_officer'])
    assert.equal(audited[0]!.details.to, 'fingerprints')
    const page = await dciOfficer.client.get(`${caseUrl(application)}?done=decided`)
    assert.match(page.body, /Your decision is saved and the applicant has been told/)
    assert.ok(page.body.includes(`${dciOfficer.name} (Officer)`), 'the timeline names the officer for staff')
  })

  it('refuses a blank reason at its field and changes nothing; with a reason, the applicant reads it', async () => {
    const application = await submitted(t, { slug: 'certificate-of-good-conduct' })
    const blank = await act(dciSupervisor, application, 'rejected', { note: '   ' })
    assert.equal(blank.statusCode, 400)
    assert.match(blank.body, /There is a problem/)
    assert.match(blank.body, /href="#note-rejected">Write the reason the applicant will read/)
    assert.match(blank.body, /id="note-rejected-error"/)
    assert.equal((await current(application)).stage, 'submitted')
    assert.equal((await auditOf(application, 'backoffice.decision'))[0]?.outcome, 'failure')

    const reason = 'The identity document does not match the applicant.'
    const rejected = await dciSupervisor.client.post(`${caseUrl(application)}/decide`, { to: 'rejected', version: versionOn(blank), note: reason })
    assert.equal(rejected.statusCode, 303)
    const done = await current(application)
    assert.deepEqual([done.status, done.outcome], ['completed', 'rejected'])
    const applicant = await Client.signedIn(t, application.account_id)
    const page = await applicant.get(`/applications/${application.id}`)
    assert.ok(page.body.includes(reason))
  })

  it('asks the applicant for more: the SLA stops, and resumes with the working days that were left when they answer', async () => {
    const application = await submitted(t, { slug: 'ordinary-passport' })
    const today = todayInKenya()
    const deadline = addWorkingDays(today, 5)
    await t.database.db.updateTable('applications').set({ expected_by: deadline }).where('id', '=', application.id).execute()
    const response = await act(disOfficer, application, 'returned', { note: 'The photo is not clear: upload another.' })
    assert.equal(response.statusCode, 303)
    const waiting = await current(application)
    assert.deepEqual([waiting.stage, waiting.status, waiting.expected_by], ['returned', 'action-needed', null])
    assert.deepEqual([waiting.sla_paused_stage, waiting.sla_remaining_days], ['submitted', workingDaysBetween(today, deadline)])
    const page = await disOfficer.client.get(caseUrl(application))
    assert.match(page.body, /Paused since .* 5 working days of &quot;Submitted&quot; are left/)

    // The applicant answers from their application's page: the request in the agency's words, a reply
    // required, and the clock resumes from where it stopped, not from the stage's full SLA.
    const applicant = await Client.signedIn(t, application.account_id)
    const own = await applicant.get(`/applications/${application.id}`)
    assert.ok(own.body.includes(`href="/applications/${application.id}/respond/submitted"`), 'the way to answer is on the page')
    const form = await applicant.get(`/applications/${application.id}/respond/submitted`)
    assert.match(form.body, /The photo is not clear: upload another\./)
    const blank = await applicant.post(`/applications/${application.id}/respond/submitted`, { reply: '  ' })
    assert.equal(blank.statusCode, 400)
    assert.match(blank.body, /Enter your reply to the agency/)
    assert.equal((await current(application)).stage, 'returned', 'nothing sent')
    const sent = await applicant.post(`/applications/${application.id}/respond/submitted`, { reply: 'A new photo is uploaded.' })
    assert.equal(sent.headers.location, `/applications/${application.id}?sent=1`)
    const answered = await current(application)
    assert.equal(answered.stage, 'submitted')
    const events = await listEvents(t.database.db, application.id)
    assert.equal(events.at(-1)!.note, 'A new photo is uploaded.')
    assert.equal(answered.expected_by, addWorkingDays(today, 5))
    assert.notEqual(answered.expected_by, addWorkingDays(today, 2), 'not the stage\'s own 2 days')
    assert.deepEqual([answered.sla_paused_stage, answered.sla_remaining_days, answered.sla_paused_at], [null, null, null])
  })

  it('records an appointment\'s outcome as the way out of its stage, showing the booking beside it', async () => {
    const application = await moveTo(t, await submitted(t, { slug: 'certificate-of-good-conduct' }), 'fingerprints', { kind: 'agency', accountId: dciOfficer.id, role: 'agency_officer' })
    await seedOffices(t.database.db)
    await generateSlots(t.database.db, { fromDate: addDays(nairobiDate(), 1), days: 7 })
    const slot = await t.database.db.selectFrom('appointment_slots').select('id').where('agency_code', '=', 'DCI').where('service_slug', '=', 'certificate-of-good-conduct').orderBy('starts_at').executeTakeFirstOrThrow()
    const booking = await t.app.modules.appointments.book({ id: application.id, agency: 'DCI', serviceSlug: 'certificate-of-good-conduct', accountId: application.account_id }, slot.id)
    const page = await dciOfficer.client.get(caseUrl(application))
    assert.match(page.body, /Record the outcome of the appointment \(Fingerprints taken on form C24\)/)
    assert.ok(page.body.includes(booking.code), 'the booking code beside the outcome')
    assert.match(page.body, /Fingerprints taken/)
    const response = await dciOfficer.client.post(`${caseUrl(application)}/decide`, { to: 'vetting', version: versionOn(page) })
    assert.equal(response.statusCode, 303)
    const vetting = await current(application)
    assert.deepEqual([vetting.stage, vetting.expected_by], ['vetting', addWorkingDays(todayInKenya(), 15)])
  })

  it('issues the document in the decision\'s transaction, with the officer\'s values; blank ones are refused at their fields', async () => {
    const start = await submitted(t, { slug: 'certificate-of-good-conduct' })
    const fingerprints = await moveTo(t, start, 'fingerprints', { kind: 'agency', accountId: dciOfficer.id, role: 'agency_officer' })
    const application = await moveTo(t, fingerprints, 'vetting', { kind: 'agency', accountId: dciOfficer.id, role: 'agency_officer' })
    const blank = await act(dciSupervisor, application, 'issued', { 'document-certificateNumber': '', 'document-record': 'No criminal record' })
    assert.equal(blank.statusCode, 400)
    assert.match(blank.body, /href="#document-certificateNumber">Enter the Certificate number for the document/)
    assert.match(blank.body, /value="No criminal record"/, 'what was typed is kept')
    assert.equal((await current(application)).stage, 'vetting')
    const none = await t.database.db.selectFrom('issued_documents').select('number').where('application_id', '=', application.id).execute()
    assert.equal(none.length, 0)

    const issued = await dciSupervisor.client.post(`${caseUrl(application)}/decide`, {
      to: 'issued',
      version: versionOn(blank),
      'document-certificateNumber': 'PCC-2025-000123',
      'document-record': 'No criminal record',
    })
    assert.equal(issued.statusCode, 303)
    const done = await current(application)
    assert.deepEqual([done.status, done.outcome], ['completed', 'issued'])
    const documents = await t.database.db.selectFrom('issued_documents').select(['number', 'issued_by', 'fields']).where('application_id', '=', application.id).execute()
    assert.equal(documents.length, 1)
    assert.equal(documents[0]!.issued_by, dciSupervisor.id)
    assert.ok(JSON.stringify(documents[0]!.fields).includes('PCC-2025-000123'))
    const audited = (await auditOf(application, 'backoffice.decision')).filter((entry) => entry.outcome === 'success')
    assert.equal(audited.at(-1)!.details.document, documents[0]!.number)
  })

  it('holds four eyes: whoever moved the case into approval may not approve it, whatever their role now', async () => {
    const start = await submitted(t, { slug: 'ordinary-passport' })
    const biometrics = await moveTo(t, start, 'biometrics', { kind: 'agency', accountId: disOfficer.id, role: 'agency_officer' })
    // Promoted after taking the case into approval (a role changes sessions; a new one is signed in).
    const promoted = await staffMember(t, 'agency_officer', 'DIS')
    const approval = await moveTo(t, biometrics, 'approval', { kind: 'agency', accountId: promoted.id, role: 'agency_officer' })
    await t.database.db.updateTable('accounts').set({ role: 'agency_supervisor' }).where('id', '=', promoted.id).execute()
    const client = await Client.signedIn(t, promoted.id)
    const page = await client.get(caseUrl(approval))
    assert.match(page.body, /&quot;Approve&quot; needs a second pair of eyes/)
    const refused = await client.post(`${caseUrl(approval)}/decide`, { to: 'printing', version: String(await versionOf(approval)) })
    assert.equal(refused.statusCode, 403)
    assert.match(refused.body, /&quot;Approve&quot; needs a second pair of eyes: you moved this application to its current stage/)
    assert.match(refused.body, /Nothing has been changed/)
    assert.equal((await current(approval)).stage, 'approval')
    assert.equal((await auditOf(approval, 'backoffice.decision')).at(-1)?.outcome, 'denied')

    const approved = await act(disSupervisor, approval, 'printing')
    assert.equal(approved.statusCode, 303)
    assert.equal((await current(approval)).stage, 'printing')
  })

  async function versionOf(application: Application): Promise<string> {
    const row = await sql<{ version: string }>`select (extract(epoch from updated_at) * 1000000)::bigint::text as version from applications where id = ${application.id}`.execute(t.database.db)
    return row.rows[0]!.version
  }

  it('answers an action that does not lead from the current stage with 409, and another role\'s with 403, changing nothing', async () => {
    const application = await submitted(t, { slug: 'certificate-of-good-conduct' })
    const version = await versionOf(application)
    await dciOfficer.client.get(caseUrl(application))
    const wrongStage = await dciOfficer.client.post(`${caseUrl(application)}/decide`, { to: 'issued', version })
    assert.equal(wrongStage.statusCode, 409)
    assert.match(wrongStage.body, /The application is at &quot;Submitted&quot;: this action does not lead from there/)
    const wrongRole = await dciOfficer.client.post(`${caseUrl(application)}/decide`, { to: 'rejected', version, note: 'No' })
    assert.equal(wrongRole.statusCode, 403)
    assert.match(wrongRole.body, /&quot;Reject&quot; is not for your role/)
    const applicantStep = await dciOfficer.client.post(`${caseUrl(application)}/decide`, { to: 'withdrawn', version })
    assert.equal(applicantStep.statusCode, 403)
    assert.equal((await current(application)).stage, 'submitted')
    assert.equal((await listEvents(t.database.db, application.id)).length, 1)
    const outcomes = (await auditOf(application, 'backoffice.decision')).map((entry) => entry.outcome)
    assert.deepEqual(outcomes, ['failure', 'denied', 'denied'])

    const closed = await moveTo(t, application, 'rejected', { kind: 'agency', accountId: dciSupervisor.id, role: 'agency_supervisor' }, 'Not eligible')
    const late = await dciSupervisor.client.post(`${caseUrl(closed)}/decide`, { to: 'fingerprints', version: await versionOf(closed) })
    assert.equal(late.statusCode, 409)
    assert.match(late.body, /The application is at &quot;Rejected&quot;/)
  })

  it('tells an officer whose form is out of date who acted first and what, and changes nothing', async () => {
    const application = await submitted(t, { slug: 'certificate-of-good-conduct' })
    const other = await staffMember(t, 'agency_officer', 'DCI')
    const seen = await dciOfficer.client.get(caseUrl(application))
    assert.equal((await act(other, application, 'fingerprints')).statusCode, 303)
    const late = await dciOfficer.client.post(`${caseUrl(application)}/decide`, { to: 'fingerprints', version: versionOn(seen) })
    assert.equal(late.statusCode, 409)
    assert.match(late.body, /Someone else acted on this application first/)
    assert.ok(late.body.includes(`${other.name} (Officer) moved it on at`))
    assert.match(late.body, /It is now at &quot;Fingerprints&quot;/)
    const events = await listEvents(t.database.db, application.id)
    assert.equal(events.filter((event) => event.stage_to === 'fingerprints').length, 1)
  })

  it('keeps internal notes for staff, once per form, and never shows them to the applicant', async () => {
    const application = await submitted(t, { slug: 'certificate-of-good-conduct' })
    const page = await dciOfficer.client.get(caseUrl(application))
    const key = /name="key" value="([^"]+)"/.exec(page.body)![1]!
    const blank = await dciOfficer.client.post(`${caseUrl(application)}/notes`, { key, noteBody: ' ' })
    assert.equal(blank.statusCode, 400)
    assert.match(blank.body, /href="#noteBody">Write the note/)
    const note = 'Called the applicant about the ID scan.'
    for (let i = 0; i < 2; i++) assert.equal((await dciOfficer.client.post(`${caseUrl(application)}/notes`, { key, noteBody: note })).statusCode, 303)
    const notes = await t.database.db.selectFrom('case_notes').select('body').where('application_id', '=', application.id).execute()
    assert.deepEqual(notes.map((row) => row.body), [note])
    assert.ok((await dciSupervisor.client.get(caseUrl(application))).body.includes(note))
    const applicant = await Client.signedIn(t, application.account_id)
    assert.ok(!(await applicant.get(`/applications/${application.id}`)).body.includes(note))
  })

  it('shows the applicant which agency and role opened or acted on their application, and when, but never who', async () => {
    const application = await submitted(t, { slug: 'certificate-of-good-conduct' })
    const applicant = await Client.signedIn(t, application.account_id)
    assert.match((await applicant.get(`/applications/${application.id}`)).body, /Nobody at an agency has opened this application yet/)
    await act(dciOfficer, application, 'fingerprints')
    const page = await applicant.get(`/applications/${application.id}`)
    assert.match(page.body, /Who has accessed this application/)
    const table = page.body.slice(page.body.indexOf('id="accesses"'))
    assert.equal((table.match(/Directorate of Criminal Investigations<\/td>\s*<td class="govuk-table__cell">Officer<\/td>/g) ?? []).length, 2, 'the look and the decision')
    assert.ok(!page.body.includes(dciOfficer.name), 'no officer is named')
  })

  it('lets staff of the agency open a submitted application\'s files, audited and listed for the applicant; others are told there is none', async () => {
    const application = await submitted(t, { slug: 'certificate-of-good-conduct' })
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100, 0x20)])
    const file = await t.app.modules.uploads.store(application.id, 'idCopy', { filename: 'id.pdf', mimetype: 'application/pdf', bytes }, { accept: ['pdf'], maxBytes: 5_000_000 }, application.account_id)
    const page = await dciOfficer.client.get(caseUrl(application))
    assert.ok(page.body.includes(`href="/uploads/${file.id}"`))
    const download = await dciOfficer.client.get(`/uploads/${file.id}`)
    assert.equal(download.statusCode, 200)
    assert.equal(download.headers['content-type'], 'application/pdf')
    assert.equal((await disOfficer.client.get(`/uploads/${file.id}`)).statusCode, 404)
    const citizen = await Client.signedIn(t, (await createAccount(t.database.db)).id)
    assert.equal((await citizen.get(`/uploads/${file.id}`)).statusCode, 404)
    const downloads = await t.database.db.selectFrom('audit_log').select('actor_id').where('action', '=', 'upload.download').where('subject_id', '=', file.id!).execute()
    assert.deepEqual(downloads.map((row) => row.actor_id), [dciOfficer.id])

    // A draft's files are still the applicant's alone.
    await t.database.db.updateTable('applications').set({ status: 'draft', stage: null, submitted_at: null, declaration_accepted_at: null, expected_by: null }).where('id', '=', application.id).execute()
    const cookie = await signedInCookie(t.database.db, dciOfficer.id)
    assert.equal((await t.app.inject({ method: 'GET', url: `/uploads/${file.id}`, headers: { cookie } })).statusCode, 404)
  })
})
