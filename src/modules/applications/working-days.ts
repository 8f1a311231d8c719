import { addToDate, type IsoDate } from '../services/dates.js'

/**
 * Kenyan public holidays (Public Holidays Act, Cap. 110, as amended in 2024), as data. Fixed days are
 * listed by month and day; Easter is worked out; Idd-ul-Fitr is gazetted each year from the sighting of
 * the moon, so its dates are listed (add next year's when the Cabinet Secretary gazettes it, and any
 * one-off holiday the same way).
 */
export const FIXED_HOLIDAYS: readonly { month: number; day: number; name: string }[] = [
  { month: 1, day: 1, name: "New Year's Day" },
  { month: 5, day: 1, name: 'Labour Day' },
  { month: 6, day: 1, name: 'Madaraka Day' },
  { month: 10, day: 10, name: 'Mazingira Day' },
  { month: 10, day: 20, name: 'Mashujaa Day' },
  { month: 12, day: 12, name: 'Jamhuri Day' },
  { month: 12, day: 25, name: 'Christmas Day' },
  { month: 12, day: 26, name: 'Boxing Day' },
]

/** Gazetted holidays that move: Idd-ul-Fitr (2026 and 2027 as expected; correct them when gazetted). */
export const GAZETTED_HOLIDAYS: readonly IsoDate[] = ['2024-04-10', '2025-03-31', '2026-03-20', '2027-03-10']

/** Easter Sunday (Gregorian, the anonymous algorithm). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

function weekday(date: IsoDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay()
}

const byYear = new Map<number, Set<IsoDate>>()

/** Every public holiday of a year, with the Act's rule that a holiday on a Sunday is kept on the Monday. */
export function holidaysOf(year: number): Set<IsoDate> {
  let days = byYear.get(year)
  if (days) return days
  const listed = [
    ...FIXED_HOLIDAYS.map((holiday) => `${year}-${String(holiday.month).padStart(2, '0')}-${String(holiday.day).padStart(2, '0')}`),
    addToDate(easterSunday(year), -2, 'd'),
    addToDate(easterSunday(year), 1, 'd'),
    ...GAZETTED_HOLIDAYS.filter((date) => date.startsWith(`${year}-`)),
  ]
  days = new Set(listed)
  for (const date of listed) {
    if (weekday(date) !== 0) continue
    // The next day that is not already a holiday (Christmas on a Sunday moves Boxing Day on as well).
    let monday = addToDate(date, 1, 'd')
    while (days.has(monday)) monday = addToDate(monday, 1, 'd')
    days.add(monday)
  }
  byYear.set(year, days)
  return days
}

export function isWorkingDay(date: IsoDate): boolean {
  const day = weekday(date)
  return day !== 0 && day !== 6 && !holidaysOf(Number(date.slice(0, 4))).has(date)
}

/** The date `count` working days after `from` (the day itself does not count). */
export function addWorkingDays(from: IsoDate, count: number): IsoDate {
  let date = from
  for (let left = count; left > 0; ) {
    date = addToDate(date, 1, 'd')
    if (isWorkingDay(date)) left--
  }
  return date
}

/**
 * Working days after `from` up to and including `to` (0 when `to` is not after `from`): what is left of
 * an SLA on `from` when the deadline is `to`, so the clock can stop and later resume where it was.
 */
export function workingDaysBetween(from: IsoDate, to: IsoDate): number {
  let count = 0
  for (let date = addToDate(from, 1, 'd'); date <= to; date = addToDate(date, 1, 'd')) if (isWorkingDay(date)) count++
  return count
}
