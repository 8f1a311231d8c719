import type { Db } from '../../platform/db/database.js'
import { cleanIdentifier, isUnder18, kenyaToday, type BusinessRegistry, type PopulationRegistry, type RegistryBusiness, type RegistryPerson } from '../registry/registry.js'
import { isBusinessLinked, linkedBusinessNumbers } from './profile-store.js'
import { findAccount, type Account } from './store.js'

/** Whom a person acts for when they apply: themselves, a child under 18, or a business they direct. */
export type Party = { kind: 'self' } | { kind: 'dependant'; birthCertificateNumber: string } | { kind: 'business'; registrationNumber: string }

export interface PartyOption {
  party: Party
  /** For forms: 'self', 'dependant:<birth certificate>', 'business:<registration number>' (see parseParty). */
  value: string
  /** The person's or business's name, as the registry has it. */
  name: string
}

export function partyValue(party: Party): string {
  if (party.kind === 'self') return 'self'
  return party.kind === 'dependant' ? `dependant:${party.birthCertificateNumber}` : `business:${party.registrationNumber}`
}

/** A form's party value back into a Party; undefined for anything malformed. Whether it is allowed is mayActFor's. */
export function parseParty(value: unknown): Party | undefined {
  if (value === 'self') return { kind: 'self' }
  const match = typeof value === 'string' ? /^(dependant|business):([A-Za-z0-9-]{1,40})$/.exec(value) : null
  if (!match) return undefined
  const id = cleanIdentifier(match[2]!)
  return match[1] === 'dependant' ? { kind: 'dependant', birthCertificateNumber: id } : { kind: 'business', registrationNumber: id }
}

export function fullName(person: Pick<RegistryPerson, 'firstName' | 'middleName' | 'lastName'>): string {
  return [person.firstName, person.middleName, person.lastName].filter(Boolean).join(' ')
}

/** Only citizens and residents are in the population register, tied to it by their ID number. */
function registeredIdNumber(account: Account | undefined): string | undefined {
  return account && (account.kind === 'citizen' || account.kind === 'resident') && account.id_number ? account.id_number : undefined
}

export function isDirector(business: RegistryBusiness | null, idNumber: string): business is RegistryBusiness {
  return Boolean(business?.directorIdNumbers.includes(idNumber))
}

/**
 * Who a person may act for, decided by the registries every time they are asked: nothing here is
 * cached or stored as a grant. A child who turns 18, or a director the registry no longer lists, stops
 * being an option at once. (The account_businesses row only records which businesses the person chose
 * to link; it grants nothing by itself.)
 */
export class PartiesService {
  constructor(
    private readonly db: Db,
    private readonly population: PopulationRegistry,
    private readonly business: BusinessRegistry,
    /** Today's date in Kenya ('YYYY-MM-DD'); a parameter so tests can move the clock. */
    private readonly today: () => string = () => kenyaToday(),
  ) {}

  /** Children under 18 registered to the person; empty for visitors, staff and anyone without an ID number. */
  async dependants(accountId: string): Promise<RegistryPerson[]> {
    const idNumber = registeredIdNumber(await findAccount(this.db, accountId))
    return idNumber ? this.population.childrenOf(idNumber, this.today()) : []
  }

  /** Linked businesses the person still directs, with the registry's record of each. */
  async businesses(accountId: string): Promise<RegistryBusiness[]> {
    const idNumber = registeredIdNumber(await findAccount(this.db, accountId))
    if (!idNumber) return []
    const found = await Promise.all((await linkedBusinessNumbers(this.db, accountId)).map((number) => this.business.findBusiness(number)))
    return found.filter((business) => isDirector(business, idNumber))
  }

  async partiesFor(accountId: string): Promise<PartyOption[]> {
    const account = await findAccount(this.db, accountId)
    if (!account) return []
    const [children, businesses] = await Promise.all([this.dependants(accountId), this.businesses(accountId)])
    const options: PartyOption[] = [{ party: { kind: 'self' }, value: 'self', name: `${account.first_name} ${account.last_name}` }]
    for (const child of children) {
      if (!child.birthCertificateNumber) continue
      const party: Party = { kind: 'dependant', birthCertificateNumber: child.birthCertificateNumber }
      options.push({ party, value: partyValue(party), name: fullName(child) })
    }
    for (const business of businesses) {
      const party: Party = { kind: 'business', registrationNumber: business.registrationNumber }
      options.push({ party, value: partyValue(party), name: business.name })
    }
    return options
  }

  async mayActFor(accountId: string, party: Party): Promise<boolean> {
    const account = await findAccount(this.db, accountId)
    if (!account) return false
    if (party.kind === 'self') return true
    const idNumber = registeredIdNumber(account)
    if (!idNumber) return false
    if (party.kind === 'dependant') {
      const child = await this.population.findByBirthCertificate(party.birthCertificateNumber)
      return Boolean(child && child.parentIdNumber === idNumber && isUnder18(child.dateOfBirth, this.today()))
    }
    const number = cleanIdentifier(party.registrationNumber)
    if (!(await isBusinessLinked(this.db, accountId, number))) return false
    return isDirector(await this.business.findBusiness(number), idNumber)
  }
}
