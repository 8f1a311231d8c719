import type { Translate } from '../../platform/i18n/i18n.js'

/**
 * Reading the M-Pesa organisation statement (the CSV the organisation portal exports) into rows of
 * money received and paid out. Real exports start with a few lines about the account and period, quote
 * fields that hold commas ("1,100.00", "254712345678 - JOHN DOE") and give Nairobi times: all accepted.
 * A file that cannot be read is refused whole, with every problem and its line, never half-read.
 */

/** A problem with the file, said in the person's language through `key` (payments.statement.problems.*). */
export interface StatementProblem {
  line?: number
  key: string
  params?: Record<string, string | number>
}

/** A problem in the reader's language, its line number included. */
export function problemText(t: Translate, problem: StatementProblem): string {
  return t(`payments.statement.problems.${problem.key}`, { ...problem.params, ...(problem.line === undefined ? {} : { line: problem.line }) })
}

export class StatementError extends Error {
  constructor(readonly problems: StatementProblem[]) {
    super(`the statement cannot be read: ${problems.length} problem(s)`)
  }
}

export interface StatementRow {
  /** The file line the row starts on. */
  line: number
  receipt: string
  completedAt: Date
  /** Money received (Paid In) or paid out (Withdrawn: charges, refunds, settlements), in cents. */
  direction: 'in' | 'out'
  amountCents: number
  details: string
  /** From Other Party Info, "254712345678 - JOHN DOE": the phone may be masked ("2547******678"). */
  phone: string | null
  payerName: string | null
  /** A/C No.: the bill reference a paybill payer typed (or the STK prompt's AccountReference). */
  accountNumber: string | null
}

export interface Statement {
  rows: StatementRow[]
  /** Transaction rows read after the column row, whatever their status. */
  rowsRead: number
  /** Rows whose Transaction Status is not Completed: moved no money. */
  skipped: number
}

/** One CSV record and the line it starts on. */
export interface CsvRecord {
  line: number
  fields: string[]
}

/**
 * RFC 4180: fields separated by commas, records by CRLF or LF; a quoted field may hold commas, line
 * breaks and doubled quotes. A quote left open is the only thing it refuses (the file is cut short).
 */
export function readCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  let line = 1
  let start = 1
  let quoted = false
  let quoteLine = 0
  const endRecord = () => {
    fields.push(field)
    // Blank lines separate nothing: skipped, as spreadsheets do.
    if (fields.length > 1 || fields[0] !== '') records.push({ line: start, fields })
    fields = []
    field = ''
  }
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else {
        if (char === '\n') line++
        field += char
      }
    } else if (char === '"' && field.trim() === '') {
      quoted = true
      quoteLine = line
      field = ''
    } else if (char === ',') {
      fields.push(field)
      field = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++
      endRecord()
      line++
      start = line
    } else field += char
  }
  if (quoted) throw new StatementError([{ line: quoteLine, key: 'unclosedQuote' }])
  if (field !== '' || fields.length) endRecord()
  return records
}

/** The columns the statement is read by; the others are optional. Names compare without case, spaces or dots. */
const REQUIRED = { receipt: 'Receipt No.', completed: 'Completion Time', status: 'Transaction Status', paidIn: 'Paid In', withdrawn: 'Withdrawn' } as const
const OPTIONAL = { details: 'Details', party: 'Other Party Info', account: 'A/C No.' } as const
type Column = keyof typeof REQUIRED | keyof typeof OPTIONAL
const columnKey = (name: string) => name.toLowerCase().replace(/[\s.]/g, '')

interface Header {
  index: number
  columnCount: number
  columns: Partial<Record<Column, number>>
}

function findHeader(records: CsvRecord[]): Header | StatementProblem[] {
  let best: { index: number; found: number } | undefined
  for (const [index, record] of records.entries()) {
    const names = record.fields.map(columnKey)
    const columns: Partial<Record<Column, number>> = {}
    for (const [column, name] of Object.entries({ ...REQUIRED, ...OPTIONAL })) {
      const at = names.indexOf(columnKey(name))
      if (at >= 0) columns[column as Column] = at
    }
    const found = Object.keys(REQUIRED).filter((column) => columns[column as Column] !== undefined).length
    if (found === Object.keys(REQUIRED).length) return { index, columnCount: record.fields.length, columns }
    if (found > 0 && (!best || found > best.found)) best = { index, found }
  }
  // The row that looks most like the column row says which columns are missing, at its line.
  const closest = best && records[best.index]!
  const names = closest?.fields.map(columnKey) ?? []
  return Object.values(REQUIRED)
    .filter((name) => !names.includes(columnKey(name)))
    .map((name) => ({ line: closest?.line, key: closest ? 'missingColumn' : 'noHeader', params: { column: name } }))
}

const NAIROBI_OFFSET_MS = 3 * 3_600_000 // Kenya keeps UTC+3 all year.

/** "2026-12-07 14:03:11", "07-12-2026 14:03:11" or "07/12/2026 14:03:11", Nairobi time; undefined if not one. */
export function parseCompletionTime(text: string): Date | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim())
  const dayFirst = /^(\d{2})[-/](\d{2})[-/](\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim())
  const match = iso ? iso.slice(1) : dayFirst && [dayFirst[3], dayFirst[2], dayFirst[1], ...dayFirst.slice(4)]
  if (!match) return undefined
  const [year, month, day, hour, minute, second] = match.map((part) => Number(part ?? 0)) as [number, number, number, number, number, number]
  const utc = Date.UTC(year, month - 1, day, hour, minute, second)
  const check = new Date(utc)
  // Date.UTC rolls 31 June over to 1 July: a date that does not exist is refused instead.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined
  return new Date(utc - NAIROBI_OFFSET_MS)
}

/** The Nairobi calendar day (YYYY-MM-DD) of an instant. */
export function nairobiDate(instant: Date): string {
  return new Date(instant.getTime() + NAIROBI_OFFSET_MS).toISOString().slice(0, 10)
}

/** "1,100.00", "1100", "-50.00" (some exports sign withdrawals) to cents; 0 for empty; NaN when not an amount. */
export function parseAmount(text: string): number {
  const compact = text.trim().replace(/,/g, '')
  if (compact === '' || compact === '-') return 0
  if (!/^-?\d{1,12}(\.\d{1,2})?$/.test(compact)) return Number.NaN
  return Math.abs(Math.round(Number(compact) * 100))
}

/** "254712345678 - JOHN DOE" to its phone and name; either may be missing. */
export function parseOtherParty(text: string): { phone: string | null; payerName: string | null } {
  const match = /^\s*([0-9*+]{6,20})\s*-\s*(.*?)\s*$/.exec(text)
  if (!match) return { phone: null, payerName: text.trim().slice(0, 200) || null }
  return { phone: match[1]!, payerName: match[2]!.slice(0, 200) || null }
}

const RECEIPT = /^[A-Z0-9]{6,40}$/
/** Past this many, the rest of a hopeless file is not listed: the first ones say what is wrong. */
const MAX_PROBLEMS = 20

/** Reads a statement; throws StatementError with every problem (up to MAX_PROBLEMS) and its line. */
export function readStatement(text: string): Statement {
  const records = readCsv(text.replace(/^\uFEFF/, ''))
  const header = findHeader(records)
  if (Array.isArray(header)) throw new StatementError(header)
  const { columns } = header
  const problems: StatementProblem[] = []
  const rows: StatementRow[] = []
  const seen = new Map<string, number>()
  let rowsRead = 0
  let skipped = 0
  for (const record of records.slice(header.index + 1)) {
    if (problems.length >= MAX_PROBLEMS) {
      problems.push({ line: record.line, key: 'stopped', params: { max: MAX_PROBLEMS } })
      break
    }
    const cell = (column: Column) => (columns[column] === undefined ? '' : (record.fields[columns[column]!] ?? '').trim())
    const line = record.line
    // A footer ("Total", a disclaimer) has no receipt and no status: not a transaction.
    if (!cell('receipt') && !cell('status')) continue
    rowsRead++
    // More fields than columns: most likely an amount with a comma that was not quoted.
    if (record.fields.slice(header.columnCount).some((extra) => extra.trim() !== '')) {
      problems.push({ line, key: 'tooManyFields' })
      continue
    }
    if (cell('status').toLowerCase() !== 'completed') {
      skipped++
      continue
    }
    const receipt = cell('receipt').toUpperCase()
    const completedAt = parseCompletionTime(cell('completed'))
    const paidIn = parseAmount(cell('paidIn'))
    const withdrawn = parseAmount(cell('withdrawn'))
    const before = problems.length
    if (!RECEIPT.test(receipt)) problems.push({ line, key: 'receipt', params: { value: cell('receipt').slice(0, 40) } })
    if (!completedAt) problems.push({ line, key: 'time', params: { value: cell('completed').slice(0, 40) } })
    if (Number.isNaN(paidIn)) problems.push({ line, key: 'amount', params: { column: REQUIRED.paidIn, value: cell('paidIn').slice(0, 40) } })
    if (Number.isNaN(withdrawn)) problems.push({ line, key: 'amount', params: { column: REQUIRED.withdrawn, value: cell('withdrawn').slice(0, 40) } })
    if (problems.length > before) continue
    if ((paidIn > 0) === (withdrawn > 0)) {
      problems.push({ line, key: paidIn > 0 ? 'bothAmounts' : 'noAmount' })
      continue
    }
    // A charge shares its payment's receipt number; two payments in never do.
    const direction = paidIn > 0 ? 'in' : 'out'
    const firstLine = direction === 'in' ? seen.get(receipt) : undefined
    if (firstLine !== undefined) {
      problems.push({ line, key: 'duplicate', params: { receipt, first: firstLine } })
      continue
    }
    if (direction === 'in') seen.set(receipt, line)
    rows.push({
      line,
      receipt,
      completedAt: completedAt!,
      direction,
      amountCents: paidIn || withdrawn,
      details: cell('details').slice(0, 200),
      ...parseOtherParty(cell('party')),
      accountNumber: cell('account').slice(0, 40) || null,
    })
  }
  if (problems.length) throw new StatementError(problems)
  return { rows, rowsRead, skipped }
}

/** A file's bytes as text: UTF-8, or (for an export saved by an older spreadsheet) Windows Latin-1. */
export function decodeStatement(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('latin1').decode(bytes)
  }
}
