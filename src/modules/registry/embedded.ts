import {
  adulthoodCutoff,
  assertDate,
  cleanIdentifier,
  identityMatches,
  kenyaToday,
  type BusinessRegistry,
  type IdentityClaim,
  type PopulationRegistry,
  type RegistryBusiness,
  type RegistryPerson,
} from './registry.js'
import {
  findBusinessByNumber,
  findBusinessesByDirector,
  findChildren,
  findPersonByBirthCertificate,
  findPersonByIdNumber,
} from './store.js'
import type { AnyDb } from './tables.js'

/** The population register kept in our own database (demo and development, or a register of last resort). */
export class EmbeddedPopulationRegistry implements PopulationRegistry {
  constructor(private readonly db: AnyDb) {}

  findPerson(idNumber: string): Promise<RegistryPerson | null> {
    return findPersonByIdNumber(this.db, cleanIdentifier(idNumber))
  }

  async matchIdentity(claim: IdentityClaim): Promise<RegistryPerson | null> {
    const person = await this.findPerson(claim.idNumber)
    return person && identityMatches(person, claim) ? person : null
  }

  async childrenOf(parentIdNumber: string, today: string = kenyaToday()): Promise<RegistryPerson[]> {
    assertDate(today, 'today')
    return findChildren(this.db, cleanIdentifier(parentIdNumber), adulthoodCutoff(today))
  }

  findByBirthCertificate(number: string): Promise<RegistryPerson | null> {
    return findPersonByBirthCertificate(this.db, cleanIdentifier(number))
  }
}

/** The business registry kept in our own database. */
export class EmbeddedBusinessRegistry implements BusinessRegistry {
  constructor(private readonly db: AnyDb) {}

  findBusiness(registrationNumber: string): Promise<RegistryBusiness | null> {
    return findBusinessByNumber(this.db, cleanIdentifier(registrationNumber))
  }

  businessesDirectedBy(idNumber: string): Promise<RegistryBusiness[]> {
    return findBusinessesByDirector(this.db, cleanIdentifier(idNumber))
  }
}
