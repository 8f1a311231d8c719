import type { DateBound, Period } from './definition.js'

/** Calendar dates as `YYYY-MM-DD` strings: they compare correctly as text and carry no time zone. */
export type IsoDate = string

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/
const BOUND = /^today(?:([+-])(\d{1,3})([dmy]))?$/

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

function iso(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** The date if `year`, `month` and `day` name a real day between years 1000 and 9999. */
export function makeDate(year: number, month: number, day: number): IsoDate | undefined {
  if (![year, month, day].every(Number.isInteger)) return undefined
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  return iso(year, month, day)
}

export function isIsoDate(text: string): boolean {
  const match = ISO.exec(text)
  return Boolean(match && makeDate(Number(match[1]), Number(match[2]), Number(match[3])))
}

// Made once: building an Intl formatter costs far more than using one.
const KENYA_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Nairobi', year: 'numeric', month: '2-digit', day: '2-digit' })

/** Today in Kenya (East Africa Time), whatever the server's zone. */
export function todayInKenya(now = new Date()): IsoDate {
  return KENYA_DAY.format(now)
}

/** Adds days, months or years; a day past the new month's end becomes its last day (29 Feb + 1y = 28 Feb). */
export function addToDate(date: IsoDate, amount: number, unit: 'd' | 'm' | 'y'): IsoDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  if (unit === 'd') {
    const shifted = new Date(Date.UTC(year, month - 1, day + amount))
    return iso(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate())
  }
  const months = year * 12 + (month - 1) + (unit === 'y' ? amount * 12 : amount)
  const newYear = Math.floor(months / 12)
  const newMonth = (months % 12) + 1
  return iso(newYear, newMonth, Math.min(day, daysInMonth(newYear, newMonth)))
}

export function isDateBound(bound: string): boolean {
  return BOUND.test(bound) || isIsoDate(bound)
}

/** A bound from a definition (`today`, `today-18y`, `2024-03-01`) as a date, given today's date. */
export function resolveBound(bound: DateBound, today: IsoDate): IsoDate {
  const relative = BOUND.exec(bound)
  if (!relative) return bound
  if (!relative[1]) return today
  const amount = Number(relative[2]) * (relative[1] === '-' ? -1 : 1)
  return addToDate(today, amount, relative[3] as 'd' | 'm' | 'y')
}

/** When a document issued on `issued` stops being valid: the day before the period has passed. */
export function expiryDate(issued: IsoDate, period: Period): IsoDate {
  const end =
    period.years !== undefined
      ? addToDate(issued, period.years, 'y')
      : period.months !== undefined
        ? addToDate(issued, period.months, 'm')
        : addToDate(issued, period.days ?? 0, 'd')
  return addToDate(end, -1, 'd')
}

/** 27/03/2007: the day-month-year order people in Kenya write. */
export function formatDate(date: IsoDate): string {
  const [year, month, day] = date.split('-')
  return `${day}/${month}/${year}`
}
