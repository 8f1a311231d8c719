import type { Db } from '../../platform/db/database.js'
import { Conflict, Invalid } from '../../platform/http/errors.js'
import { newBookingCode, normaliseBookingCode } from './codes.js'
import { addDays, nairobiDate, nairobiTime } from './offices.js'
import {
  applicationSummary,
  bookingByCode,
  releaseBookingOf,
  findOffice,
  findSlot,
  insertBooking,
  liveBooking,
  lockLiveBooking,
  lockSlots,
  moveBooking,
  officesWithSlots,
  openSlots,
  releasePlace,
  takePlace,
  type BookingRow,
  type OfficeRow,
} from './store.js'

/** What the appointment pages need of an application: supplied by the applications module. */
export interface ApplicationRef {
  id: string
  agency: string
  serviceSlug: string
  accountId: string
  /** What the appointment is for, from the definition's appointment stage (a caption on the pages). */
  purpose?: { en: string; sw: string }
  /** Office codes the person's answers name (a fingerprint centre, a passport office): the first one offered is pre-selected. */
  namedOffices?: string[]
  /** The way back to the application: its check-answers page while a draft, else its own page. */
  back?: { href: string; draft: boolean }
}

export interface Office {
  code: string
  name: { en: string; sw: string }
  county: string
  address: string
}

export interface Slot {
  id: string
  startsAt: Date
  endsAt: Date
  remaining: number
}

/** Free slots of one day (Nairobi date, `YYYY-MM-DD`). */
export interface DaySlots {
  date: string
  slots: Slot[]
}

export interface Booking {
  id: string
  applicationId: string
  code: string
  status: 'booked' | 'cancelled'
  slotId: string
  startsAt: Date
  endsAt: Date
  agency: string
  serviceSlug: string
  office: Office
}

/** A booking as the office sees it when someone shows their code. */
export interface CheckedBooking extends Booking {
  applicationReference: string
  applicantName: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const toOffice = (row: OfficeRow): Office => ({ code: row.code, name: { en: row.name_en, sw: row.name_sw }, county: row.county, address: row.address })

const toBooking = (row: BookingRow): Booking => ({
  id: row.id,
  applicationId: row.application_id,
  code: row.code,
  status: row.status,
  slotId: row.slot_id,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  agency: row.agency_code,
  serviceSlug: row.service_slug,
  office: { code: row.office_code, name: { en: row.office_name_en, sw: row.office_name_sw }, county: '', address: row.office_address },
})

const refuse = (key: string): Invalid => new Invalid({ slot: { key: `appointments.errors.${key}` } }, `booking refused: ${key}`)

/** A unique-index violation of the one-live-booking rule, as pg and PGlite report it. */
function isSecondLiveBooking(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string }
  return e?.code === '23505' && (e.constraint === 'appointment_bookings_one_live' || /appointment_bookings_one_live/.test(e.message ?? ''))
}

/**
 * Offices, their slots and bookings. Every change of places happens in one transaction with the booking
 * it is for, so the counts and the bookings always agree, and a slot never takes more than its capacity.
 */
export class AppointmentService {
  constructor(private readonly db: Db) {}

  async offices(agency: string, slug: string): Promise<Office[]> {
    return (await officesWithSlots(this.db, agency, slug)).map(toOffice)
  }

  async office(code: string): Promise<Office | undefined> {
    const row = await findOffice(this.db, code)
    return row && toOffice(row)
  }

  /** Slots with room from `fromDate` (Nairobi) for `days` days, grouped by day; days without room are left out. */
  async availableSlots(agency: string, slug: string, office: string, fromDate: string, days = 14): Promise<DaySlots[]> {
    const rows = await openSlots(this.db, { agency, slug, office, from: nairobiTime(fromDate, 0, 0), to: nairobiTime(addDays(fromDate, days), 0, 0) })
    const byDay = new Map<string, Slot[]>()
    for (const row of rows) {
      const date = nairobiDate(row.starts_at)
      const slots = byDay.get(date) ?? []
      slots.push({ id: row.id, startsAt: row.starts_at, endsAt: row.ends_at, remaining: row.capacity - row.booked })
      byDay.set(date, slots)
    }
    return [...byDay].map(([date, slots]) => ({ date, slots }))
  }

  async current(applicationId: string): Promise<Booking | undefined> {
    const row = await liveBooking(this.db, applicationId)
    return row && toBooking(row)
  }

  /** Books a first appointment, or moves the live one: what the person's "choose a time" does. */
  async choose(application: ApplicationRef, slotId: string): Promise<Booking> {
    return (await this.current(application.id)) ? this.change(application, slotId) : this.book(application, slotId)
  }

  async book(application: ApplicationRef, slotId: string): Promise<Booking> {
    if (!UUID.test(slotId)) throw refuse('chooseTime')
    try {
      await this.db.transaction().execute(async (trx) => {
        if (!(await takePlace(trx, slotId, application.agency, application.serviceSlug))) throw await this.#whyNot(trx, application, slotId)
        for (let attempt = 0; attempt < 5; attempt++) {
          if (await insertBooking(trx, { applicationId: application.id, slotId, code: newBookingCode() })) return
        }
        throw new Error('no free booking code after 5 draws')
      })
    } catch (error) {
      if (isSecondLiveBooking(error)) throw new Conflict('the application has a live booking already')
      throw error
    }
    return (await this.current(application.id)) as Booking
  }

  /**
   * Moves the live booking to another slot, keeping its code: the new place is taken and the old one
   * given back together, so a full slot leaves the person with the appointment they had.
   */
  async change(application: ApplicationRef, slotId: string): Promise<Booking> {
    if (!UUID.test(slotId)) throw refuse('chooseTime')
    const moved = await this.db.transaction().execute(async (trx) => {
      const live = await lockLiveBooking(trx, application.id)
      if (!live) return false
      if (live.slot_id === slotId) return true
      await lockSlots(trx, [live.slot_id, slotId])
      if (!(await takePlace(trx, slotId, application.agency, application.serviceSlug))) throw await this.#whyNot(trx, application, slotId)
      await releasePlace(trx, live.slot_id)
      await moveBooking(trx, live.id, slotId)
      return true
    })
    // Cancelled meanwhile (another tab): what the person asked for is still an appointment at that time.
    if (!moved) return this.book(application, slotId)
    return (await this.current(application.id)) as Booking
  }

  /** Cancels the live booking and gives its place back; true if there was one. */
  async cancel(application: ApplicationRef): Promise<boolean> {
    return this.db.transaction().execute((trx) => releaseBookingOf(trx, application.id))
  }

  /**
   * The booking behind a code, for staff of the agency it is with. Another agency's booking answers as
   * a missing one: an officer learns nothing about appointments that are not theirs.
   */
  async check(code: string, agency: string): Promise<CheckedBooking | undefined> {
    const normalised = normaliseBookingCode(code)
    if (!normalised) return undefined
    const row = await bookingByCode(this.db, normalised)
    if (!row || row.agency_code !== agency) return undefined
    const application = await applicationSummary(this.db, row.application_id)
    return { ...toBooking(row), applicationReference: application?.reference ?? '', applicantName: application?.party_name ?? '' }
  }

  /** Why a place could not be taken, as the message the person needs. */
  async #whyNot(db: Db, application: ApplicationRef, slotId: string): Promise<Invalid> {
    const slot = await findSlot(db, slotId)
    if (!slot || slot.agency_code !== application.agency || slot.service_slug !== application.serviceSlug) return refuse('chooseTime')
    if (slot.starts_at.getTime() <= Date.now()) return refuse('slotPassed')
    return refuse('slotTaken')
  }
}
