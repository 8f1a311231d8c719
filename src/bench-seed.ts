import { sql } from 'kysely'
import type { DatabaseHandle, Db } from './platform/db/database.js'
import { Progress, type ProgressStream } from './platform/progress.js'
import { hashPassword } from './modules/accounts/password.js'
import { statusForStage } from './modules/applications/workflow.js'
import { addWorkingDays } from './modules/applications/working-days.js'
import type { ApplicationStatus, Outcome, PartyKind } from './modules/applications/tables.js'
import { CHRISTIAN_NAMES, COMMUNITIES, MUSLIM_NAMES } from './modules/registry/demo-names.js'
import { SeededRandom } from './modules/registry/random.js'
import type { ServiceCatalogue } from './modules/services/catalogue.js'
import { todayInKenya } from './modules/services/dates.js'
import type { ServiceDefinition, Stage } from './modules/services/definition.js'
import { newReference } from './modules/services/reference.js'
import { sampleAnswers } from './modules/services/sample-answers.js'
import { visiblePages } from './modules/services/visibility.js'

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
/** The numbered people: person.0000001@bench.example, … */
const PEOPLE_PATTERN = 'person.%@bench.example'

export const BENCH_DEFAULTS = { applications: 1_000_000, people: 100_000, drafts: 0 } as const

export interface BenchSeedOptions {
  applications: number
  people: number
  /** Complete drafts the submitter should have ready (topped up; the ones earlier runs submitted stay). */
  drafts: number
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
  people: number
  applications: number
  seconds: number
}

// The mix a mature portal would show: most applications finished, a fifth waiting on the agency.
const STATUS_MIX: { value: ApplicationStatus; weight: number }[] = [
  { value: 'draft', weight: 12 },
  { value: 'awaiting-payment', weight: 8 },
  { value: 'in-progress', weight: 22 },
  { value: 'action-needed', weight: 8 },
  { value: 'completed', weight: 50 },
]
const OUTCOME_MIX: { value: Outcome; weight: number }[] = [
  { value: 'issued', weight: 86 },
  { value: 'rejected', weight: 6 },
  { value: 'withdrawn', weight: 8 },
]
/** How often each service is applied for, relative to one another (unlisted services: 5). */
const SERVICE_WEIGHTS: Record<string, number> = {
  'certificate-of-good-conduct': 30,
  'ordinary-passport': 20,
  'driving-licence-renewal': 20,
  'provisional-driving-licence': 8,
  'birth-certificate': 8,
  'business-name-search': 8,
  'business-name-registration': 4,
}
/** The dashboard person's 50, chosen so that every group has more than one page. */
const DASHBOARD_MIX: [ApplicationStatus, number][] = [
  ['action-needed', 5],
  ['draft', 8],
  ['awaiting-payment', 7],
  ['in-progress', 15],
  ['completed', 15],
]
/** Answer sets per service: a handful, reused (the table's size matters here, not their variety). */
const TEMPLATES_PER_SERVICE = 4

const DAY = 86_400_000
const HOUR = 3_600_000
const FIRST_NAMES = [...CHRISTIAN_NAMES.female, ...CHRISTIAN_NAMES.male, ...MUSLIM_NAMES.female, ...MUSLIM_NAMES.male]
const SURNAMES = [...new Set(COMMUNITIES.flatMap((community) => community.surnames))]

interface Person {
  id: string
  firstName: string
  lastName: string
}

interface ServicePlan {
  definition: ServiceDefinition
  weight: number
  start: Stage
  inProgress: Stage[]
  actionNeeded: Stage[]
  ends: Map<Outcome, Stage>
  /** Per answer set: the full answers' template index, and the partial ones a draft at page p has. */
  answerSets: { full: number; pages: string[]; partial: number[] }[]
}

/** Application rows as column arrays, the shape `unnest` reads. */
class Columns {
  reference: string[] = []
  account_id: string[] = []
  party_kind: PartyKind[] = []
  party_id: (string | null)[] = []
  party_name: string[] = []
  service_slug: string[] = []
  agency_code: string[] = []
  definition_version: number[] = []
  template: number[] = []
  current_page: (string | null)[] = []
  status: ApplicationStatus[] = []
  stage: (string | null)[] = []
  outcome: (Outcome | null)[] = []
  declared_at: (string | null)[] = []
  submitted_at: (string | null)[] = []
  expected_by: (string | null)[] = []
  created_at: string[] = []
  updated_at: string[] = []
}

/** Builds application rows: a service, a status and a stage that fit its workflow, dates over the last year. */
class ApplicationFactory {
  readonly templates: unknown[] = []
  readonly plans: ServicePlan[]
  private readonly expectedCache = new Map<string, string>()

  constructor(
    catalogue: ServiceCatalogue,
    private readonly random: SeededRandom,
    private readonly now: number,
  ) {
    const today = todayInKenya(new Date(now))
    this.plans = catalogue
      .list()
      .filter((definition) => definition.applicants.accountKinds.includes('citizen'))
      .map((definition) => {
        const stages = definition.workflow.stages
        const start = stages.find((stage) => stage.start)!
        const answerSets = Array.from({ length: TEMPLATES_PER_SERVICE }, (_, seed) => {
          const answers = sampleAnswers(definition, { seed: seed + 1, today })
          const pages = visiblePages(definition, answers)
          const full = this.template(answers)
          const partial = pages.map((_page, p) => {
            const earlier = new Set(pages.slice(0, p).flatMap((page) => page.questions.map((question) => question.id)))
            return this.template(Object.fromEntries(Object.entries(answers).filter(([id]) => earlier.has(id))))
          })
          return { full, pages: pages.map((page) => page.id), partial }
        })
        return {
          definition,
          weight: SERVICE_WEIGHTS[definition.slug] ?? 5,
          start,
          inProgress: stages.filter((stage) => statusForStage(stage) === 'in-progress'),
          actionNeeded: stages.filter((stage) => statusForStage(stage) === 'action-needed'),
          ends: new Map(stages.filter((stage) => stage.end).map((stage) => [stage.end!, stage])),
          answerSets,
        }
      })
    if (this.plans.length === 0) throw new Error('no service a citizen may apply for: nothing to seed')
  }

  private template(answers: unknown): number {
    this.templates.push(answers)
    return this.templates.length - 1
  }

  plan(slug: string): ServicePlan {
    const plan = this.plans.find((candidate) => candidate.definition.slug === slug)
    if (!plan) throw new Error(`no service ${slug} for citizens`)
    return plan
  }

  /** The start stage of each service, for the timeline events. */
  startStages(): { slugs: string[]; stages: string[] } {
    return { slugs: this.plans.map((plan) => plan.definition.slug), stages: this.plans.map((plan) => plan.start.id) }
  }

  private expectedBy(updated: number, days: number): string {
    // Kenya keeps UTC+3 all year.
    const date = new Date(updated + 3 * HOUR).toISOString().slice(0, 10)
    const key = `${date}/${days}`
    let expected = this.expectedCache.get(key)
    if (!expected) {
      expected = addWorkingDays(date, days)
      this.expectedCache.set(key, expected)
    }
    return expected
  }

  add(rows: Columns, person: Person, options: { status?: ApplicationStatus; plan?: ServicePlan; complete?: boolean; within?: number } = {}): void {
    const random = this.random
    let status = options.status ?? random.weighted(STATUS_MIX)
    // Asked for one waiting on the applicant: a service whose workflow has such a stage.
    const candidates = options.status === 'action-needed' ? this.plans.filter((plan) => plan.actionNeeded.length > 0) : this.plans
    const plan = options.plan ?? random.weighted((candidates.length ? candidates : this.plans).map((value) => ({ value, weight: value.weight })))
    const definition = plan.definition
    let stage: Stage | null = null
    if (status === 'action-needed' && plan.actionNeeded.length === 0) status = 'in-progress'
    if (status === 'in-progress') stage = random.pick(plan.inProgress)
    else if (status === 'action-needed') stage = random.pick(plan.actionNeeded)
    else if (status === 'completed') {
      const outcome = random.weighted(OUTCOME_MIX.filter((item) => plan.ends.has(item.value)))
      stage = plan.ends.get(outcome)!
    }

    const set = random.pick(plan.answerSets)
    let template = set.full
    let currentPage: string | null = null
    if (status === 'draft' && !options.complete) {
      // Somewhere in the form: the answers of the pages before it (or all of them, at check answers).
      const p = random.int(0, set.pages.length)
      if (p < set.pages.length) {
        template = set.partial[p]!
        currentPage = set.pages[p]!
      }
    }

    const now = this.now
    const created = now - Math.floor(random.next() * (options.within ?? 365 * DAY))
    let declared: number | null = null
    let submitted: number | null = null
    let updated: number
    if (status === 'draft') {
      updated = created + Math.floor(random.next() * Math.min(3 * DAY, now - created))
    } else {
      declared = created + Math.floor(random.next() * Math.min(2 * HOUR, now - created))
      updated = declared
      if (stage) {
        submitted = declared + Math.floor(random.next() * Math.min(DAY, now - declared))
        updated = stage === plan.start ? submitted : submitted + Math.floor(random.next() * Math.min(30 * DAY, now - submitted))
      }
    }

    let partyKind: PartyKind = 'self'
    let partyId: string | null = null
    let partyName = `${person.firstName} ${person.lastName}`
    const allowed = definition.applicants.for
    // Drafts are the person's own: opening one checks again, against the registers, that they may act
    // for whom it is (and these children and businesses are in no register).
    const forOthers = status !== 'draft'
    if (forOthers && allowed.includes('business') && random.chance(0.3)) {
      partyKind = 'business'
      partyId = `BN-BENCH${String(random.int(0, 99_999_999)).padStart(8, '0')}`
      partyName = `${person.lastName} ${random.pick(['General Stores', 'Agrovet', 'Hardware', 'Enterprises'])}`
    } else if (forOthers && allowed.includes('dependant') && random.chance(0.12)) {
      partyKind = 'dependant'
      partyId = `BENCH${String(random.int(0, 99_999_999)).padStart(8, '0')}`
      partyName = `${random.pick(FIRST_NAMES)} ${person.lastName}`
    }

    rows.reference.push(newReference(definition.agency))
    rows.account_id.push(person.id)
    rows.party_kind.push(partyKind)
    rows.party_id.push(partyId)
    rows.party_name.push(partyName)
    rows.service_slug.push(definition.slug)
    rows.agency_code.push(definition.agency)
    rows.definition_version.push(definition.version)
    rows.template.push(template)
    rows.current_page.push(currentPage)
    rows.status.push(status)
    rows.stage.push(stage?.id ?? null)
    rows.outcome.push(stage?.end ?? null)
    rows.declared_at.push(declared === null ? null : new Date(declared).toISOString())
    rows.submitted_at.push(submitted === null ? null : new Date(submitted).toISOString())
    rows.expected_by.push(status === 'in-progress' && stage?.slaWorkingDays !== undefined ? this.expectedBy(updated, stage.slaWorkingDays) : null)
    rows.created_at.push(new Date(created).toISOString())
    rows.updated_at.push(new Date(updated).toISOString())
  }
}

/**
 * Writes the rows and their timelines in one statement: the applications (a reference that happens to
 * be taken already is skipped, and counted short), then for each one inserted its events — started;
 * declared and waiting for payment; submitted into the start stage; moved on to where it is now.
 */
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
  const report: BenchSeedReport = { peopleAdded: 0, applicationsAdded: 0, eventsAdded: 0, draftsAdded: 0, people: 0, applications: 0, seconds: 0 }

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
    const submitter = await benchAccount(db, BENCH_SUBMITTER_EMAIL, passwordHash, { first: 'Baraka', last: 'Otieno', idNumber: '899999998', phone: '+254789999998' })
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

  // Fresh statistics (and visibility map) for the planner, as autovacuum would have after such a load.
  if (report.peopleAdded || report.applicationsAdded || report.draftsAdded || dashboardAdded) {
    say('analysing the tables…')
    for (const table of ['accounts', 'applications', 'application_events']) await sql`vacuum analyze ${sql.table(table)}`.execute(db)
  }
  report.seconds = Math.round((performance.now() - started) / 100) / 10
  return report
}

/** Reads `--applications N --people M --drafts K` (each optional; 1_000_000 and 1e6 are accepted). */
export function parseBenchArgs(argv: readonly string[]): { applications: number; people: number; drafts: number } {
  const options: { applications: number; people: number; drafts: number } = { ...BENCH_DEFAULTS }
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!
    const key = ({ '--applications': 'applications', '--people': 'people', '--drafts': 'drafts' } as const)[name]
    if (!key) throw new RangeError(`unknown option ${name}`)
    const raw = argv[++i]
    const value = raw === undefined ? NaN : Number(raw.replace(/_/g, ''))
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} needs a whole number, not ${raw ?? 'nothing'}`)
    options[key] = value
  }
  return options
}
