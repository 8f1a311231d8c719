import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Browser, createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { becomePerson, profileTestApp, signIn } from '../../../test/helpers/profile.js'
import { DEMO_BUSINESS_NAME, DEMO_COMPANY, DEMO_DIRECTOR, DEMO_ODHIAMBO, DEMO_ODHIAMBO_ADULT_CHILD, DEMO_ODHIAMBO_MINOR, DEMO_WANJIKU, DEMO_WANJIKU_CHILDREN } from '../registry/demo-fixed.js'
import { openRegistries } from '../registry/registries.js'
import { seedRegistry } from '../registry/seed.js'
import { parseParty, PartiesService, partyValue, type Party } from './parties.js'
import { linkBusiness } from './profile-store.js'
import type { Account } from './store.js'

describe('party values in forms', () => {
  it('round-trips and refuses anything malformed', () => {
    const parties: Party[] = [{ kind: 'self' }, { kind: 'dependant', birthCertificateNumber: '123456789' }, { kind: 'business', registrationNumber: 'PVT-DEMO001' }]
    for (const party of parties) assert.deepEqual(parseParty(partyValue(party)), party)
    assert.deepEqual(parseParty('business:pvt-demo001'), { kind: 'business', registrationNumber: 'PVT-DEMO001' })
    for (const bad of ['', 'someone', 'dependant:', 'business:<script>', 'employer:PVT-1', 42, undefined]) assert.equal(parseParty(bad), undefined, String(bad))
  })
})

describe(`dependants, businesses and parties on ${TEST_ENGINE}`, () => {
  let t: TestApp
  const people: Record<string, Account> = {}
  before(async () => {
    t = await profileTestApp()
    await seedRegistry(t.database.db)
    for (const [key, person] of Object.entries({ wanjiku: DEMO_WANJIKU, peter: DEMO_ODHIAMBO, grace: DEMO_DIRECTOR, mercy: DEMO_ODHIAMBO_ADULT_CHILD })) {
      people[key] = await becomePerson(t.database.db, await createAccount(t.database.db), person.idNumber!)
    }
  })
  after(() => t.close())

  async function browserFor(account: Account): Promise<Browser> {
    const browser = new Browser(t.app)
    await signIn(t, browser, account)
    return browser
  }

  const service = (today?: string) => {
    const registries = openRegistries(t.database.db)
    return new PartiesService(t.database.db, registries.population, registries.business, today ? () => today : undefined)
  }

  it('lists the children under 18 registered to the person, and only those', async () => {
    const wanjiku = await (await browserFor(people.wanjiku!)).get('/account/dependants')
    assert.equal(wanjiku.statusCode, 200)
    for (const child of DEMO_WANJIKU_CHILDREN) {
      assert.ok(wanjiku.body.includes(`${child.firstName} ${child.middleName} ${child.lastName}`))
      assert.ok(wanjiku.body.includes(child.birthCertificateNumber!))
    }
    const peter = await (await browserFor(people.peter!)).get('/account/dependants')
    assert.ok(peter.body.includes(DEMO_ODHIAMBO_MINOR.birthCertificateNumber!))
    assert.ok(!peter.body.includes(DEMO_ODHIAMBO_ADULT_CHILD.firstName), 'a grown-up child is not a dependant')
    assert.ok(!peter.body.includes(DEMO_WANJIKU_CHILDREN[0].firstName), 'nor is someone else’s child')
    assert.match((await (await browserFor(people.mercy!)).get('/account/dependants')).body, /lists no children under 18/)
    // Staff have no ID number in the register: they act for themselves only.
    const staff = await createAccount(t.database.db, { role: 'support_agent' })
    assert.deepEqual(await service().dependants(staff.id), [])
    assert.deepEqual((await service().partiesFor(staff.id)).map((option) => option.value), ['self'])
    assert.equal(await service().mayActFor(staff.id, { kind: 'dependant', birthCertificateNumber: DEMO_WANJIKU_CHILDREN[0].birthCertificateNumber! }), false)
  })

  it('links a business only when the register lists the person as a director, with one answer for every refusal', async () => {
    const grace = await browserFor(people.grace!)
    const linked = await grace.submit('/account/businesses', '/account/businesses', { registrationNumber: ' pvt-demo001 ' })
    assert.equal(linked.headers.location, '/account/businesses?linked=PVT-DEMO001')
    const page = await grace.get(linked.headers.location as string)
    assert.match(page.body, /Highland Dairies Limited is now linked to your account/)
    assert.match(page.body, /You are a director/)

    const notDirector = await grace.submit('/account/businesses', '/account/businesses', { registrationNumber: DEMO_BUSINESS_NAME.registrationNumber })
    const unknown = await grace.submit('/account/businesses', '/account/businesses', { registrationNumber: 'PVT-NOSUCH1' })
    for (const refused of [notDirector, unknown]) {
      assert.equal(refused.statusCode, 400)
      assert.match(refused.body, /govuk-error-summary/)
      assert.match(refused.body, /We could not link this business/)
    }
    assert.match(notDirector.body, /value="BN-DEMO001"/, 'what was typed is kept')
    assert.ok(!notDirector.body.includes(DEMO_BUSINESS_NAME.name), 'the refusal names no business')
    const malformed = await grace.submit('/account/businesses?lang=sw', '/account/businesses', { registrationNumber: 'hello' })
    assert.match(malformed.body, /Andika nambari ya usajili katika muundo sahihi/)
    assert.match(malformed.body, /value="hello"/)

    const audit = await t.database.db.selectFrom('audit_log').select('outcome').where('action', '=', 'business.link').where('actor_id', '=', people.grace!.id).orderBy('id').execute()
    assert.deepEqual(audit.map((row) => row.outcome), ['success', 'denied', 'denied'])
  })

  it('shows and removes only the person’s own links', async () => {
    const wanjiku = await browserFor(people.wanjiku!)
    await wanjiku.submit('/account/businesses', '/account/businesses', { registrationNumber: DEMO_BUSINESS_NAME.registrationNumber })
    const grace = await browserFor(people.grace!)
    assert.ok(!(await grace.get('/account/businesses')).body.includes(DEMO_BUSINESS_NAME.name), 'someone else’s link is not shown')
    const foreign = await grace.submit('/account/businesses', '/account/businesses/unlink', { registrationNumber: DEMO_BUSINESS_NAME.registrationNumber })
    assert.equal(foreign.statusCode, 404)
    assert.ok((await wanjiku.get('/account/businesses')).body.includes(DEMO_BUSINESS_NAME.name), 'still linked for its owner')

    const removed = await wanjiku.submit('/account/businesses', '/account/businesses/unlink', { registrationNumber: DEMO_BUSINESS_NAME.registrationNumber })
    assert.equal(removed.headers.location, '/account/businesses?unlinked=1')
    const after = await wanjiku.get('/account/businesses?unlinked=1')
    assert.match(after.body, /has been removed/)
    assert.match(after.body, /You have not linked a business yet/)
    const audit = await t.database.db.selectFrom('audit_log').select('id').where('action', '=', 'business.unlink').where('actor_id', '=', people.wanjiku!.id).execute()
    assert.equal(audit.length, 1)
    assert.deepEqual(serverErrors(t.logs), [])
  })

  it('offers self, each child under 18 and each linked business still directed, by name', async () => {
    await linkBusiness(t.database.db, people.wanjiku!.id, DEMO_COMPANY.registrationNumber)
    const options = await service().partiesFor(people.wanjiku!.id)
    assert.deepEqual(
      options.map((option) => [option.value, option.name]),
      [
        ['self', 'Achieng Otieno'],
        ...[...DEMO_WANJIKU_CHILDREN].reverse().map((c) => [`dependant:${c.birthCertificateNumber}`, `${c.firstName} ${c.middleName} ${c.lastName}`]),
        [`business:${DEMO_COMPANY.registrationNumber}`, DEMO_COMPANY.name],
      ],
    )
  })

  it('lets a person act for their own child and business only, checking the register every time', async () => {
    const parties = service()
    const wanjiku = people.wanjiku!.id
    const ownChild: Party = { kind: 'dependant', birthCertificateNumber: DEMO_WANJIKU_CHILDREN[0].birthCertificateNumber! }
    const othersChild: Party = { kind: 'dependant', birthCertificateNumber: DEMO_ODHIAMBO_MINOR.birthCertificateNumber! }
    const company: Party = { kind: 'business', registrationNumber: DEMO_COMPANY.registrationNumber }
    assert.equal(await parties.mayActFor(wanjiku, { kind: 'self' }), true)
    assert.equal(await parties.mayActFor(wanjiku, ownChild), true)
    assert.equal(await parties.mayActFor(wanjiku, othersChild), false, 'another person’s child')
    assert.equal(await parties.mayActFor(people.peter!.id, { kind: 'dependant', birthCertificateNumber: DEMO_ODHIAMBO_ADULT_CHILD.birthCertificateNumber! }), false, 'a grown-up child')
    assert.equal(await parties.mayActFor(people.peter!.id, othersChild), true, 'Brian is Peter’s own child')
    assert.equal(await parties.mayActFor(wanjiku, { kind: 'dependant', birthCertificateNumber: 'NOSUCH' }), false)

    // The day Wambui turns 18, her mother can no longer act for her.
    const later = service('2034-08-21')
    assert.equal(await later.mayActFor(wanjiku, ownChild), false)
    assert.equal(await service('2034-08-20').mayActFor(wanjiku, ownChild), true)
    assert.ok(!(await later.partiesFor(wanjiku)).some((option) => option.value === partyValue(ownChild)))

    assert.equal(await parties.mayActFor(wanjiku, company), true)
    assert.equal(await parties.mayActFor(people.grace!.id, { kind: 'business', registrationNumber: DEMO_BUSINESS_NAME.registrationNumber }), false, 'not a director')
    assert.equal(await parties.mayActFor(people.peter!.id, company), false, 'not linked, not a director')
    // Linked once, but the register no longer lists them: access ends at once.
    const removeDirector = t.database.db.deleteFrom('registry_business_directors').where('business_number', '=', DEMO_COMPANY.registrationNumber).where('director_id_number', '=', DEMO_WANJIKU.idNumber!)
    await removeDirector.execute()
    try {
      assert.equal(await parties.mayActFor(wanjiku, company), false)
      assert.ok(!(await parties.partiesFor(wanjiku)).some((option) => option.value === partyValue(company)))
      assert.match((await (await browserFor(people.wanjiku!)).get('/account/businesses')).body, /no longer lists you as a director/)
    } finally {
      await t.database.db.insertInto('registry_business_directors').values({ business_number: DEMO_COMPANY.registrationNumber, director_id_number: DEMO_WANJIKU.idNumber! }).execute()
    }
  })
})
