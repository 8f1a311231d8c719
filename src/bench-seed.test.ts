import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { freshDatabase, TEST_ENGINE } from '../test/helpers/database.js'
import { benchIssuer } from './bench-seed-documents.js'
import { BENCH_DASHBOARD_EMAIL, BENCH_PASSWORD, BENCH_SUBMITTER_EMAIL, parseBenchArgs, seedBenchData } from './bench-seed.js'
import { upsertAgencies } from './modules/agencies/store.js'
import { DEMO_AGENCIES } from './modules/agencies/demo-agencies.js'
import { verifyPassword } from './modules/accounts/password.js'
import { loadCatalogue, type ServiceCatalogue } from './modules/services/catalogue.js'
import { isValidReference } from './modules/services/reference.js'
import { validateApplication } from './modules/services/answers.js'
import type { DatabaseHandle } from './platform/db/database.js'
import { Progress } from './platform/progress.js'

/** A stream that keeps what is written, as a terminal (isTTY) or as a log file. */
function capture(isTTY: boolean) {
  const chunks: string[] = []
  return { isTTY, columns: 120, write: (text: string) => chunks.push(text), text: () => chunks.join('') }
}

/** A fresh database with the agencies, and the services as loaded from services/. */
async function agenciesAndCatalogue(): Promise<{ database: DatabaseHandle; catalogue: ServiceCatalogue }> {
  const database = await freshDatabase()
  await upsertAgencies(database.db, DEMO_AGENCIES)
  return { database, catalogue: await loadCatalogue() }
}

describe(`seed --bench on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let catalogue: ServiceCatalogue
  before(async () => {
    ;({ database, catalogue } = await agenciesAndCatalogue())
  })
  after(() => database.close())

  const count = async (query: ReturnType<typeof sql<{ n: string }>>) => Number((await query.execute(database.db)).rows[0]!.n)

  it('adds people, applications with their timelines, the dashboard person and drafts ready to submit', async () => {
    const stream = capture(false)
    const report = await seedBenchData(database, catalogue, { applications: 300, people: 30, drafts: 12, stream, batch: 100 })
    assert.deepEqual(
      { people: report.peopleAdded, applications: report.applicationsAdded, drafts: report.draftsAdded },
      { people: 30, applications: 300, drafts: 12 },
    )
    assert.match(stream.text(), /applications +100% +300\/300/)

    const db = database.db
    assert.equal(await count(sql`select count(*) as n from accounts where email like 'person.%@bench.example'`), 30)
    assert.equal(await count(sql`select count(*) as n from applications a join accounts c on c.id = a.account_id where c.email like 'person.%@bench.example'`), 300)
    // Every application has a timeline, and a submitted one says when it was submitted.
    assert.equal(await count(sql`select count(*) as n from applications a where not exists (select 1 from application_events e where e.application_id = a.id)`), 0)
    assert.equal(await count(sql`select count(*) as n from applications a where a.submitted_at is not null
      and not exists (select 1 from application_events e where e.application_id = a.id and e.event_type = 'submitted')`), 0)
    // A realistic mix, spread over a year.
    const statuses = (await sql<{ status: string }>`select distinct status from applications`.execute(db)).rows.map((row) => row.status).sort()
    assert.deepEqual(statuses, ['action-needed', 'awaiting-payment', 'completed', 'draft', 'in-progress'])
    const spread = (await sql<{ days: number }>`select extract(epoch from max(updated_at) - min(updated_at)) / 86400 as days from applications`.execute(db)).rows[0]!
    assert.ok(Number(spread.days) > 200, `updated over ${spread.days} days`)
    for (const { reference } of (await sql<{ reference: string }>`select reference from applications`.execute(db)).rows) assert.ok(isValidReference(reference), reference)

    const person = await db.selectFrom('accounts').select(['id', 'password_hash']).where('email', '=', BENCH_DASHBOARD_EMAIL).executeTakeFirstOrThrow()
    assert.ok(await verifyPassword(person.password_hash, BENCH_PASSWORD))
    const groups = await sql<{ status: string; n: string }>`select status, count(*) as n from applications where account_id = ${person.id} group by status`.execute(db)
    assert.equal(groups.rows.reduce((sum, row) => sum + Number(row.n), 0), 50)
    assert.equal(groups.rows.length, 5, 'every dashboard group')

    // The submitter's drafts are complete: submitting them finds nothing missing.
    const drafts = await sql<{ service_slug: string; definition_version: number; answers: Record<string, unknown>; party_kind: string }>`
      select a.service_slug, a.definition_version, a.answers, a.party_kind from applications a join accounts c on c.id = a.account_id
      where c.email = ${BENCH_SUBMITTER_EMAIL}`.execute(db)
    assert.equal(drafts.rows.length, 12)
    for (const draft of drafts.rows) {
      assert.equal(draft.party_kind, 'self')
      const definition = catalogue.version(draft.service_slug, draft.definition_version)!
      assert.deepEqual(validateApplication(definition, draft.answers).errors, {})
    }
  })

  it('tops up on a second run and adds nothing when the numbers are reached', async () => {
    const again = await seedBenchData(database, catalogue, { applications: 300, people: 30, drafts: 12, stream: capture(false) })
    assert.deepEqual([again.peopleAdded, again.applicationsAdded, again.draftsAdded], [0, 0, 0])
    const more = await seedBenchData(database, catalogue, { applications: 350, people: 40, drafts: 12, stream: capture(false) })
    assert.deepEqual([more.peopleAdded, more.applicationsAdded], [10, 50])
    assert.equal(await count(sql`select count(*) as n from applications a join accounts c on c.id = a.account_id where c.email = ${BENCH_DASHBOARD_EMAIL}`), 50)
  })
})

describe(`seed --bench --prompts on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let catalogue: ServiceCatalogue
  before(async () => {
    ;({ database, catalogue } = await agenciesAndCatalogue())
  })
  after(() => database.close())

  const pending = sql<{ id: string; status: string; total_cents: string; amount_cents: string; bill_reference: string; lines: string; checkout_request_id: string }>`
    select a.id, a.status, i.total_cents, p.amount_cents, i.bill_reference, p.checkout_request_id,
      (select count(*) from invoice_lines l where l.invoice_id = i.id) as lines
    from applications a join accounts c on c.id = a.account_id join invoices i on i.application_id = a.id
    join mpesa_prompts p on p.invoice_id = i.id
    where c.email = ${BENCH_SUBMITTER_EMAIL} and p.status = 'pending' and i.status = 'pending'`

  it('adds applications waiting for payment, each with its invoice and one pending prompt for what it owes', async () => {
    const report = await seedBenchData(database, catalogue, { applications: 0, people: 0, drafts: 0, prompts: 7, stream: capture(false) })
    assert.equal(report.promptsAdded, 7)
    const rows = (await pending.execute(database.db)).rows
    assert.equal(rows.length, 7)
    assert.equal(new Set(rows.map((row) => row.checkout_request_id)).size, 7)
    for (const row of rows) {
      assert.equal(row.status, 'awaiting-payment')
      assert.equal(Number(row.amount_cents), Number(row.total_cents))
      assert.ok(Number(row.lines) >= 2, 'the government fee and the convenience fee')
      assert.match(row.bill_reference, /^DIS[0-9A-Z]{6,9}$/)
    }
    const events = await sql<{ n: string }>`select count(*) as n from application_events e where e.application_id = any(${rows.map((row) => row.id)}::uuid[]) and e.event_type = 'awaiting-payment'`.execute(database.db)
    assert.equal(Number(events.rows[0]!.n), 7)
  })

  it('tops up: only the prompts missing are added, for applications already waiting first', async () => {
    const again = await seedBenchData(database, catalogue, { applications: 0, people: 0, drafts: 0, prompts: 7, stream: capture(false) })
    assert.equal(again.promptsAdded, 0)
    // A prompt answered (here: failed) no longer counts; an application left without a prompt is used again.
    const [first] = (await pending.execute(database.db)).rows
    await sql`update mpesa_prompts set status = 'failed', settled_at = now() where checkout_request_id = ${first!.checkout_request_id}`.execute(database.db)
    await sql`delete from mpesa_prompts where checkout_request_id = ${(await pending.execute(database.db)).rows[0]!.checkout_request_id}`.execute(database.db)
    const applications = async () => Number((await sql<{ n: string }>`select count(*) as n from applications a join accounts c on c.id = a.account_id where c.email = ${BENCH_SUBMITTER_EMAIL}`.execute(database.db)).rows[0]!.n)
    const before = await applications()
    const more = await seedBenchData(database, catalogue, { applications: 0, people: 0, drafts: 0, prompts: 8, stream: capture(false) })
    assert.equal(more.promptsAdded, 3)
    assert.equal((await pending.execute(database.db)).rows.length, 8)
    assert.equal(await applications(), before + 2, 'the one without a prompt is used again')
  })
})

describe(`seed --bench --documents on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let catalogue: ServiceCatalogue
  before(async () => {
    ;({ database, catalogue } = await agenciesAndCatalogue())
  })
  after(() => database.close())

  const documents = sql<{ number: string; credential: string; outcome: string; agency_code: string; issuer_agency: string; issuer_role: string }>`
    select d.number, d.credential, a.outcome, d.agency_code, s.agency_code as issuer_agency, s.role as issuer_role
    from issued_documents d join applications a on a.id = d.application_id join accounts c on c.id = a.account_id
    join accounts s on s.id = d.issued_by
    where c.email like 'person.%@bench.example'`

  it('issues signed documents for applications that ended issued, which the public check finds genuine', async () => {
    const report = await seedBenchData(database, catalogue, { applications: 200, people: 20, drafts: 0, documents: 6, stream: capture(false) })
    assert.equal(report.documentsAdded, 6)
    const rows = (await documents.execute(database.db)).rows
    assert.equal(rows.length, 6)
    const issuer = benchIssuer(database.db, catalogue)
    for (const row of rows) {
      assert.equal(row.outcome, 'issued')
      assert.deepEqual([row.issuer_agency, row.issuer_role], [row.agency_code, 'agency_officer'])
      const check = await issuer.check(row.number, row.credential)
      assert.deepEqual([check?.state, check?.credential], ['valid', 'genuine'], row.number)
    }
  })

  it('tops up: only the documents missing are added', async () => {
    const again = await seedBenchData(database, catalogue, { applications: 200, people: 20, drafts: 0, documents: 6, stream: capture(false) })
    assert.equal(again.documentsAdded, 0)
    const more = await seedBenchData(database, catalogue, { applications: 200, people: 20, drafts: 0, documents: 9, stream: capture(false) })
    assert.equal(more.documentsAdded, 3)
    assert.equal((await documents.execute(database.db)).rows.length, 9)
  })
})

describe('seed --bench options', () => {
  it('reads the counts, with defaults, and refuses anything else', () => {
    assert.deepEqual(parseBenchArgs([]), { applications: 1_000_000, people: 100_000, drafts: 0, prompts: 0, documents: 0 })
    assert.deepEqual(parseBenchArgs(['--applications', '200_000', '--people', '20000', '--drafts', '5', '--prompts', '9', '--documents', '4']), {
      applications: 200_000,
      people: 20_000,
      drafts: 5,
      prompts: 9,
      documents: 4,
    })
    assert.throws(() => parseBenchArgs(['--applications']), /whole number/)
    assert.throws(() => parseBenchArgs(['--applications', '-3']), /whole number/)
    assert.throws(() => parseBenchArgs(['--peoples', '3']), /unknown option --peoples/)
  })
})

describe('the progress bar', () => {
  it('prints a plain line at each tenth when not on a terminal', () => {
    let now = 0
    const stream = capture(false)
    const progress = new Progress('rows', 1000, stream, () => now)
    for (let i = 0; i < 20; i++) {
      now += 50
      progress.add(50)
    }
    progress.finish()
    const lines = stream.text().trim().split('\n')
    assert.equal(lines.length, 11)
    assert.match(lines[0]!, /^rows +0% +0\/1,000/)
    assert.match(lines[5]!, /^rows +50% +500\/1,000 +1,000\/s +1s left$/)
    assert.match(lines.at(-1)!, /^rows +100% +1,000\/1,000 +1,000\/s +in 1s$/)
    assert.doesNotMatch(stream.text(), /\r|#/)
  })

  it('redraws one line with a bar on a terminal', () => {
    let now = 0
    const stream = capture(true)
    const progress = new Progress('rows', 10, stream, () => now)
    now = 200
    progress.add(5)
    now = 400
    progress.add(5)
    progress.finish()
    const text = stream.text()
    assert.match(text, /\rrows +\[#{15}\.{15}\] +50%/)
    assert.match(text, /\[#{30}\] +100%/)
    assert.ok(text.endsWith('\n'))
    assert.equal(text.split('\n').length, 2, 'one line, redrawn')
  })
})
