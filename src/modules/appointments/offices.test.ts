import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { loadCatalogue, type ServiceCatalogue } from '../services/catalogue.js'
import { allQuestions, type ServiceDefinition } from '../services/definition.js'
import { addDays, DEMO_APPOINTMENT_SERVICES, DEMO_OFFICES, generateSlots, nairobiDate, seedOffices } from './offices.js'
import { AppointmentService } from './service.js'

const OFFICE_CODES = new Set(DEMO_OFFICES.map((office) => office.code))

/** The choice question whose values are office codes (the fingerprint centre, the passport office). */
function officeQuestion(definition: ServiceDefinition) {
  const found = allQuestions(definition)
    .map(({ question }) => question)
    .filter((question) => (question.type === 'select' || question.type === 'radio') && question.options.some((option) => OFFICE_CODES.has(option.value)))
  assert.ok(found.length <= 1, `${definition.slug}: one question names the office`)
  const question = found[0]
  return question && (question.type === 'select' || question.type === 'radio') ? question : undefined
}

/** The demo offices and slots agree with the definitions: each office a definition offers can be booked there. */
describe(`demo offices and the definitions on ${TEST_ENGINE}`, () => {
  let catalogue: ServiceCatalogue
  let database: DatabaseHandle
  let withAppointments: ServiceDefinition[]

  before(async () => {
    catalogue = await loadCatalogue()
    withAppointments = catalogue.list().filter((definition) => definition.workflow.stages.some((stage) => stage.appointment))
    database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    await seedOffices(database.db)
    await generateSlots(database.db, { fromDate: addDays(nairobiDate(), 1), days: 7 })
  })
  after(() => database.close())

  it('gives every service with an appointment stage slots, and no other', () => {
    assert.deepEqual(withAppointments.map((d) => d.slug).sort(), ['certificate-of-good-conduct', 'ordinary-passport'])
    assert.deepEqual(
      DEMO_APPOINTMENT_SERVICES.map((s) => `${s.agency}/${s.slug}`).sort(),
      withAppointments.map((d) => `${d.agency}/${d.slug}`).sort(),
    )
  })

  it('names, in every office question, offices of the agency, which are exactly the offices with its slots', async () => {
    const appointments = new AppointmentService(database.db)
    for (const definition of withAppointments) {
      const question = officeQuestion(definition)
      assert.ok(question, `${definition.slug} asks where the appointment will be`)
      const offered = question.options.map((option) => option.value)
      for (const code of offered) {
        const office = DEMO_OFFICES.find((candidate) => candidate.code === code)
        assert.ok(office, `${definition.slug}: ${code} is an office`)
        assert.ok(office.agencies.includes(definition.agency), `${definition.slug}: ${code} serves ${definition.agency}`)
      }
      const withSlots = (await appointments.offices(definition.agency, definition.slug)).map((office) => office.code)
      assert.deepEqual(withSlots.sort(), [...offered].sort(), `${definition.slug}: slots at the offices it offers`)
    }
  })

  it('names the passport offices and fingerprint centres as the definitions label them', () => {
    assert.equal(officeQuestion(catalogue.latest('ordinary-passport')!)?.id, 'passportOffice')
    assert.equal(officeQuestion(catalogue.latest('certificate-of-good-conduct')!)?.id, 'fingerprintCentre')
  })
})
