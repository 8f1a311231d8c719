import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import type { Application } from '../applications/store.js'
import { backofficeJobs, SLA_DIGEST_JOB, sendSlaDigest } from './digest.js'
import { backofficeTestApp, moveTo, submitted, type BackofficeTestApp } from './test-support.js'

/** Tuesday 3 June 2025: Madaraka Day fell on the Sunday and was kept on Monday 2 June. */
const TODAY = '2025-06-03'

describe(`the SLA digest on ${TEST_ENGINE}`, () => {
  let t: BackofficeTestApp
  const supervisors: Record<string, string> = {}
  const due: Record<string, Application> = {}

  before(async () => {
    t = await backofficeTestApp()
    const db = t.database.db
    for (const [name, agency, language] of [['dis', 'DIS', 'en'], ['disSw', 'DIS', 'sw'], ['dci', 'DCI', 'en']] as const) {
      const account = await createAccount(db, { role: 'agency_supervisor', agencyCode: agency, secondFactor: 'totp' })
      await db.updateTable('accounts').set({ language }).where('id', '=', account.id).execute()
      supervisors[name] = account.email
    }
    supervisors.officer = (await createAccount(db, { role: 'agency_officer', agencyCode: 'DIS', secondFactor: 'totp' })).email
    const dates: Record<string, string | null> = { overdue: '2025-05-30', today: TODAY, tomorrow: '2025-06-04', later: '2025-06-10' }
    for (const [name, date] of Object.entries(dates)) {
      due[name] = await submitted(t, { slug: 'ordinary-passport', seed: Object.keys(due).length + 1 })
      await db.updateTable('applications').set({ expected_by: date }).where('id', '=', due[name]!.id).execute()
    }
    const waiting = await submitted(t, { slug: 'ordinary-passport', seed: 9 })
    due.waiting = await moveTo(t, waiting, 'returned', { kind: 'agency', role: 'agency_officer' }, 'A clearer photo, please')
    const dciLater = await submitted(t, { slug: 'certificate-of-good-conduct' })
    await db.updateTable('applications').set({ expected_by: '2025-06-20' }).where('id', '=', dciLater.id).execute()
  })
  after(() => t.close())

  const digests = () =>
    t.database.db.selectFrom('notifications').select(['recipient', 'channel', 'subject', 'body', 'language']).where('template', '=', 'backoffice-sla-digest').orderBy('id').execute()

  it('emails each supervisor of an agency the cases due by the next working day or overdue, soonest first, in their language', async () => {
    assert.deepEqual(await sendSlaDigest(t.backoffice, TODAY), { messages: 2 })
    const sent = await digests()
    assert.deepEqual(sent.map((message) => message.recipient).sort(), [supervisors.dis, supervisors.disSw].sort())
    const english = sent.find((message) => message.recipient === supervisors.dis)!
    assert.equal(english.channel, 'email')
    assert.equal(english.subject, 'Department of Immigration Services: 3 applications due by 4 June 2025')
    const lines = english.body.split('\n').filter((line) => line.startsWith('DIS-'))
    assert.deepEqual(lines.map((line) => line.split(':')[0]), [due.overdue!.reference, due.today!.reference, due.tomorrow!.reference])
    assert.match(lines[0]!, /Apply for an ordinary passport, Submitted, 30 May 2025 \(overdue\)$/)
    assert.ok(!english.body.includes(due.later!.reference) && !english.body.includes(due.waiting!.reference))
    assert.match(english.body, /Open the queue: http:\/\/localhost:\d+\/backoffice$/)
    const swahili = sent.find((message) => message.recipient === supervisors.disSw)!
    assert.match(swahili.body, /^Maombi 3 yaliyo wazi/)
    assert.match(swahili.body, /\(muda umepita\)/)
  })

  it('sends each supervisor one a day, however often the job runs', async () => {
    assert.deepEqual(await sendSlaDigest(t.backoffice, TODAY), { messages: 0 })
    assert.equal((await digests()).length, 2)
  })

  it('sends nothing on a day off', async () => {
    assert.deepEqual(await sendSlaDigest(t.backoffice, '2025-06-02'), { messages: 0 })
    assert.deepEqual(await sendSlaDigest(t.backoffice, '2025-06-07'), { messages: 0 })
  })

  it('is a job that runs every working morning', async () => {
    const [job] = backofficeJobs({ backoffice: t.backoffice })
    assert.equal(job!.name, SLA_DIGEST_JOB)
    assert.equal(job!.cron, '0 7 * * 1-5')
  })
})
