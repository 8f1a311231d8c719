import { readBusiness, readBusinesses, readChildren, readPerson } from './contract.js'
import { RegistryHttpClient, segment, type RegistryHttpOptions } from './http-client.js'
import {
  assertDate,
  cleanIdentifier,
  identityMatches,
  isUnder18,
  kenyaToday,
  type BusinessRegistry,
  type IdentityClaim,
  type PopulationRegistry,
  type RegistryBusiness,
  type RegistryPerson,
} from './registry.js'

/** Code-unit order, the same as PostgreSQL's "C" collation: results come out in the embedded register's order. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The national population register over its JSON HTTP API (docs/REGISTRY-API.md). */
export class HttpPopulationRegistry implements PopulationRegistry {
  private readonly client: RegistryHttpClient

  constructor(options: RegistryHttpOptions) {
    this.client = new RegistryHttpClient('population registry', options)
  }

  async findPerson(idNumber: string): Promise<RegistryPerson | null> {
    const id = cleanIdentifier(idNumber)
    if (!id) return null
    const body = await this.client.get(`people/${segment(id)}`)
    return body === null ? null : readPerson(body)
  }

  // Matching happens here, with the same rule as the embedded register, so the answer never depends
  // on which register is configured.
  async matchIdentity(claim: IdentityClaim): Promise<RegistryPerson | null> {
    const person = await this.findPerson(claim.idNumber)
    return person && identityMatches(person, claim) ? person : null
  }

  async childrenOf(parentIdNumber: string, today: string = kenyaToday()): Promise<RegistryPerson[]> {
    assertDate(today, 'today')
    const id = cleanIdentifier(parentIdNumber)
    if (!id) return []
    const body = await this.client.get(`people/${segment(id)}/children`)
    if (body === null) return []
    // The register may list grown-up children too; "under 18" is decided here, on our date.
    return readChildren(body)
      .filter((child) => child.parentIdNumber === id && isUnder18(child.dateOfBirth, today))
      .sort((a, b) => compare(b.dateOfBirth, a.dateOfBirth) || compare(a.birthCertificateNumber ?? '', b.birthCertificateNumber ?? ''))
  }

  async findByBirthCertificate(number: string): Promise<RegistryPerson | null> {
    const clean = cleanIdentifier(number)
    if (!clean) return null
    const body = await this.client.get(`birth-certificates/${segment(clean)}`)
    return body === null ? null : readPerson(body)
  }
}

/** The business registry over its JSON HTTP API (docs/REGISTRY-API.md). */
export class HttpBusinessRegistry implements BusinessRegistry {
  private readonly client: RegistryHttpClient

  constructor(options: RegistryHttpOptions) {
    this.client = new RegistryHttpClient('business registry', options)
  }

  async findBusiness(registrationNumber: string): Promise<RegistryBusiness | null> {
    const number = cleanIdentifier(registrationNumber)
    if (!number) return null
    const body = await this.client.get(`businesses/${segment(number)}`)
    return body === null ? null : readBusiness(body)
  }

  async businessesDirectedBy(idNumber: string): Promise<RegistryBusiness[]> {
    const id = cleanIdentifier(idNumber)
    if (!id) return []
    const body = await this.client.get(`directors/${segment(id)}/businesses`)
    if (body === null) return []
    return readBusinesses(body).sort(
      (a, b) => compare(a.registeredOn, b.registeredOn) || compare(a.registrationNumber, b.registrationNumber),
    )
  }
}
