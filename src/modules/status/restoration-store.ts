import type { Db } from '../../platform/db/database.js'
import { agencyComponentId } from './model.js'

/** One piece of a person's work an incident interrupted, and where they pick it up again. */
export interface InterruptedWork {
  accountId: string
  kind: 'draft' | 'payment' | 'submission'
  /** A path on the portal. */
  resumePath: string
  /** The application reference or bill reference the work is about, when there is one. */
  subject?: string
  at: Date
}

export interface IncidentWindow {
  components: string[]
  startedAt: Date
  resolvedAt: Date
}

/** Prompts that ended this way did not take the money: the person still has to pay. */
const UNFINISHED_PROMPTS = ['failed', 'timeout', 'unknown'] as const

/**
 * The work an incident interrupted, still unfinished now: drafts saved during it (for an affected
 * agency, or any when the whole portal was affected), payment prompts that failed or timed out during it
 * on invoices still unpaid, and starts of work that were refused outright. Three indexed reads, bounded
 * by the incident's window.
 */
export async function findInterruptedWork(db: Db, window: IncidentWindow): Promise<InterruptedWork[]> {
  const affects = (component: string) => window.components.includes('portal') || window.components.includes(component)
  const work: InterruptedWork[] = []
  const agencies = window.components.includes('portal')
    ? undefined
    : window.components.filter((c) => c.startsWith('agency-'))
  if (agencies === undefined || agencies.length > 0) {
    let drafts = db
      .selectFrom('applications')
      .select(['id', 'reference', 'account_id', 'agency_code', 'updated_at'])
      .where('status', '=', 'draft')
      .where('updated_at', '>=', window.startedAt)
      .where('updated_at', '<=', window.resolvedAt)
    if (agencies) drafts = drafts.where('agency_code', 'in', (await agencyCodes(db)).filter((code) => agencies.includes(agencyComponentId(code))))
    for (const row of await drafts.execute()) {
      work.push({ accountId: row.account_id, kind: 'draft', resumePath: `/applications/${row.id}`, subject: row.reference, at: new Date(row.updated_at) })
    }
  }
  if (affects('payments-prompt')) {
    const prompts = await db
      .selectFrom('mpesa_prompts as p')
      .innerJoin('invoices as i', 'i.id', 'p.invoice_id')
      .select(['i.account_id', 'i.bill_reference', 'p.created_at'])
      .where('p.status', 'in', UNFINISHED_PROMPTS)
      .where('p.created_at', '>=', window.startedAt)
      .where('p.created_at', '<=', window.resolvedAt)
      .where('i.status', 'in', ['pending', 'partly-paid'])
      .execute()
    for (const row of prompts) {
      work.push({ accountId: row.account_id, kind: 'payment', resumePath: `/payments/invoices/${row.bill_reference}`, subject: row.bill_reference, at: new Date(row.created_at) })
    }
  }
  const refused = await db
    .selectFrom('status_interruptions')
    .select(['account_id', 'component', 'work', 'subject', 'resume_path', 'occurred_at'])
    .where('occurred_at', '>=', window.startedAt)
    .where('occurred_at', '<=', window.resolvedAt)
    .execute()
  for (const row of refused) {
    if (affects(row.component)) work.push({ accountId: row.account_id, kind: row.work, resumePath: row.resume_path, subject: row.subject ?? undefined, at: new Date(row.occurred_at) })
  }
  return work
}

async function agencyCodes(db: Db): Promise<string[]> {
  return (await db.selectFrom('agencies').select('code').execute()).map((row) => row.code)
}

/** Each person's latest interrupted work: the notice sends them to one place, the one they were at last. */
export function latestPerPerson(work: InterruptedWork[]): Map<string, InterruptedWork> {
  const latest = new Map<string, InterruptedWork>()
  for (const item of work) {
    const seen = latest.get(item.accountId)
    if (!seen || item.at > seen.at) latest.set(item.accountId, item)
  }
  return latest
}

export async function contactsOf(db: Db, accountIds: string[]) {
  if (accountIds.length === 0) return []
  return db.selectFrom('accounts').select(['id', 'email', 'phone', 'language']).where('id', 'in', accountIds).execute()
}
