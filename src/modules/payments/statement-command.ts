import fs from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { Db } from '../../platform/db/database.js'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import { decodeStatement, problemText, StatementError } from './statement.js'
import { reconcileStatement } from './statement-reconcile.js'
import { findImport, suspenseHref } from './statement-store.js'

export const PAYMENTS_HELP = `Usage:
  ecitizen payments reconcile --statement FILE [--day YYYY-MM-DD]

Compares an M-Pesa organisation statement (the CSV the M-Pesa organisation portal exports) with what
the portal credited for one Nairobi day (default: the day most of the statement's rows fall on), and
records every difference; /admin/payments/reconciliation shows them. Money received that nobody
credited is put in suspense; a payment whose receipt was to follow gets it. Importing the same file
again adds nothing. docs/OPERATIONS.md explains each difference and what to do.

Exit status: 0 no differences, 1 differences (listed), 2 the file cannot be read or the options are wrong.`

const STATEMENT_MAX_BYTES = 5 * 1024 * 1024
/** An instant as Nairobi wall-clock time, as the statement gives it. */
const nairobiTime = (instant: Date) => new Date(instant.getTime() + 3 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')
const amount = (cents: number | null) => (cents === null ? '-' : (cents / 100).toLocaleString('en-KE', { minimumFractionDigits: 2, maximumFractionDigits: 2 }))

/** `ecitizen payments …`: returns the exit code; what it prints goes to `out`. */
export async function paymentsCommand(db: Db, argv: string[], out: (line: string) => void): Promise<number> {
  const [action, ...rest] = argv
  let values: { statement?: string; day?: string; help?: boolean }
  try {
    values = parseArgs({ args: rest, options: { statement: { type: 'string' }, day: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values
  } catch (error) {
    out(`${(error as Error).message}\n\n${PAYMENTS_HELP}`)
    return 2
  }
  if (values.help) {
    out(PAYMENTS_HELP)
    return 0
  }
  if (action !== 'reconcile' || !values.statement) {
    out(PAYMENTS_HELP)
    return 2
  }
  const t = new Translator(loadMessages()).for('en')
  let bytes: Buffer
  try {
    bytes = await fs.readFile(values.statement)
  } catch (error) {
    out(`ecitizen: cannot read ${values.statement}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    return 2
  }
  if (bytes.length > STATEMENT_MAX_BYTES) {
    out(`ecitizen: ${values.statement} is larger than 5 MB; export one day at a time`)
    return 2
  }
  let result
  try {
    result = await reconcileStatement(db, { csv: decodeStatement(bytes), fileName: path.basename(values.statement), day: values.day })
  } catch (error) {
    if (!(error instanceof StatementError)) throw error
    out(`ecitizen: ${values.statement} cannot be reconciled:`)
    for (const problem of error.problems) out(`  ${problemText(t, problem)}`)
    return 2
  }
  out(
    `Statement ${path.basename(values.statement)} for ${result.day}: ${result.rowsRead} rows read, ${result.skipped} not completed (skipped), ` +
      `${result.paidIn} received on the day, ${result.otherDays} received on other days (not compared), ${result.withdrawals.length} paid out (not compared).`,
  )
  if (result.withdrawals.length) {
    out('Paid out (not compared):')
    for (const row of result.withdrawals) out(`  ${row.receipt.padEnd(12)} ${nairobiTime(row.completedAt)} ${amount(row.amountCents).padStart(12)}  ${row.details}`)
  }
  const details = (await findImport(db, result.importId))!
  if (!details.differenceRows.length) {
    out('No differences.')
    return 0
  }
  out(`Differences: ${details.differenceRows.length} (import ${result.importId})`)
  out(`  ${'difference'.padEnd(20)} ${'receipt'.padEnd(12)} ${'statement'.padStart(12)} ${'portal'.padStart(12)}  where`)
  for (const d of details.differenceRows) {
    const where = d.suspenseId
      ? suspenseHref(d.suspenseId)
      : d.paymentId
        ? `payment ${d.receiptNumber} (bill ${d.billReference}, application ${d.applicationReference})`
        : ''
    const note = d.details.ambiguous ? ` - ${t('payments.statement.notes.ambiguous')}` : ''
    out(`  ${t(`payments.statement.kinds.${d.kind}`).padEnd(20)} ${(d.receipt ?? '-').padEnd(12)} ${amount(d.statementAmountCents).padStart(12)} ${amount(d.creditedAmountCents).padStart(12)}  ${where}${note}`)
  }
  return 1
}
