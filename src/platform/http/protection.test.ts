import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { serverErrors, testApp } from '../../../test/helpers/app.js'

describe('protection under load and failure', () => {
  it('answers too many requests from one address with the 429 page and Retry-After', async () => {
    const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } })
    try {
      const codes = []
      for (let i = 0; i < 4; i++) codes.push((await t.app.inject('/feedback')).statusCode)
      assert.deepEqual(codes, [200, 200, 200, 429])
      const limited = await t.app.inject('/feedback?lang=sw')
      assert.equal(limited.statusCode, 429)
      assert.match(limited.body, /majaribio mengi mno/)
      assert.ok(Number(limited.headers['retry-after']) > 0)
      // Health checks from the load balancer are never limited.
      assert.equal((await t.app.inject('/healthz')).statusCode, 200)
      assert.deepEqual(serverErrors(t.logs), [])
    } finally {
      await t.close()
    }
  })

  it('sheds load with the 503 busy page while the event loop is saturated', async () => {
    const t = await testApp({ env: { MAX_EVENT_LOOP_DELAY_MS: '50' } })
    try {
      assert.equal((await t.app.inject('/')).statusCode, 200)
      // Block the event loop well past the threshold, then let the sampler see it.
      const until = Date.now() + 400
      while (Date.now() < until) {
        /* busy */
      }
      await new Promise((resolve) => setTimeout(resolve, 1100))
      let busy = await t.app.inject('/')
      for (let i = 0; i < 20 && busy.statusCode !== 503; i++) {
        const end = Date.now() + 300
        while (Date.now() < end) {
          /* busy */
        }
        await new Promise((resolve) => setImmediate(resolve))
        busy = await t.app.inject('/')
      }
      assert.equal(busy.statusCode, 503)
      assert.equal(busy.headers['retry-after'], '10')
      assert.match(busy.body, /the service is busy/)
    } finally {
      await t.close()
    }
  })

  it('reports not ready (503) when the database is unreachable', async () => {
    const t = await testApp()
    const ready = await t.app.inject('/readyz')
    assert.equal(ready.statusCode, 200)
    await t.jobs.stop(1000)
    await t.database.close()
    const down = await t.app.inject('/readyz')
    assert.equal(down.statusCode, 503)
    assert.deepEqual(down.json(), { status: 'unavailable', database: 'unreachable' })
    assert.equal((await t.app.inject('/healthz')).statusCode, 200, 'the process itself is alive')
    await t.app.close()
  })
})

describe('rate limits shared through Redis', () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

  it('counts requests to two web processes together', { skip: process.env.CI || process.env.TEST_REDIS_URL ? false : 'set TEST_REDIS_URL to run' }, async () => {
    const env = { REDIS_URL: redisUrl, RATE_LIMIT_PER_MINUTE: '4' }
    const first = await testApp({ env })
    const second = await testApp({ env, database: undefined })
    try {
      // A fresh address per run, so an earlier run's counts in Redis do not matter.
      const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}`
      const codes: number[] = []
      for (const t of [first, second, first, second, first]) {
        codes.push((await t.app.inject({ url: '/feedback', remoteAddress: address })).statusCode)
      }
      assert.deepEqual(codes, [200, 200, 200, 200, 429])
    } finally {
      await first.close()
      await second.close()
    }
  })

  it('lets requests through when Redis is away', async () => {
    const t = await testApp({ env: { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_PER_MINUTE: '4' } })
    try {
      const started = Date.now()
      assert.equal((await t.app.inject('/feedback')).statusCode, 200)
      assert.ok(Date.now() - started < 5000, 'without waiting long for it')
    } finally {
      await t.close()
    }
  })
})
