import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import pino from 'pino'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { JobQueue } from '../../platform/jobs/queue.js'
import type { SmsMessage } from '../../platform/sms/sms-sender.js'
import { notificationJobs } from './jobs.js'
import { notificationDb, notify } from './service.js'
import { findNotification, type NotificationDb } from './store.js'
import { until } from '../../../test/helpers/wait.js'

describe(`the delivery job in a worker on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let db: NotificationDb
  let queue: JobQueue
  const sms: SmsMessage[] = []
  const unreachable = new Set<string>()

  before(async () => {
    database = await freshDatabase()
    db = notificationDb(database.db)
    queue = new JobQueue(database, pino({ level: 'silent' }), { pollSeconds: 1, worker: true })
    const senders = {
      email: { send: async () => 'unused' },
      sms: {
        send: async (message: SmsMessage) => {
          if (unreachable.has(message.to)) throw new Error("Africa's Talking answered HTTP 502: bad gateway")
          sms.push(message)
          return `ATXid_${sms.length}`
        },
      },
    }
    for (const definition of notificationJobs({ db, senders })) queue.define(definition)
    await queue.start()
  })
  after(async () => {
    await queue.stop(5000)
    await database.close()
  })

  it('sends a committed message in the background', async () => {
    await db.transaction().execute((trx) =>
      notify(trx, queue, { key: 'worker-1', channel: 'sms', to: '0722000111', language: 'en', template: 'phone-verification', params: { code: '271828' } }),
    )
    await until(async () => (await findNotification(db, 'worker-1'))?.status === 'sent')
    assert.deepEqual(sms, [{ to: '+254722000111', text: 'Your phone verification code is 271828. Do not share it with anyone.' }])
    assert.equal((await findNotification(db, 'worker-1'))?.provider_message_id, 'ATXid_1')
  })

  it('leaves a failed send to be retried later', async () => {
    unreachable.add('+254733000222')
    await notify(db, queue, { key: 'worker-2', channel: 'sms', to: '+254733000222', language: 'en', template: 'password-changed', params: {} })
    await until(async () => (await findNotification(db, 'worker-2'))?.attempts === 1)
    const row = await findNotification(db, 'worker-2')
    assert.equal(row?.status, 'queued')
    assert.match(row?.last_error ?? '', /HTTP 502/)
    await until(async () => {
      const jobs = await sql<{ state: string }>`select state from pgboss.job where data->>'key' = 'worker-2'`.execute(database.db)
      return jobs.rows[0]?.state === 'retry'
    })
  })
})
