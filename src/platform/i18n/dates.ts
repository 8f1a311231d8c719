import type { Language } from './i18n.js'

/**
 * Date formats people read, made once: building an Intl.DateTimeFormat costs about 50 µs, formatting
 * with one under 1 µs, and a queue page formats dozens of dates.
 */
const LONG = {
  en: new Intl.DateTimeFormat('en-KE', { dateStyle: 'long', timeZone: 'UTC' }),
  sw: new Intl.DateTimeFormat('sw-KE', { dateStyle: 'long', timeZone: 'UTC' }),
}
const LONG_NAIROBI = {
  en: new Intl.DateTimeFormat('en-KE', { dateStyle: 'long', timeZone: 'Africa/Nairobi' }),
  sw: new Intl.DateTimeFormat('sw-KE', { dateStyle: 'long', timeZone: 'Africa/Nairobi' }),
}
const WEEKDAY = {
  en: new Intl.DateTimeFormat('en-KE', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
  sw: new Intl.DateTimeFormat('sw-KE', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
}
const CLOCK = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Africa/Nairobi' })

const calendarDay = (date: string) => new Date(`${date}T00:00:00Z`)

/** A calendar date ('YYYY-MM-DD'), e.g. "14 March 2026"; UTC, so no time zone moves it a day. */
export function longDate(date: string, language: Language): string {
  return LONG[language].format(calendarDay(date))
}

/** The Nairobi calendar day of an instant, e.g. "14 March 2026". */
export function longNairobiDate(at: Date, language: Language): string {
  return LONG_NAIROBI[language].format(at)
}

/** A calendar date with its weekday, e.g. "Saturday, 14 March 2026". */
export function weekdayDate(date: string, language: Language): string {
  return WEEKDAY[language].format(calendarDay(date))
}

/** 24-hour East Africa Time, as notices at offices show it. */
export function clock(at: Date): string {
  return CLOCK.format(at)
}
