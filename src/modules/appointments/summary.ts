import type { Language, Translate } from '../../platform/i18n/i18n.js'
import { nairobiDate } from './offices.js'
import type { Booking } from './service.js'

const LOCALES = { en: 'en-KE', sw: 'sw-KE' } as const

export function dayLabel(date: string, lang: Language): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`))
}

/** 24-hour East Africa Time, as notices at offices show it. */
export function clock(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Africa/Nairobi' }).format(at)
}

/** A booking as people read it, wherever it is shown (the booking page, check answers, the application page). */
export interface BookingSummary {
  code: string
  office: string
  address: string
  day: string
  time: string
}

export function bookingSummary(booking: Booking, lang: Language, t: Translate): BookingSummary {
  return {
    code: booking.code,
    office: booking.office.name[lang],
    address: booking.office.address,
    day: dayLabel(nairobiDate(booking.startsAt), lang),
    time: t('appointments.time.range', { from: clock(booking.startsAt), to: clock(booking.endsAt) }),
  }
}
