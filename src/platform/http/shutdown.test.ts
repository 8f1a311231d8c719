import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { testApp } from '../../../test/helpers/app.js'

describe('graceful shutdown', () => {
  it('finishes requests in flight, then stops accepting', async () => {
    const t = await testApp({
      routes: (app) => {
        app.get('/test/slow', { config: { access: 'public' } }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 500))
          return { finished: true }
        })
      },
    })
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 })
    const inFlight = fetch(`${base}/test/slow`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closing = t.app.close()
    const response = await inFlight
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { finished: true })
    await closing
    await assert.rejects(fetch(`${base}/healthz`))
    await t.jobs.stop(1000)
    await t.database.close()
  })
})
