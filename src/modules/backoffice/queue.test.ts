import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { Client } from '../applications/test-support.js'
import { findApplication, type Application } from '../applications/store.js'
import { addToDate, todayInKenya } from '../services/dates.js'
import { PAGE_SIZE } from './queue.js'
import { backofficeTestApp, caseUrl, moveTo, staffMember, submitted, type BackofficeTestApp, type StaffClient } from './test-support.js'

describe(`the back-office queue on ${TEST_ENGINE}`, () => {
  let t: BackofficeTestApp
  let me: StaffClient
  let colleague: StaffClient
  let supervisor: StaffClient
  let dci: StaffClient
  /** Every DIS application made here, as the queue should know it. */
  const cases: { application: Application; expectedBy: string | null; open: boolean; assignee?: string }[] = []
  let dciCase: Application
  const today = todayInKenya()

  before(async () => {
    t = await backofficeTestApp()
    me = await staffMember(t, 'agency_officer', 'DIS')
    colleague = await staffMember(t, 'agency_officer', 'DIS')
    supervisor = await staffMember(t, 'agency_supervisor', 'DIS')
    dci = await staffMember(t, 'agency_officer', 'DCI')
    const applicant = (await createAccount(t.database.db)).id
    // More than a page: deadlines from 4 days ago to well ahead, several on one day (ties order by id).
    for (let i = 0; i < PAGE_SIZE + 8; i++) {
      const slug = i % 4 === 3 ? 'electronic-travel-authorisation' : 'ordinary-passport'
      const application = await submitted(t, { slug, accountId: applicant, seed: i + 1, party: `Person ${i}` })
      const expectedBy = addToDate(today, Math.floor(i / 2) - 4, 'd')
      await t.database.db.updateTable('applications').set({ expected_by: expectedBy }).where('id', '=', application.id).execute()
      cases.push({ application, expectedBy, open: true })
    }
    // Waiting for the applicant (no deadline): after every dated case.
    for (let i = 0; i < 3; i++) {
      const application = await submitted(t, { slug: 'ordinary-passport', accountId: applicant, seed: 100 + i })
      await moveTo(t, application, 'returned', { kind: 'agency', accountId: me.id, role: 'agency_officer' }, 'Upload a clearer photo')
      cases.push({ application, expectedBy: null, open: true })
    }
    for (let i = 0; i < 2; i++) {
      const application = await submitted(t, { slug: 'ordinary-passport', accountId: applicant, seed: 200 + i })
      await moveTo(t, application, 'rejected', { kind: 'agency', accountId: supervisor.id, role: 'agency_supervisor' }, 'Not eligible')
      cases.push({ application, expectedBy: null, open: false })
    }
    for (const index of [1, 6]) {
      await t.database.db.updateTable('applications').set({ assignee_id: me.id }).where('id', '=', cases[index]!.application.id).execute()
      cases[index]!.assignee = me.id
    }
    for (const index of [2, 3]) {
      await t.database.db.updateTable('applications').set({ submitted_at: new Date('2025-01-15T10:00:00+03:00') }).where('id', '=', cases[index]!.application.id).execute()
    }
    dciCase = await submitted(t, { slug: 'certificate-of-good-conduct' })
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  /** The references a queue page lists, in order, and its next-page link. */
  async function read(client: Client, url: string): Promise<{ references: string[]; next?: string; body: string }> {
    const page = await client.get(url)
    assert.equal(page.statusCode, 200, url)
    const table = page.body.slice(page.body.indexOf('<table'))
    const references = [...table.matchAll(/href="\/backoffice\/applications\/([A-Z0-9-]+)">/g)].map((match) => match[1]!)
    const next = /<div class="govuk-pagination__next">\s*<a class="govuk-link govuk-pagination__link" href="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&')
    return { references, next, body: page.body }
  }

  /** Every page from `url` on, following the next links. */
  async function readAll(url: string, client = me.client): Promise<string[]> {
    const all: string[] = []
    for (let next: string | undefined = url, pages = 0; next; pages++) {
      assert.ok(pages < 10, 'the pages end')
      const page = await read(client, next)
      assert.ok(page.references.length <= PAGE_SIZE)
      all.push(...page.references)
      next = page.next
    }
    return all
  }

  /** The open cases matching, in the queue's order: soonest deadline first, then the undated, ties by id. */
  function expected(match: (entry: (typeof cases)[number]) => boolean = () => true): string[] {
    return cases
      .filter((entry) => entry.open && match(entry))
      .sort((a, b) => (a.expectedBy ?? '9999').localeCompare(b.expectedBy ?? '9999') || a.application.id.localeCompare(b.application.id))
      .map((entry) => entry.application.reference)
  }

  it('lists the agency\'s own open cases, soonest deadline first and waiting ones last, a page at a time without gaps or repeats', async () => {
    const first = await read(me.client, '/backoffice')
    assert.equal(first.references.length, PAGE_SIZE)
    assert.ok(first.next, 'a next page')
    const all = await readAll('/backoffice')
    assert.deepEqual(all, expected())
    assert.ok(!all.includes(dciCase.reference), 'not another agency\'s')
    const theirs = await readAll('/backoffice', dci.client)
    assert.deepEqual(theirs, [dciCase.reference])
  })

  it('marks overdue and due-today deadlines, and counts open cases per stage and by deadline', async () => {
    const { body } = await read(me.client, '/backoffice')
    const overdue = cases.filter((entry) => entry.open && entry.expectedBy !== null && entry.expectedBy < today).length
    const dueToday = cases.filter((entry) => entry.open && entry.expectedBy === today).length
    assert.ok(body.includes(`Overdue: ${overdue}</a>`))
    assert.ok(body.includes(`Due today: ${dueToday}</a>`))
    assert.equal((body.match(/govuk-tag--red">Overdue</g) ?? []).length, overdue)
    assert.equal((body.match(/govuk-tag--orange">Due today</g) ?? []).length, dueToday)
    const passportSubmitted = cases.filter((entry) => entry.open && entry.expectedBy && entry.application.service_slug === 'ordinary-passport').length
    assert.ok(body.includes(`stage=submitted">Submitted</a>: ${passportSubmitted}</li>`))
    assert.ok(body.includes('stage=returned">Returned for correction</a>: 3</li>'))
  })

  it('filters by service, stage, deadline, assignee and submission date, paging each the same way', async () => {
    const eta = (entry: (typeof cases)[number]) => entry.application.service_slug === 'electronic-travel-authorisation'
    assert.deepEqual(await readAll('/backoffice?service=electronic-travel-authorisation'), expected(eta))
    assert.deepEqual(await readAll('/backoffice?service=ordinary-passport'), expected((entry) => !eta(entry)))
    assert.deepEqual(await readAll('/backoffice?service=ordinary-passport&stage=returned'), expected((entry) => entry.expectedBy === null))
    assert.deepEqual(await readAll('/backoffice?stage=submitted'), expected((entry) => entry.expectedBy !== null))
    assert.deepEqual(await readAll('/backoffice?sla=overdue'), expected((entry) => entry.expectedBy !== null && entry.expectedBy < today))
    assert.deepEqual(await readAll('/backoffice?sla=due-today'), expected((entry) => entry.expectedBy === today))
    assert.deepEqual(await readAll('/backoffice?assignee=me'), expected((entry) => entry.assignee === me.id))
    assert.deepEqual(await readAll('/backoffice?assignee=nobody'), expected((entry) => !entry.assignee))
    assert.deepEqual(await readAll('/backoffice?assignee=nobody&service=ordinary-passport&sla=overdue'), expected((entry) => !entry.assignee && !eta(entry) && entry.expectedBy !== null && entry.expectedBy < today))
    assert.deepEqual(await readAll('/backoffice?from=2025-01-15&to=2025-01-15'), expected((entry) => [cases[2], cases[3]].includes(entry)))
    assert.deepEqual(await readAll('/backoffice?from=2025-01-16'), expected((entry) => ![cases[2], cases[3]].includes(entry)))
    const completed = await readAll('/backoffice?view=completed')
    assert.deepEqual(new Set(completed), new Set(cases.filter((entry) => !entry.open).map((entry) => entry.application.reference)))
    assert.ok(!(await read(me.client, '/backoffice?view=completed')).body.includes('Take this application'), 'completed cases are not claimed')
  })

  it('ignores filter values it does not offer, and a cursor it did not write', async () => {
    assert.deepEqual(await readAll('/backoffice?view=everything&service=nope&sla=later&assignee=them&from=yesterday'), expected())
    assert.deepEqual((await read(me.client, '/backoffice?after=bm90LWEtY3Vyc29y')).references, expected().slice(0, PAGE_SIZE))
  })

  it('lets an officer take an unassigned case, and tells another who has it', async () => {
    const target = cases.find((entry) => entry.open && !entry.assignee)!
    await colleague.client.get('/backoffice?service=ordinary-passport')
    const claimed = await colleague.client.post(`${caseUrl(target.application)}/claim`, { return: '/backoffice?service=ordinary-passport' })
    assert.equal(claimed.statusCode, 303)
    assert.equal(claimed.headers.location, '/backoffice?service=ordinary-passport')
    target.assignee = colleague.id
    const row = await t.database.db.selectFrom('applications').select('assignee_id').where('id', '=', target.application.id).executeTakeFirstOrThrow()
    assert.equal(row.assignee_id, colleague.id)
    assert.equal((await colleague.client.post(`${caseUrl(target.application)}/claim`, { return: 'https://elsewhere.example/' })).headers.location, `${caseUrl(target.application)}?done=claimed`)

    await me.client.get(caseUrl(target.application))
    const taken = await me.client.post(`${caseUrl(target.application)}/claim`)
    assert.equal(taken.statusCode, 409)
    assert.ok(taken.body.includes(`${colleague.name} is already working on this application`))
    const audited = await t.database.db.selectFrom('audit_log').select(['actor_id', 'outcome']).where('action', '=', 'backoffice.case.claim').where('subject_id', '=', target.application.id).orderBy('id').execute()
    assert.deepEqual(audited.map((entry) => [entry.actor_id, entry.outcome]), [[colleague.id, 'success'], [colleague.id, 'success'], [me.id, 'failure']])
    assert.deepEqual(await readAll('/backoffice?assignee=me', colleague.client), expected((entry) => entry.assignee === colleague.id))
  })

  it('lets a supervisor assign and reassign a case to the agency\'s staff only', async () => {
    const target = cases.find((entry) => entry.open && !entry.assignee)!
    const page = await supervisor.client.get(caseUrl(target.application))
    assert.match(page.body, /Give this application to/)
    assert.equal((await supervisor.client.post(`${caseUrl(target.application)}/assign`, { assignee: me.id })).statusCode, 303)
    assert.equal((await assigneeOf(target.application)), me.id)
    assert.equal((await supervisor.client.post(`${caseUrl(target.application)}/assign`, { assignee: colleague.id })).statusCode, 303)
    assert.equal((await assigneeOf(target.application)), colleague.id)
    const outsider = await supervisor.client.post(`${caseUrl(target.application)}/assign`, { assignee: dci.id })
    assert.equal(outsider.statusCode, 400)
    assert.match(outsider.body, /href="#assignee">Choose someone from your agency&#39;s staff/)
    assert.equal((await assigneeOf(target.application)), colleague.id)
    assert.equal((await supervisor.client.post(`${caseUrl(target.application)}/assign`, { assignee: '' })).statusCode, 303)
    assert.equal((await assigneeOf(target.application)), null)
    await me.client.get(caseUrl(target.application))
    assert.equal((await me.client.post(`${caseUrl(target.application)}/assign`, { assignee: me.id })).statusCode, 403)
    const audited = await t.database.db.selectFrom('audit_log').select('details').where('action', '=', 'backoffice.case.assign').where('subject_id', '=', target.application.id).where('outcome', '=', 'success').orderBy('id').execute()
    assert.deepEqual(audited.map((entry) => entry.details.assignee), [me.id, colleague.id, null])
  })

  async function assigneeOf(application: Application): Promise<string | null> {
    const row = await t.database.db.selectFrom('applications').select('assignee_id').where('id', '=', application.id).executeTakeFirstOrThrow()
    assert.ok(await findApplication(t.database.db, application.id))
    return row.assignee_id
  }
})
