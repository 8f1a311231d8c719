import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import { cleanIdentifier, type BusinessRegistry } from '../registry/registry.js'
import { isDirector } from './parties.js'
import { linkBusiness, linkedBusinessNumbers, unlinkBusiness } from './profile-store.js'
import { findAccount } from './store.js'

/** Registration numbers as the business registry issues them: a business name (BN-) or a company (PVT-). */
const REGISTRATION_NUMBER = /^(BN|PVT)-[A-Z0-9]{3,20}$/

export interface LinkedBusiness {
  registrationNumber: string
  /** Null when the registry no longer knows the number. */
  name: string | null
  /** Whether the registry still lists the person as a director: only then can they act for it. */
  director: boolean
}

/** Businesses a person links to their account, to act for them; a director only, by the registry. */
export class BusinessLinkService {
  constructor(
    private readonly db: Db,
    private readonly registry: BusinessRegistry,
  ) {}

  async list(accountId: string): Promise<LinkedBusiness[]> {
    const account = await findAccount(this.db, accountId)
    const numbers = await linkedBusinessNumbers(this.db, accountId)
    return Promise.all(
      numbers.map(async (registrationNumber) => {
        const business = await this.registry.findBusiness(registrationNumber)
        return { registrationNumber, name: business?.name ?? null, director: Boolean(account?.id_number && isDirector(business, account.id_number)) }
      }),
    )
  }

  /**
   * Links a business the registry lists the person as a director of; returns its registration number. An unknown number and a business
   * they do not direct get the same answer: the form must not tell anyone who directs what.
   */
  async link(accountId: string, typed: string, context: RequestContext): Promise<string> {
    const number = cleanIdentifier(typed)
    if (!REGISTRATION_NUMBER.test(number)) throw new Invalid({ registrationNumber: { key: 'businesses.errors.format' } })
    const account = await findAccount(this.db, accountId)
    const idNumber = account && (account.kind === 'citizen' || account.kind === 'resident') ? account.id_number : null
    const business = idNumber ? await this.registry.findBusiness(number) : null
    if (!idNumber || !isDirector(business, idNumber)) {
      await audit(this.db, { action: 'business.link', outcome: 'denied', actorId: accountId, subjectType: 'business', subjectId: number, details: { reason: business ? 'not-director' : 'not-found' } }, context)
      throw new Invalid({ registrationNumber: { key: 'businesses.errors.notLinked' } })
    }
    await this.db.transaction().execute(async (trx) => {
      await linkBusiness(trx, accountId, number)
      await audit(trx, { action: 'business.link', outcome: 'success', actorId: accountId, subjectType: 'business', subjectId: number }, context)
    })
    return number
  }

  /** Removes the person's own link; another person's link (or none) is simply not found. */
  async unlink(accountId: string, typed: string, context: RequestContext): Promise<void> {
    const number = cleanIdentifier(typed)
    await this.db.transaction().execute(async (trx) => {
      if (!(await unlinkBusiness(trx, accountId, number))) throw new NotFound('no such linked business')
      await audit(trx, { action: 'business.unlink', outcome: 'success', actorId: accountId, subjectType: 'business', subjectId: number }, context)
    })
  }
}
