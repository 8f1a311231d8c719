import { sql } from 'kysely'
import type { DatabaseHandle, Db } from './platform/db/database.js'
import { Progress, type ProgressStream } from './platform/progress.js'
import { hashPassword } from './modules/accounts/password.js'
import { SeededRandom } from './modules/registry/random.js'
import type { ServiceCatalogue } from './modules/services/catalogue.js'
import { seedBenchDocuments } from './bench-seed-documents.js'
import { seedBenchPrompts } from './bench-seed-prompts.js'
import { ApplicationFactory, Columns, DASHBOARD_MIX, DAY, FIRST_NAMES, Person, SURNAMES } from './bench-seed-rows.js'

/**
 * Load-test data (`ecitizen seed --bench`): many fictional citizens and their applications, so the
 * dashboard, the catalogue and submissions can be measured on a database of realistic size. Never for
 * production. Every bench account has an address at bench.example and the one password below (hashed
 * once, argon2id as usual), so any of them can sign in. Running it again tops up to the numbers asked.
 */
export const BENCH_PASSWORD = 'bench passphrase for everyone'
/** The dashboard scenario's person: exactly BENCH_DASHBOARD_APPLICATIONS applications, in every group. */
export const BENCH_DASHBOARD_EMAIL = 'bench.person@bench.example'
export const BENCH_DASHBOARD_APPLICATIONS = 50
/** The submission scenario's person: `drafts` complete drafts of BENCH_DRAFT_SERVICE, ready to submit. */
export const BENCH_SUBMITTER_EMAIL = 'bench.submitter@bench.example'
export const BENCH_DRAFT_SERVICE = 'ordinary-passport'
const SUBMITTER = { first: 'Baraka', last: 'Otieno', idNumber: '899999998', phone: '+254789999998' }
/** The numbered people: person.0000001@bench.example, … */
const PEOPLE_PATTERN = 'person.%@bench.example'

export const BENCH_DEFAULTS = { applications: 1_000_000, people: 100_000, drafts: 0, prompts: 0, documents: 0 } as const

export interface BenchSeedOptions {
  applications: number
  people: number
  /** Complete drafts the submitter should have ready (topped up; the ones earlier runs submitted stay). */
  drafts: number
  /**
   * Applications of the submitter waiting for payment, each with its invoice and a pending M-Pesa
   * prompt, for the callback scenarios (topped up: the ones earlier runs paid stay).
   */
  prompts?: number
  /**
   * Documents issued, by the documents module, for applications of the numbered people that ended
   * issued: what the public check is measured on (topped up).
   */
  documents?: number
  /** Where the progress bars go (standard error). */
  stream?: ProgressStream
  /** Rows per INSERT statement. */
  batch?: number
}

export interface BenchSeedReport {
  peopleAdded: number
  applicationsAdded: number
  eventsAdded: number
  draftsAdded: number
  promptsAdded: number
  documentsAdded: number
  people: number
  applications: number
  seconds: number
}

// The mix a mature portal would show: most applications finished, a fifth waiting on the agency.
async function insertApplications(db: Db, factory: ApplicationFactory, templates: string, rows: Columns): Promise<{ applications: number; events: number }> {
  const starts = factory.startStages()
  const result = await sql<{ applications: number; events: number }>`
    with input as (
      select * from unnest(
        ${rows.reference}::text[], ${rows.account_id}::uuid[], ${rows.party_kind}::text[], ${rows.party_id}::text[],
        ${rows.party_name}::text[], ${rows.service_slug}::text[], ${rows.agency_code}::text[], ${rows.definition_version}::int[],
        ${rows.template}::int[], ${rows.current_page}::text[], ${rows.status}::text[], ${rows.stage}::text[], ${rows.outcome}::text[],
        ${rows.declared_at}::timestamptz[], ${rows.submitted_at}::timestamptz[], ${rows.expected_by}::date[],
        ${rows.created_at}::timestamptz[], ${rows.updated_at}::timestamptz[]
      ) as t(reference, account_id, party_kind, party_id, party_name, service_slug, agency_code, definition_version,
             template, current_page, status, stage, outcome, declared_at, submitted_at, expected_by, created_at, updated_at)
    ), inserted as (
      insert into applications (reference, account_id, party_kind, party_id, party_name, service_slug, agency_code,
        definition_version, answers, current_page, status, stage, outcome, declaration_accepted_at, submitted_at,
        expected_by, created_at, updated_at)
      select reference, account_id, party_kind, party_id, party_name, service_slug, agency_code, definition_version,
        ${templates}::jsonb -> template, current_page, status, stage, outcome, declared_at, submitted_at,
        expected_by, created_at, updated_at
      from input
      on conflict do nothing
      returning id, account_id, service_slug, stage, outcome, created_at, declaration_accepted_at, submitted_at, updated_at
    ), events as (
      insert into application_events (application_id, at, actor_kind, actor_account_id, event_type, stage_from, stage_to)
      select i.id, e.at, e.actor_kind, e.actor_account_id, e.event_type, e.stage_from, e.stage_to
      from inserted i
      join unnest(${starts.slugs}::text[], ${starts.stages}::text[]) as s(slug, start_stage) on s.slug = i.service_slug
      cross join lateral (values
        (i.created_at, 'applicant', i.account_id, 'started', null::text, null::text),
        (i.declaration_accepted_at, 'applicant', i.account_id, 'awaiting-payment', null, null),
        (i.submitted_at, 'system', null::uuid, 'submitted', null, s.start_stage),
        (case when i.stage <> s.start_stage then i.updated_at end,
         case when i.outcome = 'withdrawn' then 'applicant' else 'agency' end,
         case when i.outcome = 'withdrawn' then i.account_id end,
         case when i.outcome = 'withdrawn' then 'withdrawn' else 'stage-changed' end,
         s.start_stage, i.stage)
      ) as e(at, actor_kind, actor_account_id, event_type, stage_from, stage_to)
      where e.at is not null
      returning 1
    )
    select (select count(*) from inserted)::int as applications, (select count(*) from events)::int as events`.execute(db)
  const row = result.rows[0]!
  return { applications: Number(row.applications), events: Number(row.events) }
}

async function countOf(db: Db, query: ReturnType<typeof sql<{ n: string | number }>>): Promise<number> {
  return Number((await query.execute(db)).rows[0]?.n ?? 0)
}

async function benchAccount(db: Db, email: string, passwordHash: string, names: { first: string; last: string; idNumber: string; phone: string }): Promise<Person> {
  await db
    .insertInto('accounts')
    .values({
      kind: 'citizen',
      id_number: names.idNumber,
      first_name: names.first,
      last_name: names.last,
      email,
      phone: names.phone,
      password_hash: passwordHash,
      second_factor: 'email',
      email_verified_at: new Date(),
      phone_verified_at: new Date(),
    })
    .onConflict((oc) => oc.doNothing())
    .execute()
  const row = await db
    .selectFrom('accounts')
    .select(['id', 'first_name', 'last_name'])
    .where(sql<boolean>`lower(email) = ${email}`)
    .executeTakeFirstOrThrow()
  return { id: row.id, firstName: row.first_name, lastName: row.last_name }
}

/**
 * Adds bench people and applications until there are `people` and `applications` of them (a second run
 * tops up; asking for fewer than there are adds nothing), the dashboard person with exactly 50, and the
 * submitter with `drafts` fresh drafts. Then refreshes the planner's statistics.
 */
export async function seedBenchData(database: DatabaseHandle, catalogue: ServiceCatalogue, options: BenchSeedOptions): Promise<BenchSeedReport> {
  const started = performance.now()
  const db = database.db
  const stream = options.stream ?? process.stderr
  const batch = options.batch ?? (database.engine === 'postgres' ? 5000 : 1000)
  const say = (line: string) => stream.write(`${line}\n`)
  const passwordHash = await hashPassword(BENCH_PASSWORD)
  const report: BenchSeedReport = { peopleAdded: 0, applicationsAdded: 0, eventsAdded: 0, draftsAdded: 0, promptsAdded: 0, documentsAdded: 0, people: 0, applications: 0, seconds: 0 }

  // People: numbered, so a top-up continues where the last run stopped and never repeats a name.
  const existingPeople = await countOf(db, sql<{ n: string }>`select count(*) as n from accounts where email like ${PEOPLE_PATTERN}`)
  if (existingPeople < options.people) {
    const progress = new Progress('people      ', options.people - existingPeople, stream)
    for (let from = existingPeople + 1; from <= options.people; from += batch * 4) {
      const to = Math.min(options.people, from + batch * 4 - 1)
      // Names, ID numbers (nine digits: no clash with the register's eight) and phones derive from the number.
      await sql`
        insert into accounts (kind, id_number, first_name, last_name, email, phone, password_hash, second_factor,
          email_verified_at, phone_verified_at, language)
        select 'citizen', (900000000 + g)::text,
          (${FIRST_NAMES}::text[])[1 + g % ${FIRST_NAMES.length}],
          (${SURNAMES}::text[])[1 + (g / ${FIRST_NAMES.length}) % ${SURNAMES.length}],
          'person.' || lpad(g::text, 7, '0') || '@bench.example',
          '+25479' || lpad(g::text, 7, '0'),
          ${passwordHash}, 'email', now(), now(),
          case when g % 10 = 0 then 'sw' else 'en' end
        from generate_series(${from}::int, ${to}::int) as g
        on conflict do nothing`.execute(db)
      progress.add(to - from + 1)
    }
    progress.finish()
  }
  const people: Person[] = (
    await sql<{ id: string; first_name: string; last_name: string }>`
      select id, first_name, last_name from accounts where email like ${PEOPLE_PATTERN} order by email limit ${options.people}`.execute(db)
  ).rows.map((row) => ({ id: row.id, firstName: row.first_name, lastName: row.last_name }))
  report.people = people.length
  report.peopleAdded = Math.max(0, people.length - existingPeople)

  const existingApplications = await countOf(
    db,
    sql<{ n: string }>`select count(*) as n from applications a join accounts c on c.id = a.account_id where c.email like ${PEOPLE_PATTERN}`,
  )
  // A different stream of choices on each top-up, the same for the same database size.
  const random = new SeededRandom(0xbe4c + existingApplications)
  const factory = new ApplicationFactory(catalogue, random, Date.now())
  const templates = JSON.stringify(factory.templates)
  const write = async (rows: Columns) => {
    const written = await insertApplications(db, factory, templates, rows)
    report.eventsAdded += written.events
    return written.applications
  }

  if (existingApplications < options.applications) {
    if (people.length === 0) throw new Error('no bench people to own the applications: ask for at least one (--people)')
    const wanted = options.applications - existingApplications
    const progress = new Progress('applications', wanted, stream)
    let added = 0
    while (added < wanted) {
      const rows = new Columns()
      const size = Math.min(batch, wanted - added)
      for (let i = 0; i < size; i++) factory.add(rows, people[Math.floor(random.next() * people.length)]!)
      // A reference already taken is skipped; the next batch makes up for it.
      const inserted = await write(rows)
      added += inserted
      progress.add(inserted)
    }
    progress.finish()
    report.applicationsAdded = added
  }
  report.applications = Math.max(existingApplications, options.applications)

  // The dashboard person: 50 applications, every group more than one page long.
  const person = await benchAccount(db, BENCH_DASHBOARD_EMAIL, passwordHash, { first: 'Amani', last: 'Wekesa', idNumber: '899999999', phone: '+254789999999' })
  const statuses = DASHBOARD_MIX.flatMap(([status, n]) => Array.from({ length: n }, () => status))
  const countTheirs = () => countOf(db, sql<{ n: string }>`select count(*) as n from applications where account_id = ${person.id}`)
  let theirs = await countTheirs()
  const dashboardAdded = theirs < BENCH_DASHBOARD_APPLICATIONS
  if (dashboardAdded) {
    // Until there are 50: a reference that happened to be taken is drawn again on the next pass.
    while (theirs < BENCH_DASHBOARD_APPLICATIONS) {
      const rows = new Columns()
      for (const status of statuses.slice(theirs)) factory.add(rows, person, { status })
      await write(rows)
      theirs = await countTheirs()
    }
    say(`dashboard person ${BENCH_DASHBOARD_EMAIL}: ${BENCH_DASHBOARD_APPLICATIONS} applications`)
  }

  // The submitter: complete drafts ready for "check answers". Those earlier runs submitted stay (other
  // modules' rows, invoices for one, hang off them), so each run only tops the drafts up.
  if (options.drafts > 0) {
    const submitter = await benchAccount(db, BENCH_SUBMITTER_EMAIL, passwordHash, SUBMITTER)
    const drafts = await countOf(db, sql<{ n: string }>`select count(*) as n from applications where account_id = ${submitter.id} and status = 'draft'`)
    if (drafts < options.drafts) {
      const plan = factory.plan(BENCH_DRAFT_SERVICE)
      const progress = new Progress('drafts      ', options.drafts - drafts, stream)
      let added = 0
      while (drafts + added < options.drafts) {
        const rows = new Columns()
        const size = Math.min(batch, options.drafts - drafts - added)
        for (let i = 0; i < size; i++) factory.add(rows, submitter, { status: 'draft', plan, complete: true, within: DAY })
        const inserted = await write(rows)
        added += inserted
        progress.add(inserted)
      }
      progress.finish()
      report.draftsAdded = added
    }
  }

  if (options.prompts) {
    const payer = await benchAccount(db, BENCH_SUBMITTER_EMAIL, passwordHash, SUBMITTER)
    const seed = { database, catalogue, factory, write, batch, stream }
    report.promptsAdded = await seedBenchPrompts({ ...seed, payer: { ...payer, phone: SUBMITTER.phone }, service: BENCH_DRAFT_SERVICE, wanted: options.prompts })
  }

  if (options.documents) {
    report.documentsAdded = await seedBenchDocuments({ database, catalogue, people: PEOPLE_PATTERN, wanted: options.documents, stream })
  }

  // Fresh statistics (and visibility map) for the planner, as autovacuum would have after such a load.
  if (report.peopleAdded || report.applicationsAdded || report.draftsAdded || report.promptsAdded || report.documentsAdded || dashboardAdded) {
    say('analysing the tables…')
    const tables = [
      'accounts', 'applications', 'application_events',
      ...(report.promptsAdded ? ['invoices', 'invoice_lines', 'mpesa_prompts'] : []),
      ...(report.documentsAdded ? ['issued_documents'] : []),
    ]
    for (const table of tables) await sql`vacuum analyze ${sql.table(table)}`.execute(db)
  }
  report.seconds = Math.round((performance.now() - started) / 100) / 10
  return report
}

export type BenchArgs = { -readonly [K in keyof typeof BENCH_DEFAULTS]: number }

/** Reads `--applications N --people M --drafts K --prompts P --documents D` (each optional; 1_000_000 and 1e6 are accepted). */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const options: BenchArgs = { ...BENCH_DEFAULTS }
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!
    const key = ({ '--applications': 'applications', '--people': 'people', '--drafts': 'drafts', '--prompts': 'prompts', '--documents': 'documents' } as const)[name]
    if (!key) throw new RangeError(`unknown option ${name}`)
    const raw = argv[++i]
    const value = raw === undefined ? NaN : Number(raw.replace(/_/g, ''))
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} needs a whole number, not ${raw ?? 'nothing'}`)
    options[key] = value
  }
  return options
}
