import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import pino from 'pino'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { JobQueue } from '../../platform/jobs/queue.js'
import type { EmailMessage } from '../../platform/mail/email-sender.js'
import type { SmsMessage } from '../../platform/sms/sms-sender.js'
import { notificationJobs, SEND_RETRY_LIMIT } from './jobs.js'
import { describeFailure, notificationDb, notify, SEND_NOTIFICATION_JOB, type NotificationRequest } from './service.js'
import { findNotification, type NotificationDb } from './store.js'

/** Senders that remember what they were given, and fail while told to. */
function fakeSenders() {
  const sent = { email: [] as EmailMessage[], sms: [] as SmsMessage[] }
  let failure: Error | undefined
  return {
    sent,
    failWith(error: Error | undefined) {
      failure = error
    },
    senders: {
      email: {
        send: async (message: EmailMessage) => {
          if (failure) throw failure
          sent.email.push(message)
          return `<${sent.email.length}@mail.test>`
        },
      },
      sms: {
        send: async (message: SmsMessage) => {
          if (failure) throw failure
          sent.sms.push(message)
          return `ATXid_${sent.sms.length}`
        },
      },
    },
  }
}

describe(`sending notifications on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let db: NotificationDb
  let queue: JobQueue
  const fake = fakeSenders()

  before(async () => {
    database = await freshDatabase()
    db = notificationDb(database.db)
    // A web process's queue: jobs are written, not run, so each test runs the handler itself.
    queue = new JobQueue(database, pino({ level: 'silent' }), { pollSeconds: 1, worker: false })
    for (const definition of notificationJobs({ db, senders: fake.senders })) queue.define(definition)
    await queue.start()
  })
  after(async () => {
    await queue.stop(1000)
    await database.close()
  })

  const jobsFor = async (key: string) =>
    (
      await sql<{ state: string }>`select state from pgboss.job where name = ${SEND_NOTIFICATION_JOB} and data->>'key' = ${key}`.execute(
        database.db,
      )
    ).rows
  const handle = (key: string, attempt = 1) => {
    const definition = notificationJobs({ db, senders: fake.senders })[0]
    assert.ok(definition)
    return definition.handle({ key }, { id: 'test', attempt })
  }
  const signInCode = (key: string, to = '0712 345 678'): NotificationRequest => ({
    key,
    channel: 'sms',
    to,
    language: 'sw',
    template: 'sign-in-code',
    params: { code: '493817', minutes: 10 },
  })

  it('defines one retried, backed-off delivery job', () => {
    const jobs = notificationJobs({ db, senders: fake.senders })
    assert.equal(jobs.length, 1)
    const [job] = jobs
    assert.equal(job?.name, 'notifications.send')
    assert.equal(job?.retryLimit, SEND_RETRY_LIMIT)
    assert.equal(job?.retryBackoff, true)
  })

  it('writes the rendered message and its job when the transaction commits', async () => {
    const created = await db.transaction().execute((trx) => notify(trx, queue, signInCode('commit-1')))
    assert.equal(created, true)
    const row = await findNotification(db, 'commit-1')
    assert.ok(row)
    assert.equal(row.channel, 'sms')
    assert.equal(row.recipient, '+254712345678')
    assert.equal(row.language, 'sw')
    assert.equal(row.template, 'sign-in-code')
    assert.equal(row.subject, null)
    assert.match(row.body, /^Nambari yako ya kuingia ni 493817\./)
    assert.equal(row.status, 'queued')
    assert.equal(row.attempts, 0)
    assert.deepEqual((await jobsFor('commit-1')).map((j) => j.state), ['created'])
  })

  it('writes neither when the transaction rolls back', async () => {
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await notify(trx, queue, signInCode('rollback-1'))
        throw new Error('the account could not be created')
      }),
      /could not be created/,
    )
    assert.equal(await findNotification(db, 'rollback-1'), undefined)
    assert.deepEqual(await jobsFor('rollback-1'), [])
  })

  it('queues a key once, however often it is asked', async () => {
    assert.equal(await notify(db, queue, signInCode('twice-1')), true, 'outside a transaction it opens its own')
    assert.equal(await notify(db, queue, { ...signInCode('twice-1'), to: '+254700000000' }), false)
    const rows = await db.selectFrom('notifications').select(['recipient']).where('idempotency_key', '=', 'twice-1').execute()
    assert.deepEqual(rows, [{ recipient: '+254712345678' }])
    assert.equal((await jobsFor('twice-1')).length, 1)
  })

  it('refuses a message it could not deliver before writing anything', async () => {
    await assert.rejects(notify(db, queue, signInCode('bad-number', '12345')), /phone number/)
    await assert.rejects(
      notify(db, queue, { key: 'bad-email', channel: 'email', to: 'not an address', language: 'en', template: 'password-changed', params: {} }),
      /email address/,
    )
    assert.equal(await findNotification(db, 'bad-number'), undefined)
  })

  it('sends the stored words once and records the provider id', async () => {
    await notify(db, queue, {
      key: 'email-1',
      channel: 'email',
      to: 'wanjiku@example.com',
      language: 'en',
      template: 'password-reset',
      params: { link: 'https://ecitizen.example/reset/abc', minutes: 30 },
    })
    await handle('email-1')
    const row = await findNotification(db, 'email-1')
    assert.equal(row?.status, 'sent')
    assert.equal(row?.attempts, 1)
    assert.equal(row?.provider_message_id, `<${fake.sent.email.length}@mail.test>`)
    assert.ok(row?.sent_at)
    const email = fake.sent.email.at(-1)
    assert.equal(email?.to, 'wanjiku@example.com')
    assert.equal(email?.subject, 'Reset your password')
    assert.match(email?.text ?? '', /https:\/\/ecitizen\.example\/reset\/abc/)

    // The job delivered again (at-least-once): nothing more goes out.
    const before = fake.sent.email.length
    await handle('email-1', 2)
    assert.equal(fake.sent.email.length, before)
    assert.equal((await findNotification(db, 'email-1'))?.attempts, 1)
  })

  it('records a failure and throws it again for the queue to retry, then succeeds on a retry', async () => {
    await notify(db, queue, signInCode('flaky-1'))
    fake.failWith(new Error("Africa's Talking answered HTTP 500: busy"))
    await assert.rejects(handle('flaky-1', 1), /HTTP 500/)
    let row = await findNotification(db, 'flaky-1')
    assert.equal(row?.status, 'queued', 'still waiting for a retry')
    assert.equal(row?.attempts, 1)
    assert.equal(row?.last_error, "Error: Africa's Talking answered HTTP 500: busy")

    fake.failWith(undefined)
    await handle('flaky-1', 2)
    row = await findNotification(db, 'flaky-1')
    assert.equal(row?.status, 'sent')
    assert.equal(row?.attempts, 2)
    assert.equal(row?.last_error, null)
    assert.equal(fake.sent.sms.at(-1)?.to, '+254712345678')
  })

  it('marks a message failed when the last attempt fails', async () => {
    await notify(db, queue, signInCode('dead-1'))
    fake.failWith(new Error('connect ECONNREFUSED'))
    await assert.rejects(handle('dead-1', SEND_RETRY_LIMIT + 1), /ECONNREFUSED/)
    fake.failWith(undefined)
    const row = await findNotification(db, 'dead-1')
    assert.equal(row?.status, 'failed')
    assert.equal(row?.attempts, 1)
    assert.match(row?.last_error ?? '', /ECONNREFUSED/)
  })

  it('does nothing for a message that does not exist', async () => {
    await handle('never-queued')
  })

  it('keeps credentials and line breaks out of stored errors', () => {
    const error = Object.assign(new Error('cannot connect to smtp://mailer:hunter2@smtp.example:587\nretry later'), { code: 'ECONNECTION' })
    assert.equal(describeFailure(error), 'ECONNECTION: cannot connect to smtp://***@smtp.example:587 retry later')
    assert.equal(describeFailure('x'.repeat(600)).length, 500)
  })
})
