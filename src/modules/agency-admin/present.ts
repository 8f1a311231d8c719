import type { Language, Translate } from '../../platform/i18n/i18n.js'
import { barChart } from './chart.js'
import { toCsv, type CsvValue } from '../../platform/csv.js'
import type { DateRange } from './report-math.js'
import type { Cell, ColumnKind, Report } from './reports.js'

const DECIMALS: Record<ColumnKind, number> = { text: 0, count: 0, days: 1, money: 2, percent: 1 }

const formats = new Map<string, Intl.NumberFormat>()
function numberFormat(language: Language, decimals: number): Intl.NumberFormat {
  const key = `${language}:${decimals}`
  let format = formats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(language === 'sw' ? 'sw-KE' : 'en-KE', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
    formats.set(key, format)
  }
  return format
}

/** A value as the page writes it, in the person's language; a share of nothing is a dash. */
export function formatCell(kind: ColumnKind, value: Cell, language: Language): string {
  if (value === null) return '—'
  if (typeof value === 'string') return value
  const text = numberFormat(language, DECIMALS[kind]).format(value)
  return kind === 'percent' ? `${text}%` : text
}

/** Rounded as the page shows it, so the file and the page agree. */
function csvNumber(kind: ColumnKind, value: Cell): CsvValue {
  if (typeof value !== 'number') return value
  const factor = 10 ** DECIMALS[kind]
  return Math.round(value * factor) / factor
}

export function reportCsv(report: Report): string {
  return toCsv([
    report.columns.map((column) => column.label),
    ...[...report.rows, ...report.totals].map((row) => row.map((value, i) => csvNumber(report.columns[i]!.kind, value))),
  ])
}

export function csvHref(name: string, range: DateRange): string {
  return `/backoffice/admin/reports/${name}.csv?${new URLSearchParams({ from: range.from, to: range.to }).toString()}`
}

/** What the page shows of a report: its table (govukTable rows) and its chart, drawn from the same rows. */
export function reportView(report: Report, range: DateRange, language: Language, t: Translate) {
  const title = t(`agencyAdmin.reports.${report.name}.title`)
  const cells = (row: Cell[], bold = false) =>
    row.map((value, i) => {
      const kind = report.columns[i]!.kind
      const text = formatCell(kind, value, language)
      return { text, format: kind === 'text' ? undefined : 'numeric', classes: bold ? 'govuk-!-font-weight-bold' : undefined }
    })
  const { column, labelColumns } = report.chart
  const bars = report.rows.map((row) => ({
    label: labelColumns.map((i) => String(row[i])).join(' – '),
    value: typeof row[column] === 'number' ? (row[column] as number) : 0,
    display: formatCell(report.columns[column]!.kind, row[column] ?? null, language),
  }))
  const description = `${t('agencyAdmin.reports.chartDescription', { measure: report.columns[column]!.label })} ${bars.map((bar) => `${bar.label}: ${bar.display}`).join('; ')}`
  return {
    name: report.name,
    title,
    intro: t(`agencyAdmin.reports.${report.name}.intro`),
    head: report.columns.map((c) => ({ text: c.label, format: c.kind === 'text' ? undefined : 'numeric' })),
    rows: [...report.rows.map((row) => cells(row)), ...report.totals.map((row) => cells(row, true))],
    empty: report.rows.length === 0,
    chart: bars.length > 0 ? barChart({ id: `chart-${report.name}`, title, description, bars, max: report.columns[column]!.kind === 'percent' ? 100 : undefined }) : '',
    csvHref: csvHref(report.name, range),
  }
}
