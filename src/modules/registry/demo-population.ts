import { KENYA_COUNTIES } from './counties.js'
import { FIXED_BUSINESSES, FIXED_PEOPLE } from './demo-fixed.js'
import {
  BUSINESS_NAME_TRADES,
  BUSINESS_WORDS,
  CHRISTIAN_NAMES,
  COMMUNITIES,
  COMPANY_TRADES,
  MUSLIM_NAMES,
  RESIDENT_COUNTIES,
  RESIDENT_ORIGINS,
  type Community,
  type Origin,
} from './demo-names.js'
import type { RegistryBusiness, RegistryPerson, Sex } from './registry.js'
import { SeededRandom } from './random.js'

export * from './demo-fixed.js'

/**
 * A fictional population register and business registry for demos, development and tests: the same
 * seed gives the same people, byte for byte, on every machine and every day.
 */
export const DEMO_SEED = 0x4b454e59

/**
 * Ages are worked out on this fixed date, not today, so the data never changes by itself. Generated
 * minors are at most 15 on it, so they are still children for two years after it; the fixed ones are
 * younger still. Move it forward (and re-seed) when the demo children start coming of age.
 */
export const DEMO_REFERENCE_DATE = '2026-01-01'

export const DEMO_SIZE = { citizens: 1200, residents: 12, minimumMinors: 240, businesses: 60 } as const

export interface DemoRegistry {
  people: RegistryPerson[]
  businesses: RegistryBusiness[]
}

const DAY_MS = 86_400_000
const toDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS
const fromDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10)
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

function addYears(date: string, years: number): string {
  const year = Number(date.slice(0, 4)) + years
  const rest = date.slice(4) === '-02-29' && !isLeap(year) ? '-02-28' : date.slice(4)
  return `${year}${rest}`
}

const REGISTRATION_CHARACTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789']

interface Adult {
  person: RegistryPerson
  community: Community
}

class DemoBuilder {
  private readonly random: SeededRandom
  private readonly idNumbers = new Set<string>()
  private readonly certificates = new Set<string>()
  private readonly businessNumbers = new Set<string>()
  private readonly businessNames = new Set<string>()

  constructor(seed: number) {
    this.random = new SeededRandom(seed)
    // The fixed people and businesses keep their numbers; nothing generated may take one.
    for (const person of FIXED_PEOPLE) {
      if (person.idNumber) this.idNumbers.add(person.idNumber)
      if (person.birthCertificateNumber) this.certificates.add(person.birthCertificateNumber)
    }
    for (const business of FIXED_BUSINESSES) {
      this.businessNumbers.add(business.registrationNumber)
      this.businessNames.add(business.name)
    }
  }

  private unique(used: Set<string>, make: () => string): string {
    for (;;) {
      const value = make()
      if (!used.has(value)) {
        used.add(value)
        return value
      }
    }
  }

  private digits(used: Set<string>, length: number): string {
    return this.unique(used, () => String(this.random.int(10 ** (length - 1), 10 ** length - 1)))
  }

  /** A date of birth for someone aged between `youngest` and `oldest` on the reference date, younger more often. */
  private birthDate(youngest: number, oldest: number): string {
    const latest = toDay(addYears(DEMO_REFERENCE_DATE, -youngest))
    const earliest = toDay(addYears(DEMO_REFERENCE_DATE, -(oldest + 1))) + 1
    // Kenya's population is young: skew towards the latest dates.
    return fromDay(latest - Math.floor((latest - earliest) * this.random.next() ** 1.7))
  }

  private sex(): Sex {
    return this.random.chance(0.5) ? 'F' : 'M'
  }

  private firstName(community: Community, sex: Sex): string {
    const key = sex === 'F' ? 'female' : 'male'
    const style = this.random.weighted([
      { weight: community.firstNames.christian, value: CHRISTIAN_NAMES[key] },
      { weight: community.firstNames.muslim, value: MUSLIM_NAMES[key] },
      { weight: community.firstNames.own, value: community[key] },
    ])
    return this.random.pick(style)
  }

  private middleName(community: Community, sex: Sex, avoid: string[]): string | null {
    const pool = community.patronymic || sex === 'M' ? community.male : community.female
    const name = this.random.pick(pool)
    return avoid.includes(name) ? null : name
  }

  citizen(): Adult {
    const community = this.random.weighted(COMMUNITIES.map((c) => ({ weight: c.weight, value: c })))
    const sex = this.sex()
    const firstName = this.firstName(community, sex)
    const lastName = this.random.pick(community.surnames)
    const person: RegistryPerson = {
      idNumber: this.digits(this.idNumbers, 8),
      kind: 'citizen',
      firstName,
      middleName: this.random.chance(0.85) ? this.middleName(community, sex, [firstName, lastName]) : null,
      lastName,
      dateOfBirth: this.birthDate(18, 85),
      sex,
      // Most live in their community's home counties; some anywhere in the country.
      county: this.random.chance(0.15) ? this.random.pick(KENYA_COUNTIES) : this.random.pick(community.homeCounties),
      birthCertificateNumber: null,
      parentIdNumber: null,
      nationality: null,
    }
    return { person, community }
  }

  resident(index: number): RegistryPerson {
    // Round the origins so every nationality appears.
    const origin = RESIDENT_ORIGINS[index % RESIDENT_ORIGINS.length] as Origin
    const sex = this.sex()
    return {
      // Alien card numbers: six digits here, so they never look like a citizen's eight.
      idNumber: this.digits(this.idNumbers, 6),
      kind: 'resident',
      firstName: this.random.pick(sex === 'F' ? origin.female : origin.male),
      middleName: null,
      lastName: this.random.pick(origin.surnames),
      dateOfBirth: this.birthDate(21, 70),
      sex,
      county: this.random.pick(RESIDENT_COUNTIES),
      birthCertificateNumber: null,
      parentIdNumber: null,
      nationality: origin.nationality,
    }
  }

  /** One to three children born while the parent was 18 to 45, and at most 15 on the reference date. */
  children({ person: parent, community }: Adult): RegistryPerson[] {
    const earliest = Math.max(toDay(addYears(parent.dateOfBirth, 18)), toDay(addYears(DEMO_REFERENCE_DATE, -16)) + 1)
    const latest = Math.min(toDay(addYears(parent.dateOfBirth, 45)), toDay(DEMO_REFERENCE_DATE))
    if (earliest > latest) return []
    const count = this.random.int(1, 3)
    return Array.from({ length: count }, () => {
      const sex = this.sex()
      const firstName = this.firstName(community, sex)
      return {
        idNumber: null,
        kind: 'minor' as const,
        firstName,
        middleName: this.random.chance(0.7) ? this.middleName(community, sex, [firstName, parent.lastName]) : null,
        lastName: parent.lastName,
        dateOfBirth: fromDay(this.random.int(earliest, latest)),
        sex,
        county: parent.county,
        birthCertificateNumber: this.digits(this.certificates, 9),
        parentIdNumber: parent.idNumber,
        nationality: null,
      }
    })
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.random.int(0, i)
      ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
    }
    return copy
  }

  private distinct<T>(items: readonly T[], count: number): T[] {
    const chosen = new Set<T>()
    while (chosen.size < Math.min(count, items.length)) chosen.add(this.random.pick(items))
    return [...chosen]
  }

  business(index: number, adults: readonly RegistryPerson[]): RegistryBusiness {
    const isCompany = index % 2 === 1
    const directors = this.distinct(adults, this.random.int(1, isCompany ? 3 : 2))
    const first = directors[0] as RegistryPerson
    // Registered once every director was an adult, and after 2000.
    const earliest = Math.max(toDay('2000-01-01'), ...directors.map((d) => toDay(addYears(d.dateOfBirth, 18))))
    const registeredOn = fromDay(this.random.int(earliest, toDay(DEMO_REFERENCE_DATE) - 1))
    const prefix = isCompany ? 'PVT-' : 'BN-'
    const registrationNumber = this.unique(
      this.businessNumbers,
      () => `${prefix}${Array.from({ length: 7 }, () => this.random.pick(REGISTRATION_CHARACTERS)).join('')}`,
    )
    return {
      registrationNumber,
      name: this.unique(this.businessNames, () => this.businessName(isCompany, first)),
      kind: isCompany ? 'private_company' : 'business_name',
      registeredOn,
      directorIdNumbers: directors.map((d) => d.idNumber ?? '').sort(),
    }
  }

  private businessName(isCompany: boolean, owner: RegistryPerson): string {
    const word = this.random.pick(BUSINESS_WORDS)
    const county = this.random.pick(KENYA_COUNTIES)
    if (isCompany) {
      const trade = this.random.pick(COMPANY_TRADES)
      const stem = this.random.pick([word, county, `${owner.lastName} and Sons`, `${word} ${county}`])
      return `${stem} ${trade} Limited`
    }
    const trade = this.random.pick(BUSINESS_NAME_TRADES)
    const stems = [word, county, owner.lastName, `${word} ${owner.lastName}`]
    if (owner.sex === 'F') stems.push(`Mama ${owner.firstName}`)
    return `${this.random.pick(stems)} ${trade}`
  }
}

/** The whole demo register: the fixed people and businesses first, then the generated crowd. */
export function generateDemoRegistry(seed: number = DEMO_SEED): DemoRegistry {
  const builder = new DemoBuilder(seed)
  const citizens = Array.from({ length: DEMO_SIZE.citizens }, () => builder.citizen())
  const residents = Array.from({ length: DEMO_SIZE.residents }, (_, i) => builder.resident(i))
  const minors: RegistryPerson[] = []
  for (const parent of builder.shuffle(citizens)) {
    if (minors.length >= DEMO_SIZE.minimumMinors) break
    minors.push(...builder.children(parent))
  }
  const adults = [...citizens.map((c) => c.person), ...residents]
  const businesses = Array.from({ length: DEMO_SIZE.businesses }, (_, i) => builder.business(i, adults))
  return {
    people: [...FIXED_PEOPLE, ...adults, ...minors],
    businesses: [...FIXED_BUSINESSES, ...businesses],
  }
}
