import { sql } from 'kysely'
import type { StatementDifferenceKind } from './inbox-tables.js'
import { isUuid, type Executor } from './store.js'
import type { StatementDifference } from './statement-reconcile.js'

export const DIFFERENCE_KINDS: readonly StatementDifferenceKind[] = ['not-credited', 'not-in-statement', 'amount-differs', 'receipt-completed']

export interface ImportSummary {
  id: string
  fileName: string
  day: string | null
  rowsRead: number
  differences: number
  counts: Record<StatementDifferenceKind, number>
  importedBy: string | null
  createdAt: Date
}

/** The suspense item's page (the suspense desk, another part of the payments module). */
export const suspenseHref = (id: string) => `/admin/payments/suspense/${id}`

function importsQuery(db: Executor) {
  return db
    .selectFrom('mpesa_statement_imports as m')
    .leftJoin('accounts as a', 'a.id', 'm.imported_by')
    .select(['m.id', 'm.file_name', 'm.rows_read', 'm.differences', 'm.created_at', 'a.email'])
    // A date column comes back as a Date at the process's local midnight from pg: as text, it is the day.
    .select(sql<string | null>`to_char(m.day, 'YYYY-MM-DD')`.as('day'))
    .select((eb) =>
      DIFFERENCE_KINDS.map((kind) =>
        eb.selectFrom('mpesa_statement_differences as d').select((sub) => sub.fn.countAll<string>().as('n')).whereRef('d.import_id', '=', 'm.id').where('d.kind', '=', kind).as(kind),
      ),
    )
}

type ImportRow = Awaited<ReturnType<ReturnType<typeof importsQuery>['executeTakeFirstOrThrow']>>

function toSummary(row: ImportRow): ImportSummary {
  const record = row as unknown as Record<StatementDifferenceKind, string | number | null>
  return {
    id: row.id,
    fileName: row.file_name,
    day: row.day,
    rowsRead: row.rows_read,
    differences: row.differences,
    counts: Object.fromEntries(DIFFERENCE_KINDS.map((kind) => [kind, Number(record[kind] ?? 0)])) as Record<StatementDifferenceKind, number>,
    importedBy: row.email,
    createdAt: row.created_at,
  }
}

/** Past imports, newest first. */
export async function listImports(db: Executor, limit = 50): Promise<ImportSummary[]> {
  const rows = await importsQuery(db).orderBy('m.created_at', 'desc').orderBy('m.id').limit(limit).execute()
  return rows.map(toSummary)
}

/** A recorded difference as the import page shows it. */
export interface DifferenceRow extends Omit<StatementDifference, 'details'> {
  details: Record<string, unknown>
  /** For a payment: our receipt number, its bill reference and application. */
  receiptNumber: string | null
  billReference: string | null
  applicationReference: string | null
}

export interface ImportDetails extends ImportSummary {
  /** What the import's audit entry counted beyond the table's columns (rows skipped, paid out, other days). */
  tally: Record<string, unknown>
  differenceRows: DifferenceRow[]
}

/** One import with each difference and what it links to; undefined for no such import. */
export async function findImport(db: Executor, id: string): Promise<ImportDetails | undefined> {
  if (!isUuid(id)) return undefined
  const row = await importsQuery(db).where('m.id', '=', id).executeTakeFirst()
  if (!row) return undefined
  const entry = await db
    .selectFrom('audit_log')
    .select('details')
    .where('subject_type', '=', 'mpesa_statement_import')
    .where('subject_id', '=', id)
    .where('action', '=', 'payments.statement-import')
    .executeTakeFirst()
  const differences = await db
    .selectFrom('mpesa_statement_differences as d')
    .leftJoin('payments as p', 'p.id', 'd.payment_id')
    .leftJoin('invoices as i', 'i.id', 'p.invoice_id')
    .leftJoin('applications as a', 'a.id', 'i.application_id')
    .select(['d.kind', 'd.receipt', 'd.statement_amount_cents', 'd.credited_amount_cents', 'd.payment_id', 'd.suspense_id', 'd.details', 'p.receipt_number', 'i.bill_reference', 'a.reference'])
    .where('d.import_id', '=', id)
    .orderBy('d.id')
    .execute()
  const money = (value: string | number | null) => (value === null ? null : Number(value))
  const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null
  return {
    ...toSummary(row),
    tally: parse(entry?.details) ?? {},
    differenceRows: differences.map((d) => ({
      kind: d.kind,
      receipt: d.receipt,
      statementAmountCents: money(d.statement_amount_cents),
      creditedAmountCents: money(d.credited_amount_cents),
      paymentId: d.payment_id,
      suspenseId: d.suspense_id,
      details: parse(d.details) ?? {},
      receiptNumber: d.receipt_number,
      billReference: d.bill_reference,
      applicationReference: d.reference,
    })),
  }
}
