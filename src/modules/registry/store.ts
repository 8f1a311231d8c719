import { sql, type SelectQueryBuilder } from 'kysely'
import type { RegistryBusiness, RegistryPerson } from './registry.js'
import { registryDb, type AnyDb, type RegistryDb, type RegistryTables } from './tables.js'

// Dates leave the database as text: pg and PGlite would otherwise turn a date into a Date at midnight
// in some time zone, and a birthday one day out is a failed identity check.
const PERSON_COLUMNS = [
  'id_number',
  'kind',
  'first_name',
  'middle_name',
  'last_name',
  'sex',
  'county',
  'birth_certificate_number',
  'parent_id_number',
  'nationality',
] as const

function people(db: RegistryDb) {
  return db
    .selectFrom('registry_people')
    .select(PERSON_COLUMNS)
    .select(sql<string>`to_char(date_of_birth, 'YYYY-MM-DD')`.as('date_of_birth'))
}

type PersonRow = Awaited<ReturnType<ReturnType<typeof people>['executeTakeFirstOrThrow']>>

function toPerson(row: PersonRow): RegistryPerson {
  return {
    idNumber: row.id_number,
    kind: row.kind,
    firstName: row.first_name,
    middleName: row.middle_name,
    lastName: row.last_name,
    dateOfBirth: row.date_of_birth,
    sex: row.sex,
    county: row.county,
    birthCertificateNumber: row.birth_certificate_number,
    parentIdNumber: row.parent_id_number,
    nationality: row.nationality,
  }
}

export async function findPersonByIdNumber(db: AnyDb, idNumber: string): Promise<RegistryPerson | null> {
  const row = await people(registryDb(db)).where('id_number', '=', idNumber).executeTakeFirst()
  return row ? toPerson(row) : null
}

export async function findPersonByBirthCertificate(db: AnyDb, number: string): Promise<RegistryPerson | null> {
  const row = await people(registryDb(db)).where('birth_certificate_number', '=', number).executeTakeFirst()
  return row ? toPerson(row) : null
}

/** Children registered to a parent and born after `bornAfter` (the adulthood cutoff), youngest first. */
export async function findChildren(db: AnyDb, parentIdNumber: string, bornAfter: string): Promise<RegistryPerson[]> {
  const rows = await people(registryDb(db))
    .where('parent_id_number', '=', parentIdNumber)
    .where('date_of_birth', '>', bornAfter)
    .orderBy('date_of_birth', 'desc')
    .orderBy(sql`birth_certificate_number collate "C"`)
    .execute()
  return rows.map(toPerson)
}

type BusinessQuery = SelectQueryBuilder<RegistryTables, 'registry_businesses', object>

// Each business with its directors in one query: a correlated array is cheaper than a second round trip.
function businesses(db: RegistryDb, narrow: (query: BusinessQuery) => BusinessQuery) {
  const query = db.selectFrom('registry_businesses')
  return narrow(query)
    .select(['registration_number', 'name', 'kind'])
    .select(sql<string>`to_char(registered_on, 'YYYY-MM-DD')`.as('registered_on'))
    .select((eb) =>
      eb
        .fn<string[]>('array', [
          eb
            .selectFrom('registry_business_directors as d')
            .select('d.director_id_number')
            .whereRef('d.business_number', '=', 'registry_businesses.registration_number')
            .orderBy(sql`d.director_id_number collate "C"`),
        ])
        .as('director_id_numbers'),
    )
}

type BusinessRow = Awaited<ReturnType<ReturnType<typeof businesses>['executeTakeFirstOrThrow']>>

function toBusiness(row: BusinessRow): RegistryBusiness {
  return {
    registrationNumber: row.registration_number,
    name: row.name,
    kind: row.kind,
    registeredOn: row.registered_on,
    directorIdNumbers: row.director_id_numbers,
  }
}

export async function findBusinessByNumber(db: AnyDb, registrationNumber: string): Promise<RegistryBusiness | null> {
  const row = await businesses(registryDb(db), (q) => q.where('registration_number', '=', registrationNumber)).executeTakeFirst()
  return row ? toBusiness(row) : null
}

export async function findBusinessesByDirector(db: AnyDb, idNumber: string): Promise<RegistryBusiness[]> {
  const rows = await businesses(registryDb(db), (q) =>
    q.where((eb) =>
      eb(
        'registration_number',
        'in',
        eb.selectFrom('registry_business_directors').select('business_number').where('director_id_number', '=', idNumber),
      ),
    ),
  )
    // "C" collation: the same order on every server, whatever its locale, and the same as the HTTP client's.
    .orderBy('registered_on')
    .orderBy(sql`registration_number collate "C"`)
    .execute()
  return rows.map(toBusiness)
}

export interface RegistryCounts {
  people: number
  minors: number
  residents: number
  businesses: number
  directorships: number
}

export async function countRegistry(db: AnyDb): Promise<RegistryCounts> {
  const row = await registryDb(db)
    .selectNoFrom((eb) => [
      eb.selectFrom('registry_people').select(eb.fn.countAll<string>().as('n')).as('people'),
      eb.selectFrom('registry_people').select(eb.fn.countAll<string>().as('n')).where('kind', '=', 'minor').as('minors'),
      eb.selectFrom('registry_people').select(eb.fn.countAll<string>().as('n')).where('kind', '=', 'resident').as('residents'),
      eb.selectFrom('registry_businesses').select(eb.fn.countAll<string>().as('n')).as('businesses'),
      eb.selectFrom('registry_business_directors').select(eb.fn.countAll<string>().as('n')).as('directorships'),
    ])
    .executeTakeFirstOrThrow()
  return {
    people: Number(row.people),
    minors: Number(row.minors),
    residents: Number(row.residents),
    businesses: Number(row.businesses),
    directorships: Number(row.directorships),
  }
}
