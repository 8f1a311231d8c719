import type { ColumnType, Generated, Kysely } from 'kysely'

/**
 * Table types of the embedded registries (migration 0003_registry). Dates travel as 'YYYY-MM-DD'
 * text: the queries read them with to_char, so neither driver turns them into a Date at some
 * time zone's midnight.
 */
type DateText = ColumnType<string, string, string>

export type PersonKind = 'citizen' | 'resident' | 'minor'
export type Sex = 'F' | 'M'
export type BusinessKind = 'business_name' | 'private_company' | 'public_company' | 'guarantee_company' | 'llp'

export interface RegistryPeopleTable {
  id: Generated<string>
  id_number: string | null
  kind: PersonKind
  first_name: string
  middle_name: string | null
  last_name: string
  date_of_birth: DateText
  sex: Sex
  county: string
  birth_certificate_number: string | null
  parent_id_number: string | null
  nationality: string | null
}

export interface RegistryBusinessesTable {
  registration_number: string
  name: string
  kind: BusinessKind
  registered_on: DateText
}

export interface RegistryBusinessDirectorsTable {
  business_number: string
  director_id_number: string
}

export interface RegistryTables {
  registry_people: RegistryPeopleTable
  registry_businesses: RegistryBusinessesTable
  registry_business_directors: RegistryBusinessDirectorsTable
}

export type RegistryDb = Kysely<RegistryTables>

/**
 * What the registry's functions accept: the app's database or a transaction on it. `Kysely<Database>`
 * is not assignable to `Kysely<RegistryTables>` (Kysely's type is invariant in its tables), so the
 * functions take any Kysely and narrow it with `registryDb`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>

export function registryDb(db: AnyDb): RegistryDb {
  return db as RegistryDb
}
