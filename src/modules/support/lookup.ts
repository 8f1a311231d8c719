import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { normaliseReference } from '../services/reference.js'
import { accountContact, accountsMatching, applicationsOf, invoicesOf, ticketsOfAccount, type LookupKeys } from './store.js'
import type { Actor } from './service.js'

/**
 * What one search box's text could be: an email, a reference (an application's or a ticket's, and
 * the bill reference written without dashes), a phone number however written (07…, +2547…, 2547…),
 * or an ID or passport number. Every reading is tried: "0712345678" is a phone, never an ID.
 */
export function lookupKeys(text: string): LookupKeys {
  const query = text.trim().slice(0, 100)
  if (!query) return {}
  if (query.includes('@')) return { email: query.toLowerCase() }
  const reference = normaliseReference(query)
  if (reference) return { reference, billReference: reference.replace(/-/g, '') }
  const phone = toE164(query)
  const compact = query.replace(/\s/g, '').toUpperCase()
  return { phone, idNumber: !phone && /^[A-Z0-9]{5,12}$/.test(compact) ? compact : undefined }
}

/** The people an identifier names, each with their applications, invoices and tickets (read-only). */
export async function lookUpPeople(db: Db, actor: Actor, text: string, context: RequestContext) {
  const keys = lookupKeys(text)
  const ids = Object.values(keys).some(Boolean) ? await accountsMatching(db, keys) : []
  // Every look at a person's records is on the record, including the ones that found nobody.
  await audit(
    db,
    {
      action: 'support.lookup',
      outcome: 'success',
      actorId: actor.accountId,
      actorRole: actor.role,
      subjectType: ids.length === 1 ? 'account' : undefined,
      subjectId: ids.length === 1 ? ids[0] : undefined,
      details: { query: text.trim().slice(0, 100), matches: ids.length, accounts: ids.join(',') },
    },
    context,
  )
  return Promise.all(
    ids.map(async (id) => ({
      account: await accountContact(db, id),
      applications: await applicationsOf(db, id),
      invoices: await invoicesOf(db, id),
      tickets: await ticketsOfAccount(db, id),
    })),
  )
}
