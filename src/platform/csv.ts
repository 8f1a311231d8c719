/**
 * CSV (RFC 4180) for spreadsheets. Text is always quoted, with its quotes doubled, so commas, quotes
 * and line breaks stay inside their cell. Text that a spreadsheet would run as a formula (starting,
 * after any spaces, with = + - @, or with a tab or carriage return) gets a leading apostrophe, as OWASP
 * advises against CSV injection: a service's or a person's name must never become a formula on an
 * officer's computer. Numbers are ours, written unquoted and unguarded so they stay numbers.
 */

export type CsvValue = string | number | null

const FORMULA = /^(?:\s*[=+\-@]|[\t\r])/

export function csvCell(value: CsvValue): string {
  if (value === null) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  const text = FORMULA.test(value) ? `'${value}` : value
  return `"${text.replace(/"/g, '""')}"`
}

/** Rows to a CSV document: CRLF line ends, as the RFC and spreadsheets expect. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
