import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createAccount } from '../../../test/helpers/accounts.js'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { loadCatalogue, type ServiceCatalogue } from '../services/catalogue.js'
import { visibleQuestions } from '../services/answers.js'
import { sampleAnswers } from '../services/sample-answers.js'
import type { ApplicantKind, ServiceDefinition } from '../services/definition.js'
import { applicationsTestApp, Client, DASHBOARD, pageForm, type ApplicationsTestApp } from './test-support.js'

/** Every seeded service, filled in through the pages as a person would, and submitted. */
describe(`applying for every service through its pages on ${TEST_ENGINE}`, () => {
  let t: ApplicationsTestApp
  let catalogue: ServiceCatalogue
  const clients = new Map<ApplicantKind, Client>()

  before(async () => {
    catalogue = await loadCatalogue()
    t = await applicationsTestApp(catalogue)
    for (const kind of ['citizen', 'resident', 'visitor'] as const) {
      const account = await createAccount(t.database.db)
      if (kind !== 'citizen') {
        await t.database.db
          .updateTable('accounts')
          .set(kind === 'visitor' ? { kind, id_number: null, passport_number: `C0${account.id.slice(0, 6)}`, nationality: 'DEU' } : { kind })
          .where('id', '=', account.id)
          .execute()
      }
      clients.set(kind, await Client.signedIn(t, account.id))
    }
  })
  after(() => t.close())

  async function apply(definition: ServiceDefinition, seed: number): Promise<string> {
    const client = clients.get(definition.applicants.accountKinds[0]!)!
    const answers = sampleAnswers(definition, { seed })
    await client.get(`/services/${definition.slug}/start`)
    const started = await client.post(`/services/${definition.slug}/start`, { party: 'self' })
    assert.equal(started.statusCode, 303, started.body.slice(0, 300))
    let location = started.headers.location as string
    const id = /\/applications\/([0-9a-f-]{36})\//.exec(location)![1]!
    for (let step = 0; location.includes('/pages/'); step++) {
      assert.ok(step < 30, 'the pages end')
      const pageId = location.split('/pages/')[1]!.split('?')[0]!
      const page = definition.pages.find((candidate) => candidate.id === pageId)!
      const shown = await client.get(location)
      assert.equal(shown.statusCode, 200, `${definition.slug} ${pageId}`)
      const { fields, files } = pageForm(definition, page, answers)
      const multipart = visibleQuestions(definition, page, answers).some((question) => question.type === 'file')
      assert.equal(shown.body.includes('enctype="multipart/form-data"'), multipart)
      assert.ok(shown.body.includes(`href="/services/${definition.slug}/help" target="_blank"`), 'every question page links to the service\'s help')
      const sent = multipart ? await client.postMultipart(location, fields, files) : await client.post(location, fields)
      assert.equal(sent.statusCode, 303, `${definition.slug} ${pageId}: ${/govuk-error-summary__list[\s\S]*?<\/ul>/.exec(sent.body)?.[0] ?? sent.body.slice(0, 500)}`)
      location = sent.headers.location as string
    }
    assert.equal(location, `/applications/${id}/check`)
    const check = await client.get(location)
    assert.equal(check.statusCode, 200)
    assert.match(check.body, /govuk-summary-list/)
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(check.body)![1]!
    const submitted = await client.post(`/applications/${id}/submit`, { idempotencyKey: key, declaration: 'yes' })
    assert.equal(submitted.statusCode, 303, submitted.body.slice(0, 500))
    assert.equal(submitted.headers.location, `/applications/${id}`)
    const page = await client.get(`/applications/${id}`)
    assert.equal(page.statusCode, 200)
    return id
  }

  it('fills in and submits every service, on several branches, with the files uploaded', async () => {
    const definitions = catalogue.list()
    assert.ok(definitions.length >= 8)
    for (const definition of definitions) {
      for (const seed of [1, 2, 3]) {
        const id = await apply(definition, seed)
        const row = await t.database.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
        const owes = definition.fees.payment === 'before-submission' && Object.keys(catalogue.feesFor(definition, row.answers).totals).length > 0
        assert.equal(row.status, owes ? 'awaiting-payment' : 'in-progress', definition.slug)
        assert.equal(row.definition_version, definition.version)
        assert.ok(row.declaration_accepted_at)
        for (const question of definition.pages.flatMap((page) => page.questions)) {
          const answer = row.answers[question.id] as { id?: string } | undefined
          if (question.type === 'file' && answer) assert.match(answer.id ?? '', /^[0-9a-f-]{36}$/, 'a stored upload')
        }
      }
    }
    const uploads = await sql<{ count: string }>`select count(*) as count from uploads`.execute(t.database.db)
    assert.ok(Number(uploads.rows[0]!.count) > 0)
    assert.deepEqual(serverErrors(t.logs), [])
  })

  it('shows every application on the dashboard, grouped, with email, SMS and an in-app message for each', async () => {
    const client = clients.get('citizen')!
    const dashboard = await client.get(DASHBOARD)
    assert.equal(dashboard.statusCode, 200)
    assert.match(dashboard.body, /Awaiting payment/)
    assert.match(dashboard.body, /Apply for an ordinary passport/)
    const messages = await sql<{ count: string }>`select count(*) as count from application_messages`.execute(t.database.db)
    const submitted = await sql<{ count: string }>`select count(*) as count from applications where status <> 'draft'`.execute(t.database.db)
    assert.equal(messages.rows[0]!.count, submitted.rows[0]!.count)
    const notifications = await sql<{ count: string }>`select count(*) as count from notifications where template like 'application-%'`.execute(t.database.db)
    assert.equal(Number(notifications.rows[0]!.count), 2 * Number(submitted.rows[0]!.count))
  })
})
