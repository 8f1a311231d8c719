/**
 * Reviewing the suspense account (suspense.ts holds the items): staff list what waits, one person
 * proposes what to do with an item (match it to an invoice, refund it, or dismiss a claim that moved no
 * money) and a second, different person approves or rejects the proposal. What approval does to money is
 * in suspense-effects.ts.
 */
import type { ExpressionBuilder, Selectable } from 'kysely'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Database, Role } from '../../platform/db/schema.js'
import { Invalid, NotFound, type FieldError } from '../../platform/http/errors.js'
import type { PaymentSuspenseTable, SuspenseReason, SuspenseStatus } from './inbox-tables.js'
import { normaliseBillReference } from './invoices.js'
import type { Invoice } from './model.js'
import type { PaymentsDeps } from './service.js'
import { findInvoice, isUuid, type Executor } from './store.js'
import { matchHeld, owedOn, refundHeld, SuspenseRefused } from './suspense-effects.js'

export { owedOn, SuspenseRefused } from './suspense-effects.js'

export type SuspenseRow = Selectable<PaymentSuspenseTable>
export type ProposedAction = 'match' | 'refund' | 'dismiss'

/** Who is reviewing: agency finance staff see their own agency's items; platform admins see every item. */
export interface Reviewer {
  accountId: string
  role: Role
  agencyCode: string | null
}

export const SUSPENSE_REASONS: readonly SuspenseReason[] = [
  'unknown-reference', 'unknown-prompt', 'late-result', 'amount-mismatch', 'overpayment', 'invoice-closed',
  'currency-mismatch', 'conflicting-result', 'unconfirmed-claim', 'not-our-shortcode',
]
/** The statuses that still wait for a person; the others are resolved. */
export const WAITING: readonly SuspenseStatus[] = ['open', 'proposed']
export const ACTIONS: readonly ProposedAction[] = ['match', 'refund', 'dismiss']
export const LIST_LIMIT = 100

/**
 * Items with no agency (a reference nobody knows) are the platform's: only its admins see them. Anyone
 * else with no agency sees nothing.
 */
function inScope(reviewer: Reviewer) {
  const agency = reviewer.agencyCode
  return (eb: ExpressionBuilder<Database, 'payment_suspense'>) =>
    reviewer.role === 'platform_admin' ? eb.lit(true) : agency ? eb('agency_code', '=', agency) : eb.lit(false)
}

export interface ListFilters {
  reason?: string
  status?: string
}

export async function listSuspense(db: Executor, reviewer: Reviewer, filters: ListFilters) {
  const scope = inScope(reviewer)
  const reason = SUSPENSE_REASONS.find((value) => value === filters.reason)
  const status = WAITING.find((value) => value === filters.status)
  const rows = await db
    .selectFrom('payment_suspense')
    .selectAll()
    .where(scope)
    .where('status', 'in', status ? [status] : [...WAITING])
    .$if(Boolean(reason), (query) => query.where('reason', '=', reason!))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    // One more than shown, to say that there are more.
    .limit(LIST_LIMIT + 1)
    .execute()
  // Everything still held for this reviewer, whatever the filters: what the suspense account owes.
  const held = await db
    .selectFrom('payment_suspense')
    .select((eb) => [eb.fn.coalesce(eb.fn.sum<string>('amount_cents'), eb.lit(0)).as('cents'), eb.fn.countAll<string>().as('count')])
    .where(scope)
    .where('held', '=', true)
    .where('status', 'in', [...WAITING])
    .executeTakeFirstOrThrow()
  return { rows: rows.slice(0, LIST_LIMIT), more: rows.length > LIST_LIMIT, reason, status, heldCents: Number(held.cents), heldCount: Number(held.count) }
}

/** One item the reviewer may see (else undefined: not found, never "forbidden"); `lock` for a change. */
export async function findSuspense(db: Executor, reviewer: Reviewer, id: string, lock = false): Promise<SuspenseRow | undefined> {
  if (!isUuid(id)) return undefined
  const query = db.selectFrom('payment_suspense').selectAll().where(inScope(reviewer)).where('id', '=', id)
  return (lock ? query.forUpdate() : query).executeTakeFirst()
}

/**
 * What identifies one proposal: the approve and reject forms carry it, so a decision is about the
 * proposal the person read, not one made (or remade) since.
 */
export function proposalToken(row: Pick<SuspenseRow, 'proposed_action' | 'proposed_invoice_id' | 'proposed_by' | 'proposed_at'>): string {
  return [row.proposed_action, row.proposed_invoice_id ?? '', row.proposed_by ?? '', row.proposed_at?.getTime() ?? ''].join(':')
}

/**
 * The invoice a match names, checked at its field: it exists and the reviewer may use it (agency
 * finance: their own agency's), it is in shillings as M-Pesa money is, and it still owes something.
 */
export async function invoiceForMatch(db: Executor, reviewer: Reviewer, text: string): Promise<Invoice> {
  const fail = (error: FieldError) => new Invalid({ billReference: error })
  if (!text.trim()) throw fail({ key: 'payments.suspense.errors.billRequired' })
  const reference = normaliseBillReference(text)
  const invoice = reference ? await findInvoice(db, { billReference: reference }) : undefined
  if (!invoice || (reviewer.role !== 'platform_admin' && invoice.agencyCode !== reviewer.agencyCode)) throw fail({ key: 'payments.suspense.errors.billUnknown' })
  if (invoice.currency !== 'KES') throw fail({ key: 'payments.suspense.errors.billCurrency' })
  if (owedOn(invoice) === 0) throw fail({ key: 'payments.suspense.errors.billNotOpen', params: { bill: invoice.billReference } })
  return invoice
}

/** Held money is matched or refunded; a claim that moved none can only be dismissed. */
function allowed(row: SuspenseRow, action: ProposedAction): boolean {
  return row.held ? action !== 'dismiss' : action === 'dismiss'
}

export interface ProposalForm {
  action: string
  billReference: string
  note: string
}

/** Proposes what to do with an open item; a second person decides (approve, reject). */
export async function propose(db: Executor, reviewer: Reviewer, id: string, form: ProposalForm, context: RequestContext): Promise<void> {
  const action = ACTIONS.find((value) => value === form.action)
  if (!action) throw new Invalid({ action: { key: 'payments.suspense.errors.action' } })
  const note = form.note.trim()
  await db.transaction().execute(async (trx) => {
    const row = await findSuspense(trx, reviewer, id, true)
    if (!row) throw new NotFound('no such suspense item')
    if (row.status !== 'open') throw new SuspenseRefused(409, 'changed')
    if (!allowed(row, action)) throw new SuspenseRefused(409, 'notAllowed')
    const invoice = action === 'match' ? await invoiceForMatch(trx, reviewer, form.billReference) : undefined
    // A refund or a dismissal says why; the field is the form's own (one note field per form).
    if (action !== 'match' && !note) throw new Invalid({ [`${action}Note`]: { key: `payments.suspense.errors.${action}NoteRequired` } })
    if (note.length > 1000) throw new Invalid({ [`${action}Note`]: { key: 'payments.suspense.errors.noteLength' } })
    await trx
      .updateTable('payment_suspense')
      // Written from here, to the millisecond, so the token the forms carry compares exactly.
      .set({ status: 'proposed', proposed_action: action, proposed_invoice_id: invoice?.id ?? null, proposed_by: reviewer.accountId, proposed_at: new Date(), proposal_note: note || null })
      .where('id', '=', row.id)
      .execute()
    await audit(trx, suspenseAudit(reviewer, row, 'payment.suspense-proposed', 'success', { proposal: action, billReference: invoice?.billReference ?? null }), context)
  })
}

function suspenseAudit(reviewer: Reviewer, row: SuspenseRow, action: string, outcome: 'success' | 'failure' | 'denied', details: Record<string, string | number | boolean | null>) {
  return {
    action,
    outcome,
    actorId: reviewer.accountId,
    actorRole: reviewer.role,
    subjectType: 'payment_suspense',
    subjectId: row.id,
    details: { agency: row.agency_code, amountCents: Number(row.amount_cents), receipt: row.mpesa_receipt, ...details },
  }
}

/** The item, locked, still carrying the proposal the person read: else 409 (someone acted first). */
async function proposedItem(trx: Executor, reviewer: Reviewer, id: string, token: string): Promise<SuspenseRow> {
  const row = await findSuspense(trx, reviewer, id, true)
  if (!row) throw new NotFound('no such suspense item')
  if (row.status !== 'proposed' || proposalToken(row) !== token) throw new SuspenseRefused(409, 'changed')
  return row
}

/**
 * Approves a proposal in one transaction: the item is locked and must still carry the proposal the
 * approver read (two approving at once: one wins, the other is told 409), the approver is not the
 * proposer (four eyes, 403), and then the money moves (suspense-effects.ts), the item is resolved and the
 * audit entry written, or none of it. A refusal is audited on its own.
 */
export async function approve(deps: PaymentsDeps, reviewer: Reviewer, id: string, token: string, context: RequestContext): Promise<ProposedAction> {
  let seen: SuspenseRow | undefined
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const row = await proposedItem(trx, reviewer, id, token)
      seen = row
      if (row.proposed_by === reviewer.accountId) throw new SuspenseRefused(403, 'ownProposal')
      const action = row.proposed_action!
      if (!allowed(row, action)) throw new SuspenseRefused(409, 'notAllowed')
      const details = action === 'match' ? await matchHeld(trx, deps, row) : action === 'refund' ? await refundHeld(trx, deps, row) : {}
      const status: SuspenseStatus = action === 'match' ? 'matched' : action === 'refund' ? 'refunded' : 'dismissed'
      await trx.updateTable('payment_suspense').set({ status, resolved_by: reviewer.accountId, resolved_at: new Date() }).where('id', '=', row.id).execute()
      await audit(trx, suspenseAudit(reviewer, row, `payment.suspense-${status}`, 'success', { proposedBy: row.proposed_by, ...details }), context)
      return action
    })
  } catch (error) {
    if (seen && error instanceof SuspenseRefused) {
      await audit(deps.db, suspenseAudit(reviewer, seen, 'payment.suspense-approve', error.status === 403 ? 'denied' : 'failure', { reason: error.reason }), context)
    }
    throw error
  }
}

/** Rejects a proposal (the proposer may withdraw their own): the item is open again, for a new one. */
export async function reject(db: Executor, reviewer: Reviewer, id: string, token: string, note: string, context: RequestContext): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await proposedItem(trx, reviewer, id, token)
    await trx
      .updateTable('payment_suspense')
      .set({ status: 'open', proposed_action: null, proposed_invoice_id: null, proposed_by: null, proposed_at: null, proposal_note: null })
      .where('id', '=', row.id)
      .execute()
    // The proposal is gone from the row: the audit entry keeps what it was, and why it was rejected.
    await audit(trx, suspenseAudit(reviewer, row, 'payment.suspense-proposal-rejected', 'success', { proposal: row.proposed_action, proposedBy: row.proposed_by, note: note.trim().slice(0, 500) || null }), context)
  })
}

/** The item's history as the audit log has it, oldest first, with who acted (the log keeps ids as text). */
export async function suspenseHistory(db: Executor, id: string) {
  const entries = await db
    .selectFrom('audit_log')
    .select(['action', 'outcome', 'occurred_at', 'actor_id'])
    .where('subject_type', '=', 'payment_suspense')
    .where('subject_id', '=', id)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
  const ids = [...new Set(entries.map((entry) => entry.actor_id).filter(isUuid))]
  const people = ids.length ? await db.selectFrom('accounts').select(['id', 'first_name', 'last_name']).where('id', 'in', ids).execute() : []
  const names = new Map(people.map((person) => [person.id, `${person.first_name} ${person.last_name}`]))
  return entries.map((entry) => ({ action: entry.action, outcome: entry.outcome, at: entry.occurred_at, who: (entry.actor_id && names.get(entry.actor_id)) || undefined }))
}
