import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { createAccount } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase } from '../../../test/helpers/database.js'
import { servicesFolder } from '../../../test/helpers/service-definitions.js'
import type { Db } from '../../platform/db/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { insertApplication, type Application } from '../applications/store.js'
import { loadCatalogue } from '../services/catalogue.js'
import { newReference } from '../services/reference.js'
import type { DocumentsService } from './service.js'

/**
 * Tests only: a licence whose document takes a value from every source a definition may name, valid
 * for the period an answer chooses; `validity` swaps that for a fixed period, or none.
 */
export function licenceService(slug: string, validity?: string): string {
  const period = validity ?? `validityByAnswer:
    question: period
    periods:
      "1": { years: 1 }
      "3": { years: 3 }`
  return `agency: NTSA
slug: ${slug}
version: 1
name: { en: Test licence, sw: Leseni ya majaribio }
summary: { en: A licence for tests, sw: Leseni ya majaribio }
help: { en: Help, sw: Msaada }
applicants:
  accountKinds: [citizen, visitor]
  for: [self, dependant, business]
pages:
  - id: first
    title: { en: First, sw: Kwanza }
    questions:
      - id: period
        type: radio
        label: { en: Period, sw: Muda }
        options:
          - { value: "1", label: { en: One year, sw: Mwaka mmoja } }
          - { value: "3", label: { en: Three years, sw: Miaka mitatu } }
      - id: classes
        type: checkboxes
        label: { en: Classes, sw: Madaraja }
        options:
          - { value: A, label: { en: Motorcycles, sw: Pikipiki } }
          - { value: B, label: { en: Cars, sw: Magari } }
      - id: note
        type: text
        required: false
        label: { en: Note, sw: Dokezo }
requiredDocuments: []
fees:
  payment: after-approval
  items: []
workflow:
  stages:
    - { id: submitted, name: { en: Submitted, sw: Imewasilishwa }, start: true, slaWorkingDays: 2 }
    - { id: issued, name: { en: Issued, sw: Imetolewa }, end: issued }
    - { id: rejected, name: { en: Rejected, sw: Imekataliwa }, end: rejected }
  transitions:
    - { from: submitted, to: issued, by: [agency_officer], label: { en: Issue, sw: Toa } }
    - { from: submitted, to: rejected, by: [agency_officer], reasonRequired: true, label: { en: Reject, sw: Kataa } }
issuedDocument:
  kind: licence
  title: { en: Test driving licence, sw: Leseni ya udereva ya majaribio }
  ${period}
  fields:
    - { id: licenceNumber, from: officer, label: { en: Licence number, sw: Nambari ya leseni } }
    - { id: holder, from: subject.fullName, label: { en: Holder, sw: Mwenye leseni } }
    - { id: idNumber, from: subject.idNumber, label: { en: ID number, sw: Nambari ya kitambulisho } }
    - { id: born, from: subject.dateOfBirth, label: { en: Date of birth, sw: Tarehe ya kuzaliwa } }
    - { id: nationality, from: subject.nationality, label: { en: Nationality, sw: Uraia } }
    - { id: passport, from: subject.passportNumber, label: { en: Passport, sw: Pasipoti } }
    - { id: business, from: business.name, label: { en: Business, sw: Biashara } }
    - { id: businessNumber, from: business.registrationNumber, label: { en: Registration number, sw: Nambari ya usajili } }
    - { id: applicant, from: applicant.fullName, label: { en: Applicant, sw: Mwombaji } }
    - { id: reference, from: application.reference, label: { en: Application, sw: Maombi } }
    - { id: submitted, from: application.submittedAt, label: { en: Applied on, sw: Iliombwa } }
    - { id: classes, from: answer.classes, label: { en: Classes, sw: Madaraja } }
    - { id: period, from: answer.period, label: { en: Period, sw: Muda } }
    - { id: note, from: answer.note, label: { en: Note, sw: Dokezo } }
`
}

export interface DocumentsTestApp extends TestApp {
  documents: DocumentsService
}

/** The app as src/app.ts wires it, on three test licences: validity by answer, six months, and none. */
export async function documentsTestApp(env: Record<string, string> = {}): Promise<DocumentsTestApp> {
  const database = await freshDatabase()
  await upsertAgencies(database.db, DEMO_AGENCIES)
  const catalogue = await loadCatalogue(
    servicesFolder({
      'NTSA/test-licence.yaml': licenceService('test-licence'),
      'NTSA/test-permit.yaml': licenceService('test-permit', 'validity: { months: 6 }'),
      'NTSA/test-forever.yaml': licenceService('test-forever', ''),
    }),
  )
  const t = await testApp({ database, catalogue, env })
  return { ...t, documents: t.app.modules.documents }
}

/** A person in the embedded population register (a child needs a registered parent). */
export async function registerPerson(
  db: Db,
  person: { idNumber?: string; firstName: string; lastName: string; dateOfBirth: string; birthCertificate?: string; parentIdNumber?: string; nationality?: string },
): Promise<void> {
  const kind = person.idNumber ? (person.nationality ? 'resident' : 'citizen') : 'minor'
  await sql`insert into registry_people (id_number, kind, first_name, last_name, date_of_birth, sex, county, birth_certificate_number, parent_id_number, nationality)
    values (${person.idNumber ?? null}, ${kind}, ${person.firstName}, ${person.lastName}, ${person.dateOfBirth}, 'F', 'Nairobi',
      ${person.birthCertificate ?? null}, ${person.parentIdNumber ?? null}, ${person.nationality ?? null})`.execute(db)
}

/** A business in the embedded registry, directed by these ID numbers and linked to the account. */
export async function registerBusiness(db: Db, business: { number: string; name: string; directorIdNumber: string; accountId: string }): Promise<void> {
  await sql`insert into registry_businesses (registration_number, name, kind, registered_on) values (${business.number}, ${business.name}, 'private_company', '2015-01-01')`.execute(db)
  await sql`insert into registry_business_directors (business_number, director_id_number) values (${business.number}, ${business.directorIdNumber})`.execute(db)
  await sql`insert into account_businesses (account_id, registration_number) values (${business.accountId}, ${business.number})`.execute(db)
}

/** An application submitted and waiting in the agency's first stage, straight into the database. */
export async function submittedApplication(
  t: DocumentsTestApp,
  options: { accountId: string; slug?: string; answers?: Record<string, unknown>; party?: { kind: 'dependant' | 'business'; id: string; name: string } },
): Promise<Application> {
  const slug = options.slug ?? 'test-licence'
  const definition = t.app.modules.catalogue.latest(slug)!
  return insertApplication(t.database.db, {
    reference: newReference('NTSA'),
    account_id: options.accountId,
    party_kind: options.party?.kind ?? 'self',
    party_id: options.party?.id ?? null,
    party_name: options.party?.name ?? 'Achieng Otieno',
    service_slug: slug,
    agency_code: 'NTSA',
    definition_version: definition.version,
    answers: JSON.stringify(options.answers ?? { period: '3', classes: ['A', 'B'] }),
    current_page: null,
    status: 'in-progress',
    stage: 'submitted',
    declaration_accepted_at: new Date(),
    submitted_at: new Date('2026-03-02T09:00:00Z'),
  })
}

/**
 * What the back-office does on "Issue": moves the application to its issued end and issues the
 * document, in one transaction. Returns the document's number.
 */
export async function issue(t: DocumentsTestApp, application: Application, options: { officerId?: string; officerFields?: Record<string, string> } = {}): Promise<string> {
  const officerId = options.officerId ?? (await createAccount(t.database.db, { role: 'agency_officer', agencyCode: 'NTSA', secondFactor: 'totp' })).id
  const definition = t.app.modules.catalogue.version(application.service_slug, application.definition_version)!
  return t.database.db.transaction().execute(async (trx) => {
    const moved = await t.app.modules.recordStatusChange(trx, application, { to: 'issued', actor: { kind: 'agency', accountId: officerId, role: 'agency_officer' } })
    const { number } = await t.documents.issue(trx, {
      application: moved,
      definition,
      officerFields: options.officerFields ?? { licenceNumber: `DL-${randomBytes(3).toString('hex').toUpperCase()}` },
      issuedBy: officerId,
    })
    return number
  })
}
