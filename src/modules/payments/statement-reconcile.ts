import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import type { StatementDifferenceKind } from './inbox-tables.js'
import { normaliseBillReference } from './invoices.js'
import { nairobiDay } from './reconcile.js'
import { nairobiDate, readStatement, StatementError, type StatementRow } from './statement.js'
import type { Executor } from './store.js'
import { holdInSuspense } from './suspense.js'

export type DifferenceDetails = Record<string, string | number | boolean | null>

export interface StatementDifference {
  kind: StatementDifferenceKind
  receipt: string | null
  statementAmountCents: number | null
  creditedAmountCents: number | null
  paymentId: string | null
  suspenseId: string | null
  details: DifferenceDetails
}

export interface ReconcileInput {
  csv: string
  fileName: string
  /** The Nairobi day (YYYY-MM-DD); default: the day most of the statement's rows fall on. */
  day?: string
  actorAccountId?: string
  /** For the audit log; a run from the command line has no account. */
  actorRole?: string
  context?: RequestContext
}

export interface ReconcileResult {
  importId: string
  day: string
  rowsRead: number
  skipped: number
  /** Money received on the day, compared with what we credited. */
  paidIn: number
  /** Money paid out (charges, refunds, settlements): listed, never compared. */
  withdrawals: StatementRow[]
  /** Completed rows of other days: not compared (import again with their day). */
  otherDays: number
  differences: StatementDifference[]
}

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}

/** The day most rows fall on; on a tie, the earliest. */
function commonestDay(rows: StatementRow[]): string | undefined {
  const counts = new Map<string, number>()
  for (const row of rows) counts.set(nairobiDate(row.completedAt), (counts.get(nairobiDate(row.completedAt)) ?? 0) + 1)
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0]?.[0]
}

/** The day asked for, checked, or the statement's own. */
function dayOf(rows: StatementRow[], asked: string | undefined): string {
  if (asked !== undefined && asked.trim() !== '') {
    try {
      nairobiDay(asked.trim())
    } catch {
      throw new StatementError([{ key: 'dayFormat', params: { value: asked.slice(0, 20) } }])
    }
    return asked.trim()
  }
  const day = commonestDay(rows)
  if (!day) throw new StatementError([{ key: 'dayNeeded' }])
  return day
}

interface Known {
  paymentId: string | null
  suspenseId: string | null
  /** What the ledger holds for the receipt: the payment's amount, or what suspense holds (0 for a claim not held). */
  creditedCents: number
  held: boolean
}

/** Every receipt of the statement we already know: credited, in suspense, or recorded in mpesa_receipts. */
async function knownReceipts(trx: Executor, receipts: string[]): Promise<Map<string, Known>> {
  const known = new Map<string, Known>()
  if (!receipts.length) return known
  const inList = (column: string) => sql<boolean>`${sql.ref(column)} = any(${receipts}::text[])`
  const suspense = await trx.selectFrom('payment_suspense').select(['id', 'mpesa_receipt', 'amount_cents', 'held']).where(inList('mpesa_receipt')).orderBy('created_at').execute()
  for (const row of suspense) {
    const before = known.get(row.mpesa_receipt!)
    const held = row.held ? Number(row.amount_cents) : 0
    known.set(row.mpesa_receipt!, { paymentId: null, suspenseId: before?.suspenseId ?? row.id, creditedCents: (before?.creditedCents ?? 0) + held, held: Boolean(before?.held) || row.held })
  }
  const recorded = await trx.selectFrom('mpesa_receipts').select(['receipt', 'amount_cents', 'payment_id', 'suspense_id']).where(inList('receipt')).execute()
  for (const row of recorded) {
    known.set(row.receipt, { paymentId: row.payment_id, suspenseId: row.suspense_id, creditedCents: Number(row.amount_cents), held: true })
  }
  // A payment says most precisely what was credited: it wins.
  const payments = await trx.selectFrom('payments').select(['id', 'mpesa_receipt', 'amount_cents']).where(inList('mpesa_receipt')).execute()
  for (const row of payments) known.set(row.mpesa_receipt!, { paymentId: row.id, suspenseId: null, creditedCents: Number(row.amount_cents), held: true })
  return known
}

/**
 * Payments Daraja's query confirmed, whose receipt is to follow: mpesa_receipt null, or (as crediting
 * wrote them before that was allowed) the prompt's CheckoutRequestID standing in for it.
 */
const RECEIPT_TO_FOLLOW = sql<boolean>`(p.mpesa_receipt is null or (p.source = 'query' and p.mpesa_receipt = p.checkout_request_id))`

async function receiptsToFollow(trx: Executor, from: Date, to: Date) {
  // A query confirms minutes after the money moved, perhaps past midnight: a day either side.
  const rows = await trx
    .selectFrom('payments as p')
    .innerJoin('invoices as i', 'i.id', 'p.invoice_id')
    .select(['p.id', 'p.amount_cents', 'i.bill_reference'])
    .where(RECEIPT_TO_FOLLOW)
    .where('p.paid_at', '>=', new Date(from.getTime() - 86_400_000))
    .where('p.paid_at', '<', new Date(to.getTime() + 86_400_000))
    .execute()
  return rows.map((row) => ({ id: row.id, amountCents: Number(row.amount_cents), billReference: row.bill_reference }))
}

const billOf = (row: StatementRow) => (row.accountNumber ? (normaliseBillReference(row.accountNumber) ?? row.accountNumber.toUpperCase().replace(/[\s-]/g, '')) : '')

/** Puts money nobody credited in suspense, held (the suspense desk's own way); undefined if its receipt is already known. */
async function postToSuspense(trx: Executor, row: StatementRow, invoice: { id: string; agency_code: string } | undefined, importId: string): Promise<string | undefined> {
  // holdInSuspense claims the receipt (mpesa_receipts' primary key), in this transaction: a second
  // import of the file adds nothing.
  const held = await holdInSuspense(trx, {
    reason: 'unknown-reference',
    held: true,
    amountCents: row.amountCents,
    phone: row.phone && (toE164(row.phone) ?? row.phone),
    payerName: row.payerName,
    receipt: row.receipt,
    billReference: row.accountNumber,
    invoiceId: invoice?.id ?? null,
    agencyCode: invoice?.agency_code ?? null,
    paidAt: row.completedAt,
    details: { source: 'statement', importId, line: row.line, details: row.details },
  })
  return held.outcome === 'suspense' ? held.suspenseId : undefined
}

/**
 * A receipt-to-follow payment gets its receipt, claimed first as the callback's completion does
 * (credit.ts); false if the receipt is taken or the payment got one meanwhile.
 */
async function completeReceipt(trx: Executor, paymentId: string, row: StatementRow): Promise<boolean> {
  const claimed = await trx
    .insertInto('mpesa_receipts')
    .values({ receipt: row.receipt, amount_cents: row.amountCents, payment_id: paymentId, suspense_id: null })
    .onConflict((oc) => oc.doNothing())
    .returning('receipt')
    .executeTakeFirst()
  if (!claimed) return false
  const updated = await trx.updateTable('payments as p').set({ mpesa_receipt: row.receipt }).where('p.id', '=', paymentId).where(RECEIPT_TO_FOLLOW).executeTakeFirst()
  if (Number(updated.numUpdatedRows)) return true
  await trx.deleteFrom('mpesa_receipts').where('receipt', '=', row.receipt).where('payment_id', '=', paymentId).execute()
  return false
}

const lineDetails = (row: StatementRow): DifferenceDetails => ({ line: row.line, accountNumber: row.accountNumber, completedAt: row.completedAt.toISOString() })

/** The differences among the day's money received, written as they are found (suspense, receipts). */
async function compareReceived(trx: Executor, rows: StatementRow[], importId: string, from: Date, to: Date): Promise<{ differences: StatementDifference[]; completed: Set<string> }> {
  const differences: StatementDifference[] = []
  const known = await knownReceipts(trx, rows.map((row) => row.receipt))
  const unknown: StatementRow[] = []
  for (const row of rows) {
    const found = known.get(row.receipt)
    if (!found) unknown.push(row)
    else if (found.creditedCents !== row.amountCents) {
      const details = { ...lineDetails(row), held: found.held }
      differences.push({ kind: 'amount-differs', receipt: row.receipt, statementAmountCents: row.amountCents, creditedAmountCents: found.creditedCents, paymentId: found.paymentId, suspenseId: found.suspenseId, details })
    }
  }
  // A receipt-to-follow payment takes the one unknown row with its bill reference and amount, if only one.
  const key = (bill: string, cents: number) => `${bill}|${cents}`
  const rowsByKey = groupBy(unknown, (row) => key(billOf(row), row.amountCents))
  const paymentsByKey = groupBy(await receiptsToFollow(trx, from, to), (payment) => key(payment.billReference, payment.amountCents))
  const completed = new Set<string>()
  const settled = new Set<StatementRow>()
  for (const [match, payments] of paymentsByKey) {
    const candidates = rowsByKey.get(match) ?? []
    if (!candidates.length) continue
    if (candidates.length === 1 && payments.length === 1) {
      const [row, payment] = [candidates[0]!, payments[0]!]
      if (await completeReceipt(trx, payment.id, row)) {
        completed.add(payment.id)
        differences.push({ kind: 'receipt-completed', receipt: row.receipt, statementAmountCents: row.amountCents, creditedAmountCents: payment.amountCents, paymentId: payment.id, suspenseId: null, details: lineDetails(row) })
      }
    } else {
      // Which row paid which payment cannot be told: none goes to suspense (that would count the money
      // twice); a person matches them.
      for (const row of candidates) {
        const details = { ...lineDetails(row), ambiguous: true, candidates: payments.length }
        differences.push({ kind: 'not-credited', receipt: row.receipt, statementAmountCents: row.amountCents, creditedAmountCents: null, paymentId: payments.length === 1 ? payments[0]!.id : null, suspenseId: null, details })
      }
    }
    for (const row of candidates) settled.add(row)
  }
  const left = unknown.filter((row) => !settled.has(row))
  const bills = [...new Set(left.map(billOf).filter(Boolean))]
  const invoices = bills.length ? await trx.selectFrom('invoices').select(['id', 'bill_reference', 'agency_code']).where(sql<boolean>`bill_reference = any(${bills}::text[])`).execute() : []
  const invoiceOf = new Map(invoices.map((invoice) => [invoice.bill_reference, invoice]))
  for (const row of left) {
    const invoice = invoiceOf.get(billOf(row))
    const suspenseId = await postToSuspense(trx, row, invoice, importId)
    if (!suspenseId) continue
    const details = { ...lineDetails(row), invoiceFound: Boolean(invoice) }
    differences.push({ kind: 'not-credited', receipt: row.receipt, statementAmountCents: row.amountCents, creditedAmountCents: null, paymentId: null, suspenseId, details })
  }
  return { differences, completed }
}

/** Money we credited or hold for the day that the statement does not show. */
async function compareCredited(trx: Executor, inStatement: Set<string>, completed: Set<string>, from: Date, to: Date): Promise<StatementDifference[]> {
  const differences: StatementDifference[] = []
  const payments = await trx
    .selectFrom('payments as p')
    .select(['p.id', 'p.mpesa_receipt', 'p.amount_cents', RECEIPT_TO_FOLLOW.as('to_follow')])
    .where('p.paid_at', '>=', from)
    .where('p.paid_at', '<', to)
    .where('p.source', 'in', ['stk', 'c2b', 'query'])
    .orderBy('p.paid_at')
    .execute()
  for (const payment of payments) {
    if (completed.has(payment.id) || (!payment.to_follow && inStatement.has(payment.mpesa_receipt!))) continue
    const receipt = payment.to_follow ? null : payment.mpesa_receipt
    differences.push({ kind: 'not-in-statement', receipt, statementAmountCents: null, creditedAmountCents: Number(payment.amount_cents), paymentId: payment.id, suspenseId: null, details: { receiptToFollow: Boolean(payment.to_follow) } })
  }
  const held = await trx
    .selectFrom('payment_suspense')
    .select(['id', 'mpesa_receipt', 'amount_cents', 'reason'])
    .where('held', '=', true)
    .where(sql<boolean>`coalesce(paid_at, created_at) >= ${from} and coalesce(paid_at, created_at) < ${to}`)
    .orderBy('created_at')
    .execute()
  for (const item of held) {
    if (item.mpesa_receipt && inStatement.has(item.mpesa_receipt)) continue
    differences.push({ kind: 'not-in-statement', receipt: item.mpesa_receipt, statementAmountCents: null, creditedAmountCents: Number(item.amount_cents), paymentId: null, suspenseId: item.id, details: { reason: item.reason } })
  }
  return differences
}

/**
 * Compares an M-Pesa statement with what we credited for one Nairobi day and records the import and each
 * difference, in one transaction: money nobody credited goes to suspense (held, with its ledger entry),
 * a receipt-to-follow payment gets its receipt. Importing the same file again adds nothing (the
 * receipts' primary key). Throws StatementError for a file that cannot be read (audited too).
 */
export async function reconcileStatement(db: Executor, input: ReconcileInput): Promise<ReconcileResult> {
  const fileName = input.fileName.slice(0, 200) || 'statement.csv'
  const actor = { actorId: input.actorAccountId ?? null, actorRole: input.actorRole ?? (input.actorAccountId ? null : 'command-line') }
  let statement: ReturnType<typeof readStatement>
  let day: string
  try {
    statement = readStatement(input.csv)
    day = dayOf(statement.rows, input.day)
  } catch (error) {
    if (error instanceof StatementError) {
      await audit(db, { action: 'payments.statement-import', outcome: 'failure', ...actor, details: { fileName, problems: error.problems.length } }, input.context)
    }
    throw error
  }
  const { from, to } = nairobiDay(day)
  const received = statement.rows.filter((row) => row.direction === 'in')
  const ofDay = received.filter((row) => nairobiDate(row.completedAt) === day)
  const withdrawals = statement.rows.filter((row) => row.direction === 'out')
  const importId = randomUUID()
  const differences = await db.transaction().execute(async (trx) => {
    const { differences: found, completed } = await compareReceived(trx, ofDay, importId, from, to)
    found.push(...(await compareCredited(trx, new Set(received.map((row) => row.receipt)), completed, from, to)))
    await trx.insertInto('mpesa_statement_imports').values({ id: importId, file_name: fileName, day, rows_read: statement.rowsRead, differences: found.length, imported_by: input.actorAccountId ?? null }).execute()
    // In slices: PostgreSQL takes at most 65,535 parameters a statement, and a busy day has thousands of rows.
    for (let start = 0; start < found.length; start += 1000) {
      await trx
        .insertInto('mpesa_statement_differences')
        .values(
          found.slice(start, start + 1000).map((d) => ({
            import_id: importId, kind: d.kind, receipt: d.receipt, statement_amount_cents: d.statementAmountCents, credited_amount_cents: d.creditedAmountCents,
            payment_id: d.paymentId, suspense_id: d.suspenseId, details: JSON.stringify(d.details),
          })),
        )
        .execute()
    }
    const count = (kind: StatementDifferenceKind) => found.filter((d) => d.kind === kind).length
    const details = {
      fileName, day, rowsRead: statement.rowsRead, skipped: statement.skipped, paidIn: ofDay.length, withdrawn: withdrawals.length, otherDays: received.length - ofDay.length,
      notCredited: count('not-credited'), notInStatement: count('not-in-statement'), amountDiffers: count('amount-differs'), receiptCompleted: count('receipt-completed'),
    }
    await audit(trx, { action: 'payments.statement-import', outcome: 'success', ...actor, subjectType: 'mpesa_statement_import', subjectId: importId, details }, input.context)
    return found
  })
  const otherDays = received.length - ofDay.length
  return { importId, day, rowsRead: statement.rowsRead, skipped: statement.skipped, paidIn: ofDay.length, withdrawals, otherDays, differences }
}
