import type { InvoiceCurrency } from './tables.js'
import type { Executor } from './store.js'

/**
 * The ledger's accounts. Money received sits in customer clearing (a liability: it is the payer's until
 * the invoice is paid in full); then the invoice's total moves to the agency's revenue and the platform's
 * convenience fees. Overpayments stay in clearing until refunded; refunds are owed from refunds-payable.
 */
export const ACCOUNTS = {
  cash: 'mpesa-paybill',
  clearing: 'customer-clearing',
  convenience: 'platform-convenience-fees',
  refunds: 'refunds-payable',
  agencyRevenue: (agency: string) => `agency-revenue:${agency}`,
} as const

export interface Posting {
  account: string
  debit?: number
  credit?: number
}

export interface Entry {
  invoiceId: string
  kind: 'payment-received' | 'revenue-recognised' | 'refund'
  currency: InvoiceCurrency
  paymentId?: string
  refundId?: string
  postings: Posting[]
}

/**
 * An entry's postings without the empty ones, checked to balance in integer cents: here to fail early
 * with a clear message; the database checks again at commit (a deferred trigger), so no code path can
 * skip it.
 */
export function balancedPostings(entry: Pick<Entry, 'kind' | 'postings'>): Posting[] {
  const postings = entry.postings.filter((posting) => (posting.debit ?? 0) > 0 || (posting.credit ?? 0) > 0)
  const debits = postings.reduce((sum, posting) => sum + (posting.debit ?? 0), 0)
  const credits = postings.reduce((sum, posting) => sum + (posting.credit ?? 0), 0)
  if (debits !== credits || debits === 0) throw new Error(`unbalanced ledger entry ${entry.kind}: debits ${debits}, credits ${credits}`)
  for (const posting of postings) {
    if (!Number.isSafeInteger(posting.debit ?? 0) || !Number.isSafeInteger(posting.credit ?? 0)) throw new Error('ledger amounts are integer cents')
  }
  return postings
}

/** Writes one balanced entry in the caller's transaction (see balancedPostings). */
export async function post(trx: Executor, entry: Entry): Promise<string> {
  const postings = balancedPostings(entry)
  const { id } = await trx
    .insertInto('ledger_entries')
    .values({ invoice_id: entry.invoiceId, kind: entry.kind, payment_id: entry.paymentId ?? null, refund_id: entry.refundId ?? null })
    .returning('id')
    .executeTakeFirstOrThrow()
  await trx
    .insertInto('ledger_lines')
    .values(postings.map((posting) => ({ entry_id: id, account: posting.account, currency: entry.currency, debit_cents: posting.debit ?? 0, credit_cents: posting.credit ?? 0 })))
    .execute()
  return id
}

/** Entries whose lines do not balance, per currency: none, ever (the property test asks after every step). */
export async function unbalancedEntries(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('ledger_entries')
    .leftJoin('ledger_lines', 'ledger_lines.entry_id', 'ledger_entries.id')
    .select('ledger_entries.id')
    .groupBy(['ledger_entries.id', 'ledger_lines.currency'])
    .having((eb) => eb.or([eb(eb.fn.coalesce(eb.fn.sum('debit_cents'), eb.lit(0)), '<>', eb.fn.coalesce(eb.fn.sum('credit_cents'), eb.lit(0))), eb(eb.fn.count('ledger_lines.id'), '=', 0)]))
    .execute()
  return rows.map((row) => row.id)
}
