import type { Language, Translate } from '../../platform/i18n/i18n.js'
import { nairobiDate } from './offices.js'
import type { Booking } from './service.js'
import { clock, weekdayDate } from '../../platform/i18n/dates.js'

export { clock }

export function dayLabel(date: string, lang: Language): string {
  return weekdayDate(date, lang)
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
