import { Invalid, type FieldError } from '../../platform/http/errors.js'
import { addToDate, type IsoDate } from '../services/dates.js'
import type { Period } from './reports-store.js'

/** A report's period in Kenyan calendar days, both included. */
export interface DateRange {
  from: IsoDate
  to: IsoDate
}

export const DEFAULT_DAYS = 30
/** A year and a day: enough for annual figures, small enough to keep one report's queries quick. */
export const MAX_DAYS = 366

const ISO = /^\d{4}-\d{2}-\d{2}$/
const EAT_OFFSET_MS = 3 * 3_600_000 // Kenya keeps UTC+3 all year (no daylight saving).

export function isIsoDate(text: string): boolean {
  return ISO.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)
}

/** Whole days from one date to another (negative when `to` is earlier). */
export function calendarDays(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/**
 * The p-quantile (0..1) of ascending values, interpolating between neighbours as PostgreSQL's
 * percentile_cont does: the median of 4, 6, 8 and 10 is 7, their 90th percentile 9.4.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const position = p * (sorted.length - 1)
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low)
}

/** The instants a range covers: from the start of its first Kenyan day to the end of its last. */
export function periodOf(range: DateRange): Period {
  const from = new Date(Date.parse(`${range.from}T00:00:00Z`) - EAT_OFFSET_MS)
  const to = new Date(Date.parse(`${range.to}T00:00:00Z`) - EAT_OFFSET_MS + 86_400_000)
  return { from, to }
}

export function defaultRange(today: IsoDate): DateRange {
  return { from: addToDate(today, -(DEFAULT_DAYS - 1), 'd'), to: today }
}

/** What the person typed in the range form, trimmed (to show back beside an error). */
export function typedRange(query: Record<string, unknown>): { from: string; to: string } {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim().slice(0, 20) : '')
  return { from: text('from'), to: text('to') }
}

/** The range a query asks for; the last 30 days when it asks for none. An unusable one is Invalid, at its field. */
export function readRange(query: Record<string, unknown>, today: IsoDate): DateRange {
  const typed = typedRange(query)
  const fallback = defaultRange(today)
  const range = { from: typed.from || fallback.from, to: typed.to || fallback.to }
  const errors: Record<string, FieldError> = {}
  if (!isIsoDate(range.from)) errors.from = { key: 'agencyAdmin.range.errors.date' }
  if (!isIsoDate(range.to)) errors.to = { key: 'agencyAdmin.range.errors.date' }
  if (!errors.from && !errors.to) {
    const days = calendarDays(range.from, range.to) + 1
    if (days < 1) errors.to = { key: 'agencyAdmin.range.errors.order' }
    else if (days > MAX_DAYS) errors.to = { key: 'agencyAdmin.range.errors.tooLong', params: { max: MAX_DAYS } }
  }
  if (Object.keys(errors).length > 0) throw new Invalid(errors)
  return range
}
