import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createAccount } from '../../../test/helpers/accounts.js'
import { insertApplicationRow } from '../../../test/helpers/application-rows.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { Conflict, Invalid } from '../../platform/http/errors.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { addDays, generateSlots, nairobiDate, nairobiTime, seedOffices } from './offices.js'
import { AppointmentService, type ApplicationRef } from './service.js'

const GOOD_CONDUCT = { agency: 'DCI', serviceSlug: 'certificate-of-good-conduct' }

describe(`appointments on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let appointments: AppointmentService
  let accountId: string
  const tomorrow = addDays(nairobiDate(), 1)

  before(async () => {
    database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    await seedOffices(database.db)
    await generateSlots(database.db, { fromDate: tomorrow, days: 14 })
    appointments = new AppointmentService(database.db)
    accountId = (await createAccount(database.db)).id
  })
  after(() => database.close())

  async function application(service = GOOD_CONDUCT): Promise<ApplicationRef> {
    const row = await insertApplicationRow(database.db, { accountId, agency: service.agency, slug: service.serviceSlug })
    return { id: row.id, accountId, ...service }
  }

  /** A slot of its own far ahead (or behind), before opening time, so no other test's bookings touch it. */
  let made = 0
  async function slot(capacity: number, office = 'dci-headquarters', days = 200): Promise<string> {
    const startsAt = nairobiTime(addDays(nairobiDate(), days), 6, ++made)
    const row = await database.db
      .insertInto('appointment_slots')
      .values({ office_code: office, agency_code: 'DCI', service_slug: GOOD_CONDUCT.serviceSlug, starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 1_800_000), capacity })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  const booked = async (slotId: string) =>
    (await database.db.selectFrom('appointment_slots').select('booked').where('id', '=', slotId).executeTakeFirstOrThrow()).booked

  const refusalKey = (error: unknown) => (error instanceof Invalid ? error.fields.slot?.key : String(error))

  it('seeds offices and weekday slots, 08:00 to 16:00 Nairobi time, idempotently', async () => {
    await seedOffices(database.db)
    assert.equal(await generateSlots(database.db, { fromDate: tomorrow, days: 14 }), 0, 'a second run adds nothing')
    const dci = await appointments.offices('DCI', GOOD_CONDUCT.serviceSlug)
    assert.deepEqual(dci.map((o) => o.code).sort(), ['dci-headquarters', 'huduma-eldoret', 'huduma-gpo', 'huduma-kisumu', 'huduma-mombasa', 'huduma-nakuru'])
    const dis = await appointments.offices('DIS', 'ordinary-passport')
    assert.ok(dis.some((o) => o.code === 'nyayo-house' && o.name.en === 'Nyayo House'))
    assert.ok(!dis.some((o) => o.code === 'dci-headquarters'))
    const days = await appointments.availableSlots('DIS', 'ordinary-passport', 'nyayo-house', tomorrow, 14)
    assert.ok(days.length >= 9 && days.length <= 10, `${days.length} working days in two weeks`)
    for (const day of days) {
      assert.ok(![0, 6].includes(new Date(`${day.date}T00:00:00Z`).getUTCDay()), `${day.date} is a weekday`)
      assert.equal(day.slots.length, 16)
      assert.equal(day.slots[0]!.startsAt.toISOString(), `${day.date}T05:00:00.000Z`)
      assert.equal(day.slots.at(-1)!.endsAt.toISOString(), `${day.date}T13:00:00.000Z`)
      assert.equal(day.slots[0]!.remaining, 6)
    }
  })

  it('books a place and shows a readable code', async () => {
    const app = await application()
    const slotId = await slot(2)
    const booking = await appointments.book(app, slotId)
    assert.match(booking.code, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/)
    assert.equal(booking.office.code, 'dci-headquarters')
    assert.equal(await booked(slotId), 1)
    assert.equal((await appointments.current(app.id))?.code, booking.code)
    const day = await appointments.availableSlots('DCI', GOOD_CONDUCT.serviceSlug, 'dci-headquarters', nairobiDate(booking.startsAt), 1)
    assert.equal(day[0]?.slots.find((s) => s.id === slotId)?.remaining, 1)
  })

  it('keeps one live booking per application', async () => {
    const app = await application()
    await appointments.book(app, await slot(2))
    const other = await slot(2)
    await assert.rejects(appointments.book(app, other), Conflict)
    assert.equal(await booked(other), 0, 'the place taken for the refused booking was given back')
  })

  it('changes the time keeping the code, giving the old place back', async () => {
    const app = await application()
    const first = await slot(2)
    const second = await slot(2, 'huduma-gpo')
    const booking = await appointments.book(app, first)
    const changed = await appointments.choose(app, second)
    assert.equal(changed.code, booking.code)
    assert.equal(changed.office.code, 'huduma-gpo')
    assert.deepEqual([await booked(first), await booked(second)], [0, 1])
    assert.equal((await appointments.choose(app, second)).code, booking.code, 'choosing the same time again changes nothing')
    assert.equal(await booked(second), 1)
  })

  it('leaves the appointment as it was when the new time is full', async () => {
    const app = await application()
    const mine = await slot(1)
    const full = await slot(0)
    await appointments.book(app, mine)
    await assert.rejects(appointments.change(app, full), (e) => refusalKey(e) === 'appointments.errors.slotTaken')
    assert.equal((await appointments.current(app.id))?.slotId, mine)
    assert.equal(await booked(mine), 1)
  })

  it('cancels, giving the place back, and cancelling again does nothing', async () => {
    const app = await application()
    const slotId = await slot(1)
    await appointments.book(app, slotId)
    assert.equal(await appointments.cancel(app), true)
    assert.equal(await appointments.cancel(app), false)
    assert.equal(await booked(slotId), 0)
    assert.equal(await appointments.current(app.id), undefined)
    await appointments.book(app, slotId)
    assert.equal(await booked(slotId), 1, 'a new booking after cancelling')
  })

  it('refuses a slot of another service, a past one, and nonsense', async () => {
    const passport = await application({ agency: 'DIS', serviceSlug: 'ordinary-passport' })
    await assert.rejects(appointments.book(passport, await slot(5)), (e) => refusalKey(e) === 'appointments.errors.chooseTime')
    await assert.rejects(appointments.book(passport, 'not-a-slot'), (e) => refusalKey(e) === 'appointments.errors.chooseTime')
    const past = await slot(5, 'dci-headquarters', -2)
    await assert.rejects(appointments.book(await application(), past), (e) => refusalKey(e) === 'appointments.errors.slotPassed')
  })

  it('never sells more places than a slot has: 20 people at once for 3 places', async () => {
    const slotId = await slot(3)
    const people = await Promise.all(Array.from({ length: 20 }, () => application()))
    const results = await Promise.allSettled(people.map((app) => appointments.book(app, slotId)))
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    assert.equal(won.length, 3)
    assert.deepEqual([...new Set(lost.map((r) => refusalKey(r.reason)))], ['appointments.errors.slotTaken'])
    assert.equal(await booked(slotId), 3)
    const live = await database.db.selectFrom('appointment_bookings').select('id').where('slot_id', '=', slotId).where('status', '=', 'booked').execute()
    assert.equal(live.length, 3)
  })

  it('gives one application one booking when it books twice at once', async () => {
    const app = await application()
    const slots = [await slot(5), await slot(5), await slot(5)]
    const results = await Promise.allSettled(slots.map((slotId) => appointments.book(app, slotId)))
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    assert.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof Conflict))
    assert.equal((await Promise.all(slots.map(booked))).reduce((a, b) => a + b), 1)
  })

  it('refuses to oversell even a query that forgets to ask', async () => {
    const slotId = await slot(1)
    await assert.rejects(sql`update appointment_slots set booked = 2 where id = ${slotId}`.execute(database.db))
  })

  it('shows a booking to its agency’s staff by code, typed any way, and to no other agency', async () => {
    const app = await application()
    const booking = await appointments.book(app, await slot(2))
    const checked = await appointments.check(booking.code.toLowerCase().replace('-', ' '), 'DCI')
    assert.equal(checked?.code, booking.code)
    assert.equal(checked?.applicantName, 'Achieng Otieno')
    assert.match(checked?.applicationReference ?? '', /^DCI-/)
    assert.equal(await appointments.check(booking.code, 'DIS'), undefined)
    assert.equal(await appointments.check('nonsense', 'DCI'), undefined)
  })
})
