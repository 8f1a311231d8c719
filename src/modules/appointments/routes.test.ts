import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Browser, createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { insertApplicationRow } from '../../../test/helpers/application-rows.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { addDays, generateSlots, nairobiDate, seedOffices } from './offices.js'

const radios = (html: string, name: string) => [...html.matchAll(new RegExp(`name="${name}" type="radio" value="([^"]+)"`, 'g'))].map((m) => m[1]!)

describe(`appointment pages on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let browser: Browser
  let applicationId: string
  let reference: string
  let base: string

  before(async () => {
    const database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    await seedOffices(database.db)
    await generateSlots(database.db, { fromDate: addDays(nairobiDate(), 1), days: 14 })
    t = await testApp({ database })
    const account = await createAccount(database.db)
    browser = new Browser(t.app)
    browser.cookies.set('session', (await signedInCookie(database.db, account.id)).split('=')[1]!)
    ;({ id: applicationId, reference } = await insertApplicationRow(database.db, { accountId: account.id, agency: 'DCI', slug: 'certificate-of-good-conduct', partyName: 'Wanjiku Kamau' }))
    base = `/applications/${applicationId}/appointment`
  })
  after(() => t.close())

  /** Walks office → day → time, as a browser without script would; returns the time page. */
  async function timePage(office = 'dci-headquarters') {
    const officePage = await browser.get(`${base}?change=yes`)
    assert.ok(radios(officePage.body, 'office').includes(office))
    const dayPage = await browser.get(`${base}?office=${office}`)
    const day = radios(dayPage.body, 'day')[0]!
    const page = await browser.get(`${base}?office=${office}&day=${day}`)
    assert.equal(page.statusCode, 200)
    return { page, day, office, slots: radios(page.body, 'slot') }
  }

  async function bookingCode(): Promise<string> {
    const page = await browser.get(base)
    return /<strong>([2-9A-Z]{4}-[2-9A-Z]{4})<\/strong>/.exec(page.body)?.[1] ?? ''
  }

  it('asks for an office, a day, then a time, with plain forms', async () => {
    const officePage = await browser.get(base)
    assert.match(officePage.body, /<form method="get" action="\/applications\/[^"]+\/appointment"/)
    assert.match(officePage.body, /DCI Headquarters/)
    assert.match(officePage.body, /Kiambu Road, Nairobi/)
    const { page, slots } = await timePage()
    assert.equal(slots.length, 16)
    assert.match(page.body, /08:00 to 08:30/)
    assert.match(page.body, /Places left: 8/)
    assert.match(page.body, /name="_csrf"/)
  })

  it('says what is missing at each step', async () => {
    const noOffice = await browser.get(`${base}?office=`)
    assert.equal(noOffice.statusCode, 400)
    assert.match(noOffice.body, /href="#office">Select an office/)
    const noDay = await browser.get(`${base}?office=dci-headquarters&day=`)
    assert.match(noDay.body, /href="#day">Select a day/)
    const { day } = await timePage()
    const noTime = await browser.submit(`${base}?office=dci-headquarters&day=${day}`, base, { office: 'dci-headquarters', day })
    assert.equal(noTime.statusCode, 400)
    assert.match(noTime.body, /href="#slot">Select a time/)
    assert.match(noTime.body, /<title>Error: Choose a time/)
  })

  it('books, shows the code, changes keeping it, and cancels', async () => {
    const { day, slots } = await timePage()
    const booked = await browser.submit(`${base}?office=dci-headquarters&day=${day}`, base, { office: 'dci-headquarters', day, slot: slots[2]! })
    assert.equal(booked.statusCode, 303)
    assert.equal(booked.headers.location, `${base}?done=booked`)
    const shown = await browser.get(`${base}?done=booked`)
    assert.match(shown.body, /Appointment booked/)
    assert.match(shown.body, /09:00 to 09:30/)
    const code = await bookingCode()
    assert.match(code, /^[2-9A-Z]{4}-[2-9A-Z]{4}$/)
    assert.match(shown.body, new RegExp(`Your booking code is<br><strong>${code}`))

    const changing = await browser.get(`${base}?change=yes`)
    assert.match(changing.body, /Keep my current appointment/)
    const other = await timePage('huduma-gpo')
    const changed = await browser.submit(`${base}?office=huduma-gpo&day=${other.day}`, base, { office: 'huduma-gpo', day: other.day, slot: other.slots[0]! })
    assert.equal(changed.headers.location, `${base}?done=changed`)
    const after = await browser.get(`${base}?done=changed`)
    assert.match(after.body, /Appointment changed/)
    assert.match(after.body, /Huduma Centre GPO/)
    assert.equal(await bookingCode(), code, 'same code after a change')

    const cancelled = await browser.submit(base, `${base}/cancel`, {})
    assert.equal(cancelled.headers.location, `${base}?done=cancelled`)
    const page = await browser.get(`${base}?done=cancelled`)
    assert.match(page.body, /Your appointment has been cancelled/)
    assert.match(page.body, /name="office"/)
  })

  it('takes a double click as one booking', async () => {
    const { day, slots } = await timePage('huduma-nakuru')
    const fields = { office: 'huduma-nakuru', day, slot: slots[1]! }
    const first = await browser.submit(`${base}?office=huduma-nakuru&day=${day}`, base, fields)
    const second = await browser.submit(`${base}?office=huduma-nakuru&day=${day}`, base, fields)
    assert.deepEqual([first.headers.location, second.headers.location], [`${base}?done=booked`, `${base}?done=booked`])
    const slot = await t.database.db.selectFrom('appointment_slots').select('booked').where('id', '=', slots[1]!).executeTakeFirstOrThrow()
    assert.equal(slot.booked, 1)
    await browser.submit(base, `${base}/cancel`, {})
  })

  it('tells the person when the time was just taken, with the times still free', async () => {
    const { day, slots } = await timePage('huduma-kisumu')
    await t.database.db.updateTable('appointment_slots').set((eb) => ({ booked: eb.ref('capacity') })).where('id', '=', slots[0]!).execute()
    const response = await browser.submit(`${base}?office=huduma-kisumu&day=${day}`, base, { office: 'huduma-kisumu', day, slot: slots[0]! })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /The time you chose has just been filled. Select another time/)
    assert.deepEqual(radios(response.body, 'slot'), slots.slice(1))
  })

  it('speaks Kiswahili', async () => {
    const page = await browser.get(`${base}?office=dci-headquarters&lang=sw`)
    assert.match(page.body, /Chagua siku/)
    assert.match(page.body, /Makao Makuu ya DCI/)
    assert.match(page.body, /Nafasi zilizo wazi/)
    await browser.get(`${base}?lang=en`)
  })

  it('answers 404 for someone else’s application and for nonsense', async () => {
    const stranger = await createAccount(t.database.db)
    const cookie = await signedInCookie(t.database.db, stranger.id)
    assert.equal((await t.app.inject({ url: base, headers: { cookie } })).statusCode, 404)
    assert.equal((await browser.get('/applications/not-a-uuid/appointment')).statusCode, 404)
  })

  it('lets the agency’s staff check a code, and no other agency', async () => {
    const { day, slots } = await timePage()
    await browser.submit(`${base}?office=dci-headquarters&day=${day}`, base, { office: 'dci-headquarters', day, slot: slots[5]! })
    const code = await bookingCode()
    const officer = await createAccount(t.database.db, { role: 'agency_officer', agencyCode: 'DCI', secondFactor: 'totp' })
    const dci = await signedInCookie(t.database.db, officer.id)
    const found = await t.app.inject({ url: `/appointments/check?code=${code.toLowerCase().replace('-', '')}`, headers: { cookie: dci } })
    assert.equal(found.statusCode, 200)
    assert.match(found.body, /Wanjiku Kamau/)
    assert.match(found.body, new RegExp(reference))
    assert.match(found.body, /10:30 to 11:00/)
    const disOfficer = await createAccount(t.database.db, { role: 'agency_officer', agencyCode: 'DIS', secondFactor: 'totp' })
    const dis = await t.app.inject({ url: `/appointments/check?code=${code}`, headers: { cookie: await signedInCookie(t.database.db, disOfficer.id) } })
    assert.match(dis.body, new RegExp(`Your agency has no appointment with the code ${code}`))
    assert.doesNotMatch(dis.body, /Wanjiku/)
    const bad = await t.app.inject({ url: '/appointments/check?code=hello', headers: { cookie: dci } })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /Enter the booking code as it is shown/)
    const blank = await t.app.inject({ url: '/appointments/check', headers: { cookie: dci } })
    assert.equal(blank.statusCode, 200)
    assert.equal((await browser.get('/appointments/check')).statusCode, 403, 'not for citizens')
  })

  it('logged no server error', () => {
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
