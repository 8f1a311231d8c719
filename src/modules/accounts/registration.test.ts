import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { Browser, codeIn, lastMessageTo } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { DEMO_RESIDENT, DEMO_WANJIKU } from '../registry/demo-fixed.js'
import { seedRegistry } from '../registry/seed.js'

describe(`registration on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
    await seedRegistry(t.database.db)
  })
  after(() => t.close())

  const identity = { kind: 'citizen', idNumber: DEMO_WANJIKU.idNumber!, firstName: 'wanjiku', yearOfBirth: '1990' }
  const details = { email: 'wanjiku.kamau@example.ke', phone: '0712 345 678', password: 'mango tree by the river' }

  it('refuses details that do not match the register, with one message, keeping what was typed', async () => {
    const browser = new Browser(t.app)
    const wrongYear = await browser.submit('/register', '/register', { ...identity, yearOfBirth: '1991' })
    const unknownId = await browser.submit('/register', '/register', { ...identity, idNumber: '99999998' })
    for (const response of [wrongYear, unknownId]) {
      assert.equal(response.statusCode, 400)
      assert.match(response.body, /We could not confirm who you are/)
    }
    assert.match(wrongYear.body, /name="yearOfBirth" type="text" value="1991"|value="1991"/)
    const malformed = await browser.submit('/register?lang=sw', '/register', { ...identity, idNumber: '12AB', yearOfBirth: '90' })
    assert.match(malformed.body, /Andika nambari yako ya kitambulisho kwa tarakimu pekee/)
    assert.match(malformed.body, /Andika mwaka wako wa kuzaliwa kwa tarakimu 4/)
    assert.match(malformed.body, /value="12AB"/)
  })

  it('registers a citizen found in the register, then confirms email (link) and phone (code)', async () => {
    const browser = new Browser(t.app)
    const proven = await browser.submit('/register', '/register', identity)
    assert.equal(proven.headers.location, '/register/details')
    const weak = await browser.submit('/register/details', '/register/details', { ...details, password: 'password1' })
    assert.equal(weak.statusCode, 400)
    assert.match(weak.body, /too common/)
    assert.match(weak.body, /value="wanjiku.kamau@example.ke"/)
    assert.doesNotMatch(weak.body, /password1/, 'the password is not sent back')

    const created = await browser.submit('/register/details', '/register/details', details)
    assert.equal(created.headers.location, '/register/check-email')
    const account = await t.database.db.selectFrom('accounts').selectAll().where('id_number', '=', DEMO_WANJIKU.idNumber!).executeTakeFirstOrThrow()
    assert.equal(account.phone, '+254712345678', 'stored as E.164')
    assert.equal(account.first_name, 'Wanjiku', 'the name as the register has it')
    assert.equal(account.email_verified_at, null)

    const link = /https?:\/\/\S+\/account\/verify-email\/\S+/.exec(await lastMessageTo(t.database.db, details.email))?.[0]
    assert.ok(link)
    const path = new URL(link).pathname
    const confirmed = await t.app.inject(path)
    assert.equal(confirmed.statusCode, 200)
    assert.match(confirmed.body, /Your email address is confirmed/)
    const again = await t.app.inject(path)
    assert.equal(again.statusCode, 410, 'a link works once')
    assert.match(again.body, /already been used/)

    const code = codeIn(await lastMessageTo(t.database.db, '+254712345678'))
    const phone = await browser.submit('/account/verify', '/account/verify/phone', { code })
    assert.equal(phone.headers.location, '/account/verify')
    const after = await t.database.db.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow()
    assert.ok(after.email_verified_at && after.phone_verified_at)
  })

  it('never reveals that an ID number already has an account: same next page, the owner is told', async () => {
    const browser = new Browser(t.app)
    await browser.submit('/register', '/register', identity)
    const before = await sql<{ n: string }>`select count(*)::text as n from accounts`.execute(t.database.db)
    const second = await browser.submit('/register/details', '/register/details', { ...details, email: 'someone.else@example.ke', phone: '0722 000 111' })
    assert.equal(second.headers.location, '/register/check-email')
    const afterCount = await sql<{ n: string }>`select count(*)::text as n from accounts`.execute(t.database.db)
    assert.equal(afterCount.rows[0]?.n, before.rows[0]?.n)
    assert.match(await lastMessageTo(t.database.db, 'someone.else@example.ke'), /already|tayari/i)
  })

  it('registers a foreign resident by alien ID', async () => {
    const browser = new Browser(t.app)
    const year = DEMO_RESIDENT.dateOfBirth.slice(0, 4)
    const asCitizen = await browser.submit('/register', '/register', { kind: 'citizen', idNumber: DEMO_RESIDENT.idNumber!, firstName: DEMO_RESIDENT.firstName, yearOfBirth: year })
    assert.equal(asCitizen.statusCode, 400, 'an alien ID is not a national ID')
    const asResident = await browser.submit('/register', '/register', { kind: 'resident', idNumber: DEMO_RESIDENT.idNumber!, firstName: DEMO_RESIDENT.firstName, yearOfBirth: year })
    assert.equal(asResident.headers.location, '/register/details')
  })

  it('registers a visitor by passport and nationality, one account per passport', async () => {
    const browser = new Browser(t.app)
    const bad = await browser.submit('/register/visitor?lang=sw', '/register/visitor', { passportNumber: 'C01-!', nationality: 'XX', firstName: 'Anna', lastName: '' })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /Andika nambari ya pasipoti yako/)
    assert.match(bad.body, /Chagua nchi iliyotoa pasipoti yako/)
    assert.match(bad.body, /value="Anna"/, 'what was typed is kept')
    const kenyan = await browser.submit('/register/visitor?lang=en', '/register/visitor', { passportNumber: 'AK123456', nationality: 'KE', firstName: 'Anna', lastName: 'Otieno' })
    assert.match(kenyan.body, /national ID card/)

    const visitor = { passportNumber: 'c01x 00t47', nationality: 'DE', firstName: 'Anna', lastName: 'Schmidt' }
    const proven = await browser.submit('/register/visitor', '/register/visitor', visitor)
    assert.equal(proven.headers.location, '/register/details')
    const created = await browser.submit('/register/details', '/register/details', { email: 'anna.schmidt@example.de', phone: '+49 151 23456789', password: 'safari under the acacia' })
    assert.equal(created.headers.location, '/register/check-email')
    const account = await t.database.db.selectFrom('accounts').selectAll().where('email', '=', 'anna.schmidt@example.de').executeTakeFirstOrThrow()
    assert.deepEqual([account.kind, account.passport_number, account.nationality, account.id_number, account.phone], ['visitor', 'C01X00T47', 'DE', null, '+4915123456789'])

    const again = new Browser(t.app)
    await again.submit('/register/visitor', '/register/visitor', visitor)
    await again.submit('/register/details', '/register/details', { email: 'other.anna@example.de', phone: '+49 151 99999999', password: 'safari under the acacia' })
    const count = await t.database.db.selectFrom('accounts').select((eb) => eb.fn.countAll<string>().as('n')).where('passport_number', '=', 'C01X00T47').executeTakeFirstOrThrow()
    assert.equal(Number(count.n), 1, 'one account per passport')
  })

  it('does not accept the second page without the first', async () => {
    const response = await new Browser(t.app).get('/register/details')
    assert.equal(response.headers.location, '/register')
  })
})
