import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { CompiledQuery } from 'kysely'
import pino from 'pino'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../db/database.js'
import { JobQueue } from './queue.js'
import { until } from '../../../test/helpers/wait.js'

describe(`jobs on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let queue: JobQueue
  const handled: { data: { n: number }; attempt: number; at: number }[] = []
  let failuresLeft = 0
  let slowStarted = false
  const slowFinished: number[] = []

  before(async () => {
    database = await freshDatabase()
    queue = new JobQueue(database, pino({ level: 'silent' }), { pollSeconds: 1, worker: true })
    queue.define<{ n: number }>({
      name: 'test-flaky',
      retryLimit: 3,
      retryDelaySeconds: 1,
      retryBackoff: true,
      handle: async (data, context) => {
        handled.push({ data, attempt: context.attempt, at: Date.now() })
        if (failuresLeft > 0) {
          failuresLeft--
          throw new Error('temporary failure')
        }
      },
    })
    queue.define<{ n: number }>({ name: 'test-outbox', handle: async () => {} })
    queue.define<{ n: number }>({ name: 'test-nightly', cron: '30 2 * * *', handle: async () => {} })
    queue.define<{ n: number }>({
      name: 'test-slow',
      handle: async (data) => {
        slowStarted = true
        await new Promise((resolve) => setTimeout(resolve, 1500))
        slowFinished.push(data.n)
      },
    })
    await queue.start()
  })
  after(async () => {
    await database.close()
  })

  it('writes a job enqueued in a transaction that commits', async () => {
    const id = await database.db.transaction().execute((trx) => queue.enqueue(trx, 'test-outbox', { n: 1 }))
    assert.ok(id)
    assert.ok(await queue.find('test-outbox', id))
  })

  it('writes nothing when the transaction rolls back', async () => {
    let id: string | null = null
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        id = await queue.enqueue(trx, 'test-outbox', { n: 2 })
        throw new Error('business rule failed')
      }),
      /business rule failed/,
    )
    assert.ok(id, 'the job was sent inside the transaction')
    assert.equal(await queue.find('test-outbox', id), null)
  })

  it('retries a failing job with growing delays until it succeeds', async () => {
    failuresLeft = 2
    await queue.enqueue(database.db, 'test-flaky', { n: 3 })
    await until(async () => handled.filter((h) => h.data.n === 3).length === 3, 40_000)
    const runs = handled.filter((h) => h.data.n === 3)
    assert.deepEqual(runs.map((r) => r.attempt), [1, 2, 3])
    const [first, second, third] = runs.map((r) => r.at) as [number, number, number]
    assert.ok(second - first >= 900, `first retry waited ${second - first} ms`)
    assert.ok(third - second > second - first, 'back-off grows')
  })

  it('keeps the schedule of a job with a cron, in Nairobi time, on worker processes', async () => {
    const { rows } = await database.db.executeQuery<{ name: string; cron: string; timezone: string }>(
      CompiledQuery.raw(`select name, cron, timezone from pgboss.schedule order by name`, []),
    )
    assert.deepEqual(rows, [{ name: 'test-nightly', cron: '30 2 * * *', timezone: 'Africa/Nairobi' }])
  })

  it('counts waiting jobs for the queue-depth metric', async () => {
    const before = await queue.depth()
    await queue.enqueue(database.db, 'test-outbox', { n: 4 }, { startAfterSeconds: 3600 })
    assert.equal(await queue.depth(), before + 1)
  })

  it('lets a running job finish before stopping', async () => {
    await queue.enqueue(database.db, 'test-slow', { n: 5 })
    await until(async () => slowStarted)
    await queue.stop(10_000)
    assert.deepEqual(slowFinished, [5])
  })
})
