import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { CompiledQuery, sql } from 'kysely'
import { TEST_ENGINE, freshDatabase } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { upsertAgencies } from '../agencies/store.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { addToDate, todayInKenya } from '../services/dates.js'
import { compileQueue, countsQuery, queueRows, type QueueCursor, type QueueQuery, type QueueRow } from './store.js'

/**
 * The queue's statements against thousands of applications: each reads an index range in order and
 * stops after a page (no scan of the table, no sort of more than a page), and paging by keyset through
 * every phase (dated cases, then the undated) returns exactly what one ordered read would.
 */
const APPLICATIONS = 30_000
const STAGES = ['submitted', 'approval', 'printing', 'returned', 'biometrics']

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Actual Rows': number
  'Actual Loops': number
  'Rows Removed by Filter'?: number
  Plans?: PlanNode[]
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

describe(`the queue's plans on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let staffId: string
  const today = todayInKenya()

  before(async () => {
    database = await freshDatabase()
    const db = database.db
    await upsertAgencies(db, DEMO_AGENCIES)
    await sql`insert into accounts (kind, first_name, last_name, email, phone, password_hash, role, agency_code)
      select 'staff', 'Officer', 'Number ' || g, 'officer' || g || '@plan.example', '+2547100' || lpad(g::text, 5, '0'), 'x', 'agency_officer', 'DIS'
      from generate_series(1, 5) g`.execute(db)
    await sql`insert into accounts (kind, first_name, last_name, email, phone, password_hash, id_number)
      select 'citizen', 'Person', 'Number ' || g, 'person' || g || '@plan.example', '+2547200' || lpad(g::text, 5, '0'), 'x', lpad(g::text, 8, '0')
      from generate_series(1, 100) g`.execute(db)
    // Mostly completed, as a real table is; a seventh at DCI; a fifth of the open ones assigned.
    await sql`
      with people as (select array_agg(id order by id) as ids from accounts where kind = 'citizen'),
           staff as (select array_agg(id order by id) as ids from accounts where agency_code = 'DIS')
      insert into applications (reference, account_id, party_kind, party_name, service_slug, agency_code, definition_version,
        status, stage, outcome, declaration_accepted_at, submitted_at, expected_by, assignee_id)
      select 'PLAN-' || g, people.ids[1 + g % 100], 'self', 'Person ' || g,
        case when g % 7 = 0 then 'certificate-of-good-conduct' when g % 3 = 0 then 'electronic-travel-authorisation' else 'ordinary-passport' end,
        case when g % 7 = 0 then 'DCI' else 'DIS' end, 1,
        s.status, s.stage, s.outcome, now(), now() - (g % 300) * interval '1 day',
        case when s.status = 'in-progress' then current_date + (g % 30 - 10) end,
        case when s.status <> 'completed' and g % 5 = 0 then staff.ids[1 + g % 5] end
      from generate_series(1, ${APPLICATIONS}) g, people, staff,
        lateral (select * from (values
          ('completed', 'collected', 'issued'), ('completed', 'collected', 'issued'), ('completed', 'collected', 'issued'),
          ('completed', 'rejected', 'rejected'), ('completed', 'collected', 'issued'),
          ('in-progress', 'submitted', null), ('in-progress', 'approval', null), ('in-progress', 'printing', null),
          ('action-needed', 'returned', null), ('action-needed', 'biometrics', null)
        ) as v (status, stage, outcome) offset (g % 10) limit 1) as s`.execute(db)
    await sql`vacuum analyze applications`.execute(db)
    staffId = (await db.selectFrom('accounts').select('id').where('agency_code', '=', 'DIS').orderBy('id').executeTakeFirstOrThrow()).id
  })
  after(() => database.close())

  const query = (over: Partial<QueueQuery> = {}): QueueQuery => ({ agency: 'DIS', view: 'open', today, limit: 26, ...over })
  const passport = STAGES.map((stage) => ({ service: 'ordinary-passport', stage }))

  async function explain(compiled: CompiledQuery): Promise<PlanNode[]> {
    const result = await database.db.executeQuery(CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, [...compiled.parameters]))
    const row = result.rows[0] as Record<string, unknown>
    const plan = row['QUERY PLAN']
    const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: PlanNode }[]
    return nodes(parsed[0]!.Plan)
  }

  const FILTERS: [string, QueueQuery, number][] = [
    ['the whole queue', query(), 1],
    ['overdue', query({ sla: 'overdue' }), 1],
    ['due today', query({ sla: 'due-today' }), 1],
    ['one service (a range per stage, merged)', query({ ranges: passport }), STAGES.length],
    ['one service and stage', query({ ranges: [{ service: 'ordinary-passport', stage: 'approval' }] }), 1],
    ['one service, overdue', query({ ranges: passport, sla: 'overdue' }), STAGES.length],
    ['assigned to one officer', query({ assignee: { id: '' } }), 1],
    ['nobody yet', query({ assignee: 'nobody' }), 1],
    ['completed', query({ view: 'completed' }), 1],
  ]

  for (const [name, base, ranges] of FILTERS) {
    it(`reads ${name} from an index, a page and no more`, async () => {
      const plan = await explain(compileQueue(database.db, base.assignee && base.assignee !== 'nobody' ? { ...base, assignee: { id: staffId } } : base))
      const scans = plan.filter((node) => node['Relation Name'] === 'applications')
      assert.ok(scans.length > 0)
      for (const scan of scans) {
        assert.match(scan['Node Type'], /^Index (Only )?Scan$/, `${name}: ${scan['Node Type']}`)
        assert.match(scan['Index Name'] ?? '', /^applications_queue/, name)
      }
      const read = scans.reduce((sum, scan) => sum + (scan['Actual Rows'] + (scan['Rows Removed by Filter'] ?? 0)) * scan['Actual Loops'], 0)
      // A filter the range does not cover (nobody assigned) may pass over a few rows for each it keeps.
      assert.ok(read <= 26 * ranges * 2, `${name} read ${read} rows: ${JSON.stringify(plan.map((node) => [node["Node Type"], node["Index Name"], node["Actual Rows"], node["Rows Removed by Filter"]]))}`)
      for (const sort of plan.filter((node) => node['Node Type'] === 'Sort')) assert.ok(sort['Actual Rows'] <= 26 * ranges, `${name} sorts ${sort['Actual Rows']} rows`)
    })
  }

  it('counts each stage and deadline with a bounded index-only read', async () => {
    const plan = await explain(countsQuery('DIS', passport, today).compile(database.db))
    const scans = plan.filter((node) => node['Relation Name'] === 'applications')
    assert.equal(scans.length, STAGES.length + 2)
    for (const scan of scans) {
      assert.equal(scan['Node Type'], 'Index Only Scan')
      assert.ok(scan['Actual Rows'] <= 1001)
    }
  })

  it('pages by keyset through dated and undated cases exactly as one ordered read', async () => {
    const cases: [string, Partial<QueueQuery>, string][] = [
      ['everything', {}, ''],
      ['one service', { ranges: passport }, `and service_slug = 'ordinary-passport'`],
      ['nobody yet', { assignee: 'nobody' }, 'and assignee_id is null'],
      ['overdue', { sla: 'overdue' }, `and expected_by < '${today}'::date`],
    ]
    for (const [name, over, where] of cases) {
      const all = await sql<{ id: string }>`select id from applications
        where agency_code = 'DIS' and status in ('in-progress', 'action-needed') ${sql.raw(where)}
        order by expected_by, id`.execute(database.db)
      const walked: string[] = []
      let cursor: QueueCursor | undefined
      for (let pages = 0; pages < 2000; pages++) {
        const rows: QueueRow[] = await queueRows(database.db, query({ ...over, limit: 97 }), cursor)
        walked.push(...rows.map((row) => row.id))
        if (rows.length < 97) break
        const last = rows.at(-1)!
        cursor = { due: last.expected_by, id: last.id }
      }
      assert.equal(walked.length, all.rows.length, name)
      assert.deepEqual(walked, all.rows.map((row) => row.id), name)
    }
  })

  it('keeps completed cases newest first, a page at a time', async () => {
    const all = await sql<{ id: string }>`select id from applications where agency_code = 'DIS' and status = 'completed' order by updated_at desc, id desc limit 500`.execute(database.db)
    const walked: string[] = []
    let cursor: QueueCursor | undefined
    while (walked.length < 500) {
      const rows = await queueRows(database.db, query({ view: 'completed', limit: 100 }), cursor)
      walked.push(...rows.map((row) => row.id))
      cursor = { at: rows.at(-1)!.cursor_at, id: rows.at(-1)!.id }
    }
    assert.deepEqual(walked, all.rows.map((row) => row.id))
    assert.ok(addToDate(today, 0, 'd') === today)
  })
})
