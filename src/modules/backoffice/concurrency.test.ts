import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { serverErrors } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { findApplication, listEvents } from '../applications/store.js'
import { backofficeTestApp, caseUrl, staffMember, submitted, versionOn, type BackofficeTestApp, type StaffClient } from './test-support.js'

// Real concurrency needs real connections: PGlite is one session and serialises everything.
describe('back-office actions under concurrency on PostgreSQL', { skip: TEST_ENGINE !== 'postgres' && 'needs TEST_DATABASE_URL' }, () => {
  let t: BackofficeTestApp
  let first: StaffClient
  let second: StaffClient
  let supervisor: StaffClient

  before(async () => {
    t = await backofficeTestApp()
    first = await staffMember(t, 'agency_officer', 'DCI')
    second = await staffMember(t, 'agency_officer', 'DCI')
    supervisor = await staffMember(t, 'agency_supervisor', 'DCI')
  })
  after(async () => {
    assert.deepEqual(serverErrors(t.logs), [])
    await t.close()
  })

  it('lets one of two officers who saw the same version decide; the other gets 409 saying who did what, and nothing of theirs is written', async () => {
    for (let round = 0; round < 10; round++) {
      const application = await submitted(t, { slug: 'certificate-of-good-conduct', seed: round + 1 })
      const [seenByFirst, seenBySupervisor] = await Promise.all([first.client.get(caseUrl(application)), supervisor.client.get(caseUrl(application))])
      // The same case, two different decisions, at the same moment.
      const [invited, rejected] = await Promise.all([
        first.client.post(`${caseUrl(application)}/decide`, { to: 'fingerprints', version: versionOn(seenByFirst) }),
        supervisor.client.post(`${caseUrl(application)}/decide`, { to: 'rejected', version: versionOn(seenBySupervisor), note: 'Not eligible' }),
      ])
      assert.deepEqual([invited.statusCode, rejected.statusCode].sort(), [303, 409], `round ${round}`)
      const loser = invited.statusCode === 409 ? invited : rejected
      const winner = invited.statusCode === 303 ? first : supervisor
      assert.ok(loser.body.includes(`${winner.name} (${winner === first ? 'Officer' : 'Supervisor'}) moved it on at`), `round ${round}`)
      const events = (await listEvents(t.database.db, application.id)).filter((event) => event.event_type !== 'submitted')
      assert.equal(events.length, 1, `round ${round}: one decision on the timeline`)
      const row = (await findApplication(t.database.db, application.id))!
      assert.equal(row.stage, invited.statusCode === 303 ? 'fingerprints' : 'rejected')
      const decisions = await t.database.db.selectFrom('audit_log').select('outcome').where('action', '=', 'backoffice.decision').where('subject_id', '=', application.id).execute()
      assert.deepEqual(decisions.map((entry) => entry.outcome).sort(), ['failure', 'success'])
    }
  })

  it('makes one decision of the same form sent twice at once', async () => {
    for (let round = 0; round < 10; round++) {
      const application = await submitted(t, { slug: 'certificate-of-good-conduct', seed: 50 + round })
      const version = versionOn(await first.client.get(caseUrl(application)))
      const answers = await Promise.all([0, 1, 2].map(() => first.client.post(`${caseUrl(application)}/decide`, { to: 'fingerprints', version })))
      assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [303, 409, 409])
      assert.equal((await listEvents(t.database.db, application.id)).filter((event) => event.stage_to === 'fingerprints').length, 1)
    }
  })

  it('gives a case claimed by two officers at once to exactly one of them', async () => {
    for (let round = 0; round < 10; round++) {
      const application = await submitted(t, { slug: 'certificate-of-good-conduct', seed: 100 + round })
      await Promise.all([first.client.get(caseUrl(application)), second.client.get(caseUrl(application))])
      const [a, b] = await Promise.all([first.client.post(`${caseUrl(application)}/claim`), second.client.post(`${caseUrl(application)}/claim`)])
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [303, 409])
      const row = await t.database.db.selectFrom('applications').select('assignee_id').where('id', '=', application.id).executeTakeFirstOrThrow()
      assert.equal(row.assignee_id, a.statusCode === 303 ? first.id : second.id)
    }
  })
})
