import type { ColumnType, Generated } from 'kysely'

/** An office where people come for biometrics, fingerprints or collection (migration 0012). */
export interface OfficesTable {
  code: string
  name_en: string
  name_sw: string
  county: string
  address: string
  agencies: ColumnType<string[], string[], string[]>
  updated_at: Generated<Date>
}

/** A half hour at an office for one service, with how many people it takes and how many have booked. */
export interface AppointmentSlotsTable {
  id: Generated<string>
  office_code: string
  agency_code: string
  service_slug: string
  starts_at: Date
  ends_at: Date
  capacity: number
  booked: Generated<number>
}

export type BookingStatus = 'booked' | 'cancelled'

export interface AppointmentBookingsTable {
  id: Generated<string>
  application_id: string
  slot_id: string
  code: string
  status: ColumnType<BookingStatus, BookingStatus | undefined, BookingStatus>
  created_at: Generated<Date>
  changed_at: Generated<Date>
}

/** The appointments module's tables, merged into the portal's Database. */
export interface AppointmentTables {
  offices: OfficesTable
  appointment_slots: AppointmentSlotsTable
  appointment_bookings: AppointmentBookingsTable
}
