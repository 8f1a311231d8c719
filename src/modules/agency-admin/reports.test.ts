import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { Browser, createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { SAMPLE_DEFINITION, servicesFolder } from '../../../test/helpers/service-definitions.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { findApplication, insertApplication, insertEvent, type Application } from '../applications/store.js'
import { loadCatalogue } from '../services/catalogue.js'
import { addToDate, todayInKenya } from '../services/dates.js'

/** Two services of DIS with a review stage; beta's English name is a formula, to prove the CSV guards it. */
const WORKFLOW = `workflow:
  stages:
    - { id: submitted, name: { en: Submitted, sw: Imewasilishwa }, start: true, slaWorkingDays: 2 }
    - { id: review, name: { en: In review, sw: Inakaguliwa }, slaWorkingDays: 3 }
    - { id: done, name: { en: Issued, sw: Imetolewa }, end: issued }
    - { id: refused, name: { en: Refused, sw: Imekataliwa }, end: rejected }
    - { id: withdrawn, name: { en: Withdrawn, sw: Imeondolewa }, end: withdrawn }
  transitions:
    - { from: submitted, to: review, by: [agency_officer], label: { en: Review, sw: Kagua } }
    - { from: review, to: done, by: [agency_officer], label: { en: Issue, sw: Toa } }
    - { from: review, to: refused, by: [agency_officer], label: { en: Refuse, sw: Kataa } }
    - { from: submitted, to: withdrawn, by: [applicant], label: { en: Withdraw, sw: Ondoa } }
`
const base = SAMPLE_DEFINITION.replace(/workflow:[\s\S]*?issuedDocument:/, `${WORKFLOW}issuedDocument:`).replace('amounts: { a: 100, b: 200 }', 'amounts: { a: 1000, b: 7500 }')
const ALPHA = base.replace('slug: sample-service', 'slug: alpha').replace('name: { en: Sample service, sw: Huduma ya mfano }', 'name: { en: Alpha permit, sw: Kibali cha Alpha }')
const BETA = base.replace('slug: sample-service', 'slug: beta').replace('name: { en: Sample service, sw: Huduma ya mfano }', `name: { en: '=Beta, "quoted" permit', sw: Kibali cha Beta }`)

/** 09:00 in Nairobi on a day. */
const at = (day: string) => new Date(`${day}T06:00:00Z`)

describe(`agency reports and settlement on ${TEST_ENGINE}`, () => {
  let t: TestApp
  let admin: Browser
  let officerId: string
  let citizenId: string
  const today = todayInKenya()

  before(async () => {
    const database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    const catalogue = await loadCatalogue(servicesFolder({ 'DIS/alpha.yaml': ALPHA, 'DIS/beta.yaml': BETA }))
    t = await testApp({ database, catalogue })
    const adminAccount = await createAccount(t.database.db, { role: 'agency_admin', agencyCode: 'DIS', secondFactor: 'totp' })
    admin = new Browser(t.app)
    admin.cookies.set('session', (await signedInCookie(t.database.db, adminAccount.id)).split('=')[1]!)
    officerId = (await createAccount(t.database.db, { role: 'agency_officer', agencyCode: 'DIS', secondFactor: 'totp' })).id
    citizenId = (await createAccount(t.database.db)).id
  })
  after(() => t.close())

  /** A submitted application straight into its table, as the submission leaves it. */
  async function submitted(slug: string, day: string, values: Partial<Parameters<typeof insertApplication>[1]> = {}): Promise<Application> {
    const application = await insertApplication(t.database.db, {
      reference: `DIS-${randomUUID().slice(0, 8)}`, account_id: citizenId, party_kind: 'self', party_id: null, party_name: 'Achieng Otieno',
      service_slug: slug, agency_code: 'DIS', definition_version: 2, answers: JSON.stringify({ kind: 'a' }), current_page: null,
      status: 'in-progress', stage: 'submitted', declaration_accepted_at: at(day), submitted_at: at(day), ...values,
    })
    await insertEvent(t.database.db, { application_id: application.id, actor_kind: 'applicant', event_type: 'submitted', stage_to: 'submitted', at: at(day) })
    return application
  }
  const moved = (id: string, from: string, to: string, day: string) =>
    insertEvent(t.database.db, { application_id: id, actor_kind: 'agency', actor_account_id: officerId, event_type: 'stage-changed', stage_from: from, stage_to: to, at: at(day) })

  it('counts applications by service and stage, and the time to a decision, in calendar and working days', async () => {
    // March 2025: Mon 3 … Fri 7, Mon 10 … Fri 14 are working days.
    const a = await submitted('alpha', '2025-03-03', { status: 'completed', stage: 'done', outcome: 'issued' })
    await moved(a.id, 'submitted', 'review', '2025-03-05')
    await moved(a.id, 'review', 'done', '2025-03-11') // 8 calendar days, 6 working
    const b = await submitted('alpha', '2025-03-06', { status: 'completed', stage: 'refused', outcome: 'rejected' })
    await moved(b.id, 'submitted', 'review', '2025-03-10')
    await moved(b.id, 'review', 'refused', '2025-03-12') // 6 calendar days, 4 working
    const c = await submitted('beta', '2025-03-03', { stage: 'review' })
    await moved(c.id, 'submitted', 'review', '2025-03-06')
    await submitted('beta', '2025-03-07')
    // Outside the period, and another agency's: in no figure.
    const early = await submitted('alpha', '2025-02-03', { status: 'completed', stage: 'done', outcome: 'issued' })
    await moved(early.id, 'submitted', 'done', '2025-02-05')
    await submitted('alpha', '2025-03-04', { agency_code: 'CRS', reference: `CRS-${randomUUID().slice(0, 8)}` })

    const page = await admin.get('/backoffice/admin/reports?from=2025-03-01&to=2025-03-31')
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /From 2025-03-01 to 2025-03-31/)

    const csv = async (name: string) => {
      const response = await admin.get(`/backoffice/admin/reports/${name}.csv?from=2025-03-01&to=2025-03-31`)
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /^text\/csv/)
      assert.match(String(response.headers['content-disposition']), new RegExp(`attachment; filename="${name}-DIS-2025-03-01-2025-03-31.csv"`))
      return response.body.split('\r\n')
    }
    assert.deepEqual(await csv('applications-by-service'), [
      '"Service","Received","Open","Issued","Rejected","Withdrawn"',
      `"'=Beta, ""quoted"" permit",2,2,0,0,0`,
      '"Alpha permit",2,0,1,1,0',
      '"All services",4,2,1,1,0',
      '',
    ])
    assert.deepEqual(await csv('applications-by-stage'), [
      '"Service","Stage","Applications"',
      `"'=Beta, ""quoted"" permit","In review",1`,
      `"'=Beta, ""quoted"" permit","Submitted",1`,
      '"Alpha permit","Issued",1',
      '"Alpha permit","Refused",1',
      '',
    ])
    // Alpha: calendar 6 and 8 (median 7, 90th percentile 7.8); working 4 and 6 (median 5, 90th 5.8).
    assert.deepEqual(await csv('time-to-decision'), [
      '"Service","Decisions","Median, calendar days","90th percentile, calendar days","Median, working days","90th percentile, working days"',
      '"Alpha permit",2,7,7.8,5,5.8',
      '',
    ])
    assert.match(page.body, /<td class="govuk-table__cell govuk-table__cell--numeric">7\.8<\/td>/)
    const exports = await t.database.db.selectFrom('audit_log').select('details').where('action', '=', 'agency-report.export').execute()
    assert.equal(exports.length, 3)
  })

  it('measures deadlines met from each move as it happens, with the real status changes', async () => {
    const { recordStatusChange } = t.app.modules
    const officer = { kind: 'agency' as const, accountId: officerId, role: 'agency_officer' as const }
    const yesterday = addToDate(today, -1, 'd')
    const tomorrow = addToDate(today, 1, 'd')
    // Alpha: one move before its deadline, one on the day, one after; beta: one after.
    const cases: [string, string][] = [['alpha', tomorrow], ['alpha', today], ['alpha', yesterday], ['beta', yesterday]]
    for (const [slug, expectedBy] of cases) {
      const application = await submitted(slug, addToDate(today, -3, 'd'), { expected_by: expectedBy })
      await t.database.db.transaction().execute((trx) => recordStatusChange(trx, application, { to: 'review', actor: officer }))
    }
    // The applicant's withdrawal is not the agency's move; and one beta application is still open past its date.
    const withdrawn = await submitted('alpha', addToDate(today, -3, 'd'), { expected_by: yesterday })
    await t.database.db.transaction().execute((trx) => recordStatusChange(trx, withdrawn, { to: 'withdrawn', actor: { kind: 'applicant', accountId: citizenId } }))
    await submitted('beta', addToDate(today, -5, 'd'), { expected_by: yesterday })
    assert.equal((await t.database.db.selectFrom('sla_moves').select('id').execute()).length, 5, 'the trigger recorded every move out of a stage with a deadline')

    const lines = (await admin.get(`/backoffice/admin/reports/sla.csv?from=${today}&to=${today}`)).body.split('\r\n')
    assert.deepEqual(lines, [
      '"Service","Moves with a deadline","On time","Late","Share on time","Open and past their date today"',
      `"'=Beta, ""quoted"" permit",1,0,1,0,1`,
      '"Alpha permit",3,2,1,66.7,0',
      '"All services",4,2,2,50,1',
      '',
    ])
    // Other days hold none of today's moves; the open count is today's whatever the period.
    const march = (await admin.get('/backoffice/admin/reports/sla.csv?from=2025-03-01&to=2025-03-31')).body.split('\r\n')
    assert.deepEqual(march.slice(1), [`"'=Beta, ""quoted"" permit",0,0,0,,1`, ''])
  })

  it('sums the revenue the ledger recognised for the agency, less refunds, and lists settlement days', async () => {
    const { payments } = t.app.modules
    const pay = async (slug: string, kind: 'a' | 'b') => {
      const application = await submitted(slug, today, { status: 'awaiting-payment', stage: null, submitted_at: null, answers: JSON.stringify({ kind }) })
      const invoice = await t.database.db.transaction().execute((trx) => payments.raiseInvoice(trx, (application)))
      const receipt = `RKT${randomUUID().replace(/-/g, '').slice(0, 7).toUpperCase()}`
      const outcome = await payments.creditPayment({ source: 'c2b', receipt, amountCents: invoice.totalCents, currency: 'KES', phone: '+254712345678', paidAt: new Date(), billReference: invoice.billReference, raw: { TransID: receipt } })
      assert.equal(outcome.outcome, 'credited')
      return { invoice, application: (await findApplication(t.database.db, application.id))! }
    }
    const first = await pay('alpha', 'a')
    const second = await pay('beta', 'b')
    await payments.refund(second.invoice.id, { amountCents: 20_000, reason: 'Paid for the wrong permit', actor: { accountId: officerId, role: 'agency_admin' } })

    const lines = (await admin.get(`/backoffice/admin/reports/revenue.csv?from=${today}&to=${today}`)).body.split('\r\n')
    assert.deepEqual(lines, [
      '"Service","Currency","Collected","Refunded","Net"',
      `"'=Beta, ""quoted"" permit","KES",7500,200,7300`,
      '"Alpha permit","KES",1000,0,1000',
      '"All services","KES",8500,200,8300',
      '',
    ])

    const settlement = await admin.get(`/backoffice/admin/settlement?from=${today}&to=${today}`)
    assert.equal(settlement.statusCode, 200)
    const total = first.invoice.totalCents + second.invoice.totalCents
    assert.match(settlement.body, new RegExp(`<th scope="row" class="govuk-table__header">${today}</th>\\s*<td class="govuk-table__cell">KES</td>\\s*<td[^>]*>2</td>\\s*<td[^>]*>KES ${(total / 100).toLocaleString('en-KE')}</td>\\s*<td[^>]*>KES 8,500</td>`))
    const link = new RegExp(`href="(/payments/settlement\\.csv\\?date=${today})"`).exec(settlement.body)?.[1]
    assert.ok(link)
    const file = await admin.get(link)
    assert.equal(file.statusCode, 200)
    assert.equal(file.body.trim().split('\r\n').length, 3, 'the day’s file lists both payments')

    // Another agency's admin sees none of it.
    const crs = new Browser(t.app)
    crs.cookies.set('session', (await signedInCookie(t.database.db, (await createAccount(t.database.db, { role: 'agency_admin', agencyCode: 'CRS', secondFactor: 'totp' })).id)).split('=')[1]!)
    assert.match((await crs.get(`/backoffice/admin/settlement?from=${today}&to=${today}`)).body, /No payments in this period/)
    assert.deepEqual((await crs.get(`/backoffice/admin/reports/revenue.csv?from=${today}&to=${today}`)).body.split('\r\n'), ['"Service","Currency","Collected","Refunded","Net"', ''])
  })

  it('draws each report as an SVG chart with an accessible title and description, and no inline style or script', async () => {
    const page = await admin.get('/backoffice/admin/reports?from=2025-03-01&to=2025-03-31')
    const charts = page.body.match(/<svg[\s\S]*?<\/svg>/g) ?? []
    assert.equal(charts.length, 4, 'one chart for each report with figures (no revenue in March)')
    const chart = charts[0]!
    assert.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="app-bar-chart" role="img" aria-labelledby="chart-applications-by-service-title chart-applications-by-service-desc"/)
    assert.match(chart, /<title id="chart-applications-by-service-title">Applications by service<\/title>/)
    assert.match(chart, /<desc id="chart-applications-by-service-desc">Bar chart of Received, one bar for each row of the table: =Beta, &quot;quoted&quot; permit: 2; Alpha permit: 2<\/desc>/)
    assert.doesNotMatch(page.body, /\sstyle=|<style|<script(?! type="module" src=)/)
    assert.match(page.body, /<table class="govuk-table">\s*<caption class="govuk-table__caption govuk-visually-hidden">Applications by service<\/caption>/)
  })

  it('defaults to the last 30 days, and re-asks for a range that makes no sense', async () => {
    const page = await admin.get('/backoffice/admin/reports')
    assert.match(page.body, new RegExp(`From ${addToDate(today, -29, 'd')} to ${today}`))
    const backwards = await admin.get('/backoffice/admin/reports?from=2025-03-31&to=2025-03-01')
    assert.equal(backwards.statusCode, 400)
    assert.match(backwards.body, /The end of the period must be on or after its start/)
    assert.match(backwards.body, /value="2025-03-31"/)
    const nonsense = await admin.get('/backoffice/admin/settlement?from=2025-02-30')
    assert.equal(nonsense.statusCode, 400)
    assert.match(nonsense.body, /Enter a real date/)
    assert.equal((await admin.get('/backoffice/admin/reports/payroll.csv')).statusCode, 404)
    assert.equal((await admin.get('/backoffice/admin/reports/sla.csv?from=2024-01-01&to=2025-12-31')).statusCode, 400)
  })

  it('logs no server error', () => {
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
