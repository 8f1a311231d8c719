import type { Db } from '../../platform/db/database.js'
import type { Language, Translate } from '../../platform/i18n/i18n.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { todayInKenya, type IsoDate } from '../services/dates.js'
import { workingDaysBetween } from '../applications/working-days.js'
import { calendarDays, percentile, periodOf, type DateRange } from './report-math.js'
import { applicationCounts, decisions, overdueNow, revenue, settlementDays, slaMoves } from './reports-store.js'

export const REPORT_NAMES = ['applications-by-service', 'applications-by-stage', 'sla', 'time-to-decision', 'revenue'] as const
export type ReportName = (typeof REPORT_NAMES)[number]

export function isReportName(name: string): name is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(name)
}

/** How a column's values are written: counts whole, days to one decimal, money to cents, shares as percent. */
export type ColumnKind = 'text' | 'count' | 'days' | 'money' | 'percent'
export type Cell = string | number | null

/** One report, the same for the page's table, its chart and its CSV file. */
export interface Report {
  name: ReportName
  columns: { label: string; kind: ColumnKind }[]
  rows: Cell[][]
  /** Rows that sum up the others ("All services"), shown after them. */
  totals: Cell[][]
  /** The chart's bars: a label and the column of each row it draws. */
  chart: { column: number; labelColumns: number[] }
}

const n = (value: string | number | null | undefined) => Number(value ?? 0)
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0)

/** The agency's reports for a range of days, from its applications, their timelines and the ledger. */
export class AgencyReports {
  constructor(
    readonly db: Db,
    private readonly catalogue: ServiceCatalogue,
    private readonly today: () => IsoDate = () => todayInKenya(),
  ) {}

  todayInKenya(): IsoDate {
    return this.today()
  }

  private serviceName(slug: string, language: Language): string {
    return this.catalogue.latest(slug)?.name[language] ?? slug
  }

  private stageName(slug: string, version: number, stage: string, language: Language): string {
    const find = (definition = this.catalogue.version(slug, version)) => definition?.workflow.stages.find((candidate) => candidate.id === stage)
    return (find() ?? find(this.catalogue.latest(slug)))?.name[language] ?? stage
  }

  async build(name: ReportName, agency: string, range: DateRange, language: Language, t: Translate): Promise<Report> {
    switch (name) {
      case 'applications-by-service':
        return this.byService(agency, range, language, t)
      case 'applications-by-stage':
        return this.byStage(agency, range, language, t)
      case 'sla':
        return this.sla(agency, range, language, t)
      case 'time-to-decision':
        return this.timeToDecision(agency, range, language, t)
      case 'revenue':
        return this.revenue(agency, range, language, t)
    }
  }

  private async byService(agency: string, range: DateRange, language: Language, t: Translate): Promise<Report> {
    const counts = new Map<string, { submitted: number; open: number; issued: number; rejected: number; withdrawn: number }>()
    for (const row of await applicationCounts(this.db, agency, periodOf(range))) {
      const entry = counts.get(row.service_slug) ?? { submitted: 0, open: 0, issued: 0, rejected: 0, withdrawn: 0 }
      entry.submitted += n(row.n)
      if (row.outcome === 'issued' || row.outcome === 'rejected' || row.outcome === 'withdrawn') entry[row.outcome] += n(row.n)
      else entry.open += n(row.n)
      counts.set(row.service_slug, entry)
    }
    const rows = [...counts].map(([slug, c]): Cell[] => [this.serviceName(slug, language), c.submitted, c.open, c.issued, c.rejected, c.withdrawn]).sort(byLabel)
    return {
      name: 'applications-by-service',
      columns: [
        { label: t('agencyAdmin.reports.columns.service'), kind: 'text' },
        { label: t('agencyAdmin.reports.columns.submitted'), kind: 'count' },
        { label: t('agencyAdmin.reports.columns.open'), kind: 'count' },
        { label: t('agencyAdmin.reports.columns.issued'), kind: 'count' },
        { label: t('agencyAdmin.reports.columns.rejected'), kind: 'count' },
        { label: t('agencyAdmin.reports.columns.withdrawn'), kind: 'count' },
      ],
      rows,
      totals: rows.length > 1 ? [[t('agencyAdmin.reports.allServices'), ...[1, 2, 3, 4, 5].map((i) => sum(rows.map((row) => row[i] as number)))]] : [],
      chart: { column: 1, labelColumns: [0] },
    }
  }

  private async byStage(agency: string, range: DateRange, language: Language, t: Translate): Promise<Report> {
    const counts = new Map<string, { service: string; stage: string; count: number }>()
    for (const row of await applicationCounts(this.db, agency, periodOf(range))) {
      // Versions of a service share stage ids: one row per service and stage, named as its version names it.
      const key = `${row.service_slug}\u0000${row.stage ?? ''}`
      const entry = counts.get(key) ?? { service: this.serviceName(row.service_slug, language), stage: this.stageName(row.service_slug, row.definition_version, row.stage ?? '', language), count: 0 }
      entry.count += n(row.n)
      counts.set(key, entry)
    }
    const rows = [...counts.values()].map((c): Cell[] => [c.service, c.stage, c.count]).sort(byLabel)
    return {
      name: 'applications-by-stage',
      columns: [
        { label: t('agencyAdmin.reports.columns.service'), kind: 'text' },
        { label: t('agencyAdmin.reports.columns.stage'), kind: 'text' },
        { label: t('agencyAdmin.reports.columns.applications'), kind: 'count' },
      ],
      rows,
      totals: [],
      chart: { column: 2, labelColumns: [0, 1] },
    }
  }

  private async sla(agency: string, range: DateRange, language: Language, t: Translate): Promise<Report> {
    const bySlug = new Map<string, { moves: number; onTime: number; overdue: number }>()
    const entry = (slug: string) => bySlug.get(slug) ?? bySlug.set(slug, { moves: 0, onTime: 0, overdue: 0 }).get(slug)!
    for (const row of await slaMoves(this.db, agency, periodOf(range))) {
      const counts = entry(row.service_slug)
      counts.moves += n(row.moves)
      counts.onTime += n(row.on_time)
    }
    for (const row of await overdueNow(this.db, agency, this.today())) entry(row.service_slug).overdue += n(row.n)
    const line = (label: string, c: { moves: number; onTime: number; overdue: number }): Cell[] => [
      label, c.moves, c.onTime, c.moves - c.onTime, c.moves ? (100 * c.onTime) / c.moves : null, c.overdue,
    ]
    const rows = [...bySlug].map(([slug, c]) => line(this.serviceName(slug, language), c)).sort(byLabel)
    const all = [...bySlug.values()].reduce((a, c) => ({ moves: a.moves + c.moves, onTime: a.onTime + c.onTime, overdue: a.overdue + c.overdue }), { moves: 0, onTime: 0, overdue: 0 })
    return {
      name: 'sla',
      columns: [
        { label: t('agencyAdmin.reports.columns.service'), kind: 'text' },
        { label: t('agencyAdmin.reports.columns.moves'), kind: 'count' },
        { label: t('agencyAdmin.reports.columns.onTime'), kind: 'count' },
        { label: t('agencyAdmin.reports.columns.late'), kind: 'count' },
        { label: t('agencyAdmin.reports.columns.onTimeShare'), kind: 'percent' },
        { label: t('agencyAdmin.reports.columns.overdueNow'), kind: 'count' },
      ],
      rows,
      totals: rows.length > 1 ? [line(t('agencyAdmin.reports.allServices'), all)] : [],
      chart: { column: 4, labelColumns: [0] },
    }
  }

  private async timeToDecision(agency: string, range: DateRange, language: Language, t: Translate): Promise<Report> {
    const bySlug = new Map<string, { calendar: number[]; working: number[] }>()
    for (const row of await decisions(this.db, agency, periodOf(range))) {
      const lists = bySlug.get(row.service_slug) ?? bySlug.set(row.service_slug, { calendar: [], working: [] }).get(row.service_slug)!
      const calendar = calendarDays(row.submitted_day, row.decided_day)
      const working = workingDaysBetween(row.submitted_day, row.decided_day)
      for (let i = 0; i < n(row.n); i++) {
        lists.calendar.push(calendar)
        lists.working.push(working)
      }
    }
    const line = (label: string, lists: { calendar: number[]; working: number[] }): Cell[] => {
      const calendar = [...lists.calendar].sort((a, b) => a - b)
      const working = [...lists.working].sort((a, b) => a - b)
      return [label, calendar.length, percentile(calendar, 0.5), percentile(calendar, 0.9), percentile(working, 0.5), percentile(working, 0.9)]
    }
    const rows = [...bySlug].map(([slug, lists]) => line(this.serviceName(slug, language), lists)).sort(byLabel)
    const all = { calendar: [...bySlug.values()].flatMap((l) => l.calendar), working: [...bySlug.values()].flatMap((l) => l.working) }
    return {
      name: 'time-to-decision',
      columns: [
        { label: t('agencyAdmin.reports.columns.service'), kind: 'text' },
        { label: t('agencyAdmin.reports.columns.decisions'), kind: 'count' },
        { label: t('agencyAdmin.reports.columns.medianCalendar'), kind: 'days' },
        { label: t('agencyAdmin.reports.columns.p90Calendar'), kind: 'days' },
        { label: t('agencyAdmin.reports.columns.medianWorking'), kind: 'days' },
        { label: t('agencyAdmin.reports.columns.p90Working'), kind: 'days' },
      ],
      rows,
      totals: rows.length > 1 ? [line(t('agencyAdmin.reports.allServices'), all)] : [],
      chart: { column: 4, labelColumns: [0] },
    }
  }

  private async revenue(agency: string, range: DateRange, language: Language, t: Translate): Promise<Report> {
    const lines = await revenue(this.db, agency, periodOf(range))
    const line = (label: string, currency: string, credit: number, debit: number): Cell[] => [label, currency, credit / 100, debit / 100, (credit - debit) / 100]
    const rows = lines.map((row) => line(this.serviceName(row.service_slug, language), row.currency, n(row.credit), n(row.debit))).sort(byLabel)
    const currencies = [...new Set(lines.map((row) => row.currency))].sort()
    const totals = lines.length > 1
      ? currencies.map((currency) => {
          const of = lines.filter((row) => row.currency === currency)
          return line(t('agencyAdmin.reports.allServices'), currency, sum(of.map((row) => n(row.credit))), sum(of.map((row) => n(row.debit))))
        })
      : []
    return {
      name: 'revenue',
      columns: [
        { label: t('agencyAdmin.reports.columns.service'), kind: 'text' },
        { label: t('agencyAdmin.reports.columns.currency'), kind: 'text' },
        { label: t('agencyAdmin.reports.columns.collected'), kind: 'money' },
        { label: t('agencyAdmin.reports.columns.refunded'), kind: 'money' },
        { label: t('agencyAdmin.reports.columns.net'), kind: 'money' },
      ],
      rows,
      totals,
      chart: { column: 4, labelColumns: [0, 1] },
    }
  }

  /** The days of the range with payments to the agency, newest first, with the settlement file's totals. */
  async settlement(agency: string, range: DateRange) {
    const rows = await settlementDays(this.db, agency, periodOf(range))
    return rows.map((row) => ({
      day: row.day,
      currency: row.currency,
      payments: n(row.payments),
      amountCents: n(row.amount),
      governmentCents: n(row.government),
      convenienceCents: n(row.convenience),
      overpaidCents: n(row.overpaid),
    }))
  }
}

/** Rows in the order of their label columns, as people look them up. */
function byLabel(a: Cell[], b: Cell[]): number {
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'string') break
    const order = String(a[i]).localeCompare(String(b[i]))
    if (order !== 0) return order
  }
  return 0
}
