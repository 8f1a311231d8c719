import { sql, type Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { AppointmentSlotsTable, OfficesTable } from './tables.js'

export type OfficeRow = Selectable<OfficesTable>
export type SlotRow = Selectable<AppointmentSlotsTable>

/** A live or cancelled booking with its slot and office: everything the person and the office see. */
export interface BookingRow {
  id: string
  application_id: string
  code: string
  status: 'booked' | 'cancelled'
  slot_id: string
  starts_at: Date
  ends_at: Date
  agency_code: string
  service_slug: string
  office_code: string
  office_name_en: string
  office_name_sw: string
  office_address: string
}

/** Offices with a future slot for the service, whether or not it has room left. */
export function officesWithSlots(db: Db, agency: string, slug: string): Promise<OfficeRow[]> {
  return db
    .selectFrom('offices')
    .selectAll()
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('appointment_slots as s')
          .select(sql`1`.as('one'))
          .whereRef('s.office_code', '=', 'offices.code')
          .where('s.agency_code', '=', agency)
          .where('s.service_slug', '=', slug)
          .where('s.starts_at', '>', sql<Date>`now()`),
      ),
    )
    .orderBy('name_en')
    .execute()
}

export function findOffice(db: Db, code: string): Promise<OfficeRow | undefined> {
  return db.selectFrom('offices').selectAll().where('code', '=', code).executeTakeFirst()
}

/** Future slots with room, of one service at one office, between two instants, in time order. */
export function openSlots(db: Db, query: { agency: string; slug: string; office: string; from: Date; to: Date }): Promise<SlotRow[]> {
  return db
    .selectFrom('appointment_slots')
    .selectAll()
    .where('agency_code', '=', query.agency)
    .where('service_slug', '=', query.slug)
    .where('office_code', '=', query.office)
    .where('starts_at', '>=', query.from)
    .where('starts_at', '<', query.to)
    .where('starts_at', '>', sql<Date>`now()`)
    .where(sql<boolean>`booked < capacity`)
    .orderBy('starts_at')
    .execute()
}

export function findSlot(db: Db, id: string): Promise<SlotRow | undefined> {
  return db.selectFrom('appointment_slots').selectAll().where('id', '=', id).executeTakeFirst()
}

/**
 * Takes one place in a slot of the given service if it is in the future and has room. The condition and
 * the increment are one statement: a concurrent booking waits for this row's lock, then re-reads `booked`
 * before deciding, so a slot can never take more than its capacity.
 */
export async function takePlace(db: Db, slotId: string, agency: string, slug: string): Promise<boolean> {
  const row = await db
    .updateTable('appointment_slots')
    .set((eb) => ({ booked: eb('booked', '+', 1) }))
    .where('id', '=', slotId)
    .where('agency_code', '=', agency)
    .where('service_slug', '=', slug)
    .where('starts_at', '>', sql<Date>`now()`)
    .where(sql<boolean>`booked < capacity`)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

export async function releasePlace(db: Db, slotId: string): Promise<void> {
  await db
    .updateTable('appointment_slots')
    .set((eb) => ({ booked: eb('booked', '-', 1) }))
    .where('id', '=', slotId)
    .where('booked', '>', 0)
    .execute()
}

/** Locks slot rows in one order (by id), so two changes crossing between the same slots cannot deadlock. */
export async function lockSlots(db: Db, ids: string[]): Promise<void> {
  await db.selectFrom('appointment_slots').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute()
}

const bookingQuery = (db: Db) =>
  db
    .selectFrom('appointment_bookings as b')
    .innerJoin('appointment_slots as s', 's.id', 'b.slot_id')
    .innerJoin('offices as o', 'o.code', 's.office_code')
    .select([
      'b.id',
      'b.application_id',
      'b.code',
      'b.status',
      'b.slot_id',
      's.starts_at',
      's.ends_at',
      's.agency_code',
      's.service_slug',
      's.office_code',
      'o.name_en as office_name_en',
      'o.name_sw as office_name_sw',
      'o.address as office_address',
    ])

export function liveBooking(db: Db, applicationId: string): Promise<BookingRow | undefined> {
  return bookingQuery(db).where('b.application_id', '=', applicationId).where('b.status', '=', 'booked').executeTakeFirst()
}

export function bookingByCode(db: Db, code: string): Promise<BookingRow | undefined> {
  return bookingQuery(db).where('b.code', '=', code).executeTakeFirst()
}

/** The live booking row of an application, locked until the transaction ends. */
export function lockLiveBooking(db: Db, applicationId: string): Promise<{ id: string; slot_id: string } | undefined> {
  return db
    .selectFrom('appointment_bookings')
    .select(['id', 'slot_id'])
    .where('application_id', '=', applicationId)
    .where('status', '=', 'booked')
    .forUpdate()
    .executeTakeFirst()
}

/** Inserts a booking unless its code is taken already (then nothing: the caller draws another code). */
export async function insertBooking(db: Db, booking: { applicationId: string; slotId: string; code: string }): Promise<string | undefined> {
  const row = await db
    .insertInto('appointment_bookings')
    .values({ application_id: booking.applicationId, slot_id: booking.slotId, code: booking.code })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id
}

export async function moveBooking(db: Db, bookingId: string, slotId: string): Promise<void> {
  await db.updateTable('appointment_bookings').set({ slot_id: slotId, changed_at: sql<Date>`now()` }).where('id', '=', bookingId).execute()
}

export async function cancelBooking(db: Db, bookingId: string): Promise<void> {
  await db.updateTable('appointment_bookings').set({ status: 'cancelled', changed_at: sql<Date>`now()` }).where('id', '=', bookingId).execute()
}

/**
 * Gives back the place an application holds, in the caller's transaction: once an application is
 * finished (issued, rejected, withdrawn) its appointment would only keep someone else from the slot.
 */
export async function releaseBookingOf(db: Db, applicationId: string): Promise<boolean> {
  const live = await lockLiveBooking(db, applicationId)
  if (!live) return false
  await cancelBooking(db, live.id)
  await releasePlace(db, live.slot_id)
  return true
}

/** The application a booking is for, as the office needs it: its reference and whom it is for. */
export function applicationSummary(db: Db, applicationId: string): Promise<{ reference: string; party_name: string } | undefined> {
  return db.selectFrom('applications').select(['reference', 'party_name']).where('id', '=', applicationId).executeTakeFirst()
}
