import type { Insertable, Transaction } from 'kysely'
import { generateDemoRegistry, type DemoRegistry } from './demo-population.js'
import type { RegistryBusiness, RegistryPerson } from './registry.js'
import {
  registryDb,
  type AnyDb,
  type RegistryBusinessDirectorsTable,
  type RegistryBusinessesTable,
  type RegistryPeopleTable,
  type RegistryTables,
} from './tables.js'

/** Rows per insert: about 6,000 parameters for people, far below PostgreSQL's 65,535, few round trips. */
const BATCH = 500

type Trx = Transaction<RegistryTables>

function batches<T>(rows: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < rows.length; i += BATCH) out.push(rows.slice(i, i + BATCH))
  return out
}

function personRow(person: RegistryPerson): Insertable<RegistryPeopleTable> {
  return {
    id_number: person.idNumber,
    kind: person.kind,
    first_name: person.firstName,
    middle_name: person.middleName,
    last_name: person.lastName,
    date_of_birth: person.dateOfBirth,
    sex: person.sex,
    county: person.county,
    birth_certificate_number: person.birthCertificateNumber,
    parent_id_number: person.parentIdNumber,
    nationality: person.nationality,
  }
}

function businessRow(business: RegistryBusiness): Insertable<RegistryBusinessesTable> {
  return {
    registration_number: business.registrationNumber,
    name: business.name,
    kind: business.kind,
    registered_on: business.registeredOn,
  }
}

// A re-seed refreshes the demo rows to what the generator says now, and leaves anything else alone.
async function upsertPeople(trx: Trx, rows: Insertable<RegistryPeopleTable>[], key: 'id_number' | 'birth_certificate_number') {
  for (const batch of batches(rows)) {
    await trx
      .insertInto('registry_people')
      .values(batch)
      .onConflict((oc) =>
        oc.column(key).doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          first_name: eb.ref('excluded.first_name'),
          middle_name: eb.ref('excluded.middle_name'),
          last_name: eb.ref('excluded.last_name'),
          date_of_birth: eb.ref('excluded.date_of_birth'),
          sex: eb.ref('excluded.sex'),
          county: eb.ref('excluded.county'),
          birth_certificate_number: eb.ref('excluded.birth_certificate_number'),
          parent_id_number: eb.ref('excluded.parent_id_number'),
          nationality: eb.ref('excluded.nationality'),
        })),
      )
      .execute()
  }
}

async function upsertBusinesses(trx: Trx, businesses: readonly RegistryBusiness[]) {
  for (const batch of batches(businesses.map(businessRow))) {
    await trx
      .insertInto('registry_businesses')
      .values(batch)
      .onConflict((oc) =>
        oc.column('registration_number').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          kind: eb.ref('excluded.kind'),
          registered_on: eb.ref('excluded.registered_on'),
        })),
      )
      .execute()
  }
  const directors: Insertable<RegistryBusinessDirectorsTable>[] = businesses.flatMap((business) =>
    business.directorIdNumbers.map((id) => ({ business_number: business.registrationNumber, director_id_number: id })),
  )
  for (const batch of batches(directors)) {
    await trx
      .insertInto('registry_business_directors')
      .values(batch)
      .onConflict((oc) => oc.columns(['business_number', 'director_id_number']).doNothing())
      .execute()
  }
}

async function write(trx: Trx, registry: DemoRegistry): Promise<void> {
  // Adults are keyed by ID number, minors by birth certificate (they have no ID yet). Adults go first:
  // children and directorships refer to them.
  const adults = registry.people.filter((person) => person.idNumber !== null)
  const minors = registry.people.filter((person) => person.idNumber === null)
  await upsertPeople(trx, adults.map(personRow), 'id_number')
  await upsertPeople(trx, minors.map(personRow), 'birth_certificate_number')
  await upsertBusinesses(trx, registry.businesses)
}

/**
 * Adds the demo register (or refreshes it: running it twice leaves the same rows). All or nothing: in
 * the caller's transaction when given one, else in its own.
 */
export async function seedRegistry(db: AnyDb, registry: DemoRegistry = generateDemoRegistry()): Promise<DemoRegistry> {
  const typed = registryDb(db)
  if (typed.isTransaction) await write(typed as Trx, registry)
  else await typed.transaction().execute((trx) => write(trx, registry))
  return registry
}
