import type { BusinessKind, PersonKind, Sex } from './tables.js'

export type { BusinessKind, PersonKind, Sex }

/** A person as the population register knows them. Dates are 'YYYY-MM-DD'. */
export interface RegistryPerson {
  /** National ID number (citizens) or alien card number (residents); null for minors. */
  idNumber: string | null
  kind: PersonKind
  firstName: string
  middleName: string | null
  lastName: string
  dateOfBirth: string
  sex: Sex
  county: string
  birthCertificateNumber: string | null
  /** The parent a child is registered to. */
  parentIdNumber: string | null
  /** ISO 3166-1 alpha-2, residents only. */
  nationality: string | null
}

export interface RegistryBusiness {
  registrationNumber: string
  name: string
  kind: BusinessKind
  registeredOn: string
  /** ID numbers of the directors (proprietors or partners of a business name). */
  directorIdNumbers: string[]
}

/** What a person registering for an account claims about themselves. */
export interface IdentityClaim {
  idNumber: string
  firstName: string
  yearOfBirth: number
}

/** The national population register, embedded or reached over HTTP. */
export interface PopulationRegistry {
  findPerson(idNumber: string): Promise<RegistryPerson | null>
  /** The person when ID number, first name and year of birth all agree, else null. */
  matchIdentity(claim: IdentityClaim): Promise<RegistryPerson | null>
  /** Children registered to the parent who are under 18 on `today` ('YYYY-MM-DD', Kenyan date). */
  childrenOf(parentIdNumber: string, today?: string): Promise<RegistryPerson[]>
  findByBirthCertificate(number: string): Promise<RegistryPerson | null>
}

/** The business registry, embedded or reached over HTTP. */
export interface BusinessRegistry {
  findBusiness(registrationNumber: string): Promise<RegistryBusiness | null>
  businessesDirectedBy(idNumber: string): Promise<RegistryBusiness[]>
}

/**
 * A name as people type it, for comparing: no surrounding or doubled spaces, no accents, one case.
 * "  HÉLÈNE " and "helene" are the same name; people type on phones without accents, and the register
 * may hold a name in capitals.
 */
export function comparableName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLocaleLowerCase('en')
}

/** Identifiers as people type them: trimmed, inner spaces dropped ("1234 5678"), letters in capitals. */
export function cleanIdentifier(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase()
}

/** The register's rule for a claimed identity, shared by both implementations so they never disagree. */
export function identityMatches(person: RegistryPerson, claim: IdentityClaim): boolean {
  return (
    person.idNumber === cleanIdentifier(claim.idNumber) &&
    comparableName(person.firstName) === comparableName(claim.firstName) &&
    Number(person.dateOfBirth.slice(0, 4)) === claim.yearOfBirth
  )
}

const KENYA_UTC_OFFSET_MS = 3 * 60 * 60 * 1000

/** Today's date in Kenya (UTC+3 all year, no daylight saving), as 'YYYY-MM-DD'. */
export function kenyaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + KENYA_UTC_OFFSET_MS).toISOString().slice(0, 10)
}

/**
 * The latest date of birth of someone who is 18 on `today`: people born on or before it are adults, so
 * a child born on 29 February comes of age on 1 March in common years. When today is 29 February and
 * the cutoff year has no such day, the cutoff is the 28th: the same people are adults either way, and
 * the date stays one PostgreSQL accepts.
 */
export function adulthoodCutoff(today: string): string {
  const [year, month, day] = today.split('-')
  const cutoffYear = Number(year) - 18
  const leap = (cutoffYear % 4 === 0 && cutoffYear % 100 !== 0) || cutoffYear % 400 === 0
  const cutoffDay = month === '02' && day === '29' && !leap ? '28' : day
  return `${String(cutoffYear).padStart(4, '0')}-${month}-${cutoffDay}`
}

export function isUnder18(dateOfBirth: string, today: string): boolean {
  return dateOfBirth > adulthoodCutoff(today)
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

export function assertDate(value: string, what: string): void {
  // A round trip catches days that do not exist (2026-02-30), which Date would roll over into March.
  const parsed = DATE.test(value) ? new Date(`${value}T00:00:00Z`) : undefined
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new RangeError(`${what} must be a date written YYYY-MM-DD`)
  }
}
