import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { addDays, generateSlots, nairobiDate, seedOffices } from '../appointments/offices.js'
import { loadCatalogue, type ServiceCatalogue } from '../services/catalogue.js'
import { visibleQuestions, type Answers } from '../services/answers.js'
import { sampleAnswers } from '../services/sample-answers.js'
import { applicationsTestApp, Client, pageForm, type ApplicationsTestApp } from './test-support.js'

const radios = (html: string, name: string) => [...html.matchAll(new RegExp(`name="${name}" type="radio" value="([^"]+)"`, 'g'))].map((m) => m[1]!)
const checkedRadio = (html: string, name: string) => new RegExp(`name="${name}" type="radio" value="([^"]+)" checked`).exec(html)?.[1]

/** Appointments as part of applying: check answers and the application page show them, drafts book them. */
describe(`an application's appointment on ${TEST_ENGINE}`, () => {
  let t: ApplicationsTestApp
  let catalogue: ServiceCatalogue
  let client: Client

  before(async () => {
    catalogue = await loadCatalogue()
    t = await applicationsTestApp(catalogue)
    await seedOffices(t.database.db)
    await generateSlots(t.database.db, { fromDate: addDays(nairobiDate(), 1), days: 14 })
    client = await Client.signedIn(t, (await createAccount(t.database.db)).id)
  })
  after(() => t.close())

  /** A draft with every page answered (these answers over sample ones), left at check answers. */
  async function draft(slug: string, answers: Answers = {}): Promise<string> {
    const definition = catalogue.latest(slug)!
    const all = { ...sampleAnswers(definition, { seed: 7 }), ...answers }
    await client.get(`/services/${slug}/start`)
    let location = (await client.post(`/services/${slug}/start`, { party: 'self' })).headers.location as string
    const id = /\/applications\/([0-9a-f-]{36})\//.exec(location)![1]!
    while (location.includes('/pages/')) {
      const page = definition.pages.find((candidate) => candidate.id === location.split('/pages/')[1])!
      await client.get(location)
      const { fields, files } = pageForm(definition, page, all)
      const sent = visibleQuestions(definition, page, all).some((q) => q.type === 'file') ? await client.postMultipart(location, fields, files) : await client.post(location, fields)
      assert.equal(sent.statusCode, 303, `${slug} ${page.id}`)
      location = sent.headers.location as string
    }
    assert.equal(location, `/applications/${id}/check`)
    return id
  }

  /** Office (as pre-selected) → first day → first time → booked; returns the booking page. */
  async function book(id: string) {
    const base = `/applications/${id}/appointment`
    const office = checkedRadio((await client.get(base)).body, 'office')!
    const day = radios((await client.get(`${base}?office=${office}`)).body, 'day')[0]!
    const slot = radios((await client.get(`${base}?office=${office}&day=${day}`)).body, 'slot')[0]!
    const booked = await client.post(base, { office, day, slot })
    assert.equal(booked.headers.location, `${base}?done=booked`)
    return client.get(booked.headers.location)
  }

  it('lets a draft book from check answers, pre-selecting the fingerprint centre it names, and leads back', async () => {
    const id = await draft('certificate-of-good-conduct', { fingerprintCentre: 'huduma-kisumu' })
    const check = await client.get(`/applications/${id}/check`)
    assert.match(check.body, /<h2 class="govuk-heading-m" id="appointment">Your appointment<\/h2>/)
    assert.match(check.body, new RegExp(`<a class="govuk-link" href="/applications/${id}/appointment">Book your appointment: Fingerprints taken on form C24</a>`))

    const office = await client.get(`/applications/${id}/appointment`)
    assert.equal(office.statusCode, 200)
    assert.equal(checkedRadio(office.body, 'office'), 'huduma-kisumu')
    assert.deepEqual(radios(office.body, 'office').sort(), ['dci-headquarters', 'huduma-eldoret', 'huduma-gpo', 'huduma-kisumu', 'huduma-mombasa', 'huduma-nakuru'])
    assert.match(office.body, /<span class="govuk-caption-l">Fingerprints taken on form C24<\/span>Choose an office/)
    assert.match(office.body, new RegExp(`href="/applications/${id}/check" class="govuk-back-link">Back to check your answers`))

    const booking = await book(id)
    assert.match(booking.body, /Appointment booked/)
    assert.match(booking.body, new RegExp(`href="/applications/${id}/check"[^>]*>\\s*Continue to check your answers`))
    const code = /<strong>([2-9A-Z]{4}-[2-9A-Z]{4})<\/strong>/.exec(booking.body)![1]!

    const after = await client.get(`/applications/${id}/check`)
    assert.match(after.body, /Huduma Centre Kisumu/)
    assert.match(after.body, new RegExp(`<strong>${code}</strong>`))
    assert.equal([...after.body.matchAll(new RegExp(`href="/applications/${id}/appointment\\?change=yes"`, 'g'))].length, 3, 'Change for office, day and time')
    assert.match(after.body, /Change<span class="govuk-visually-hidden"> the day of the appointment<\/span>/)
    assert.doesNotMatch(after.body, /Book your appointment/)
    const sw = await client.get(`/applications/${id}/check?lang=sw`)
    assert.match(sw.body, /Miadi yako/)
    assert.match(sw.body, /Kuchukuliwa alama za vidole kwenye fomu C24/)
    await client.get(`/applications/${id}/check?lang=en`)

    // Changing from check answers starts at the office booked, keeping the booking until a new time is chosen.
    const changing = await client.get(`/applications/${id}/appointment?change=yes`)
    assert.equal(checkedRadio(changing.body, 'office'), 'huduma-kisumu')
    assert.match(changing.body, /Keep my current appointment/)
  })

  it('shows the booking on the application page once submitted, and leads back there', async () => {
    const id = await draft('certificate-of-good-conduct', { fingerprintCentre: 'dci-headquarters' })
    const code = /<strong>([2-9A-Z]{4}-[2-9A-Z]{4})<\/strong>/.exec((await book(id)).body)![1]!
    await client.get(`/applications/${id}/check`)
    const submitted = await client.post(`/applications/${id}/submit`, { idempotencyKey: crypto.randomUUID(), declaration: 'yes' })
    assert.equal(submitted.headers.location, `/applications/${id}`)
    const page = await client.get(`/applications/${id}`)
    assert.match(page.body, /Awaiting payment/)
    assert.match(page.body, /DCI Headquarters/)
    assert.match(page.body, new RegExp(`<strong>${code}</strong>`))
    assert.doesNotMatch(page.body, /Book an appointment/, 'booked: "what happens next" does not ask for it')
    const booking = await client.get(`/applications/${id}/appointment`)
    assert.match(booking.body, new RegExp(`href="/applications/${id}"[^>]*>Back to your application`))
    assert.doesNotMatch(booking.body, /Continue to check your answers/)
  })

  it('asks a submitted application without a booking to book one', async () => {
    const id = await draft('certificate-of-good-conduct')
    await client.get(`/applications/${id}/check`)
    await client.post(`/applications/${id}/submit`, { idempotencyKey: crypto.randomUUID(), declaration: 'yes' })
    const page = await client.get(`/applications/${id}`)
    assert.match(page.body, new RegExp(`href="/applications/${id}/appointment">Book your appointment: Fingerprints taken on form C24`))
    assert.doesNotMatch(page.body, /You can book it now, before you submit/)
  })

  it('pre-selects the passport office chosen, every one of them an office with passport appointments', async () => {
    const definition = catalogue.latest('ordinary-passport')!
    const question = definition.pages.flatMap((page) => page.questions).find((q) => q.id === 'passportOffice')!
    assert.ok(question.type === 'select')
    const id = await draft('ordinary-passport', { passportOffice: 'immigration-embu' })
    const office = await client.get(`/applications/${id}/appointment`)
    assert.equal(checkedRadio(office.body, 'office'), 'immigration-embu')
    assert.match(office.body, /Photo, fingerprints and signature/)
    assert.deepEqual(radios(office.body, 'office').sort(), question.options.map((option) => option.value).sort())
  })

  it('has no appointment pages for a service without an appointment, nor for a finished application', async () => {
    const search = await draft('business-name-search')
    assert.doesNotMatch((await client.get(`/applications/${search}/check`)).body, /Your appointment/)
    assert.equal((await client.get(`/applications/${search}/appointment`)).statusCode, 404)

    const done = await draft('certificate-of-good-conduct')
    await t.database.db.updateTable('applications').set({ status: 'completed', stage: 'issued', outcome: 'issued', submitted_at: new Date(), declaration_accepted_at: new Date() }).where('id', '=', done).execute()
    assert.equal((await client.get(`/applications/${done}/appointment`)).statusCode, 404)
    assert.doesNotMatch((await client.get(`/applications/${done}`)).body, /Your appointment/)
  })

  it('gives the place back when the application is finished', async () => {
    const id = await draft('certificate-of-good-conduct')
    await book(id)
    const held = await t.database.db.selectFrom('appointment_bookings').select(['slot_id', 'status']).where('application_id', '=', id).executeTakeFirstOrThrow()
    const placesBefore = await t.database.db.selectFrom('appointment_slots').select('booked').where('id', '=', held.slot_id).executeTakeFirstOrThrow()
    await client.post(`/applications/${id}/submit`, { idempotencyKey: crypto.randomUUID(), declaration: 'yes' })
    // Paid (as payments will do), then withdrawn by the applicant.
    await t.database.db.transaction().execute(async (trx) => {
      const application = await trx.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      await t.recordStatusChange(trx, application, { to: 'submitted', actor: { kind: 'system' } })
    })
    assert.equal((await client.post(`/applications/${id}/withdraw`, {})).statusCode, 303)
    const booking = await t.database.db.selectFrom('appointment_bookings').select('status').where('application_id', '=', id).executeTakeFirstOrThrow()
    assert.equal(booking.status, 'cancelled')
    const placesAfter = await t.database.db.selectFrom('appointment_slots').select('booked').where('id', '=', held.slot_id).executeTakeFirstOrThrow()
    assert.equal(placesAfter.booked, placesBefore.booked - 1)
  })

  it('logged no server error', () => {
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
