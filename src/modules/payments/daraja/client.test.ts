import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DarajaClient, DarajaError, DarajaTimeout } from './client.js'
import { startSimulator, type RunningSimulator } from './simulator.js'

const CREDENTIALS = { consumerKey: 'key', consumerSecret: 'secret', passkey: 'passkey' }

describe('the Daraja client against the simulator, over HTTP', () => {
  let sim: RunningSimulator
  const delivered: { url: string; body: unknown }[] = []
  let validationAnswer: unknown = { ResultCode: '0', ResultDesc: 'Accepted' }
  before(async () => {
    sim = await startSimulator({
      ...CREDENTIALS,
      deliver: async (url, body) => {
        delivered.push({ url, body })
        return url.endsWith('/validation') ? validationAnswer : { ResultCode: 0, ResultDesc: 'Accepted' }
      },
    })
  })
  after(() => sim.stop())

  let now = new Date('2024-03-01T09:00:00Z')
  const clientFor = (overrides: Partial<ConstructorParameters<typeof DarajaClient>[0]> = {}) =>
    new DarajaClient({ baseUrl: sim.url, shortcode: '222222', callbackUrl: 'https://portal.example/', timeoutMs: 2000, ...CREDENTIALS, ...overrides }, { now: () => now })

  const push = (client: DarajaClient) => client.stkPush({ phone: '254712345678', amount: 1050, accountReference: 'DIS7K4M9QX3', description: 'DIS fees' })

  it('sends a prompt the simulator accepts, and keeps one token until shortly before it expires', async () => {
    const client = clientFor()
    const before = sim.control.stats.tokensIssued
    const first = await push(client)
    await push(client)
    assert.equal(sim.control.stats.tokensIssued - before, 1)
    assert.match(first.checkoutRequestId, /^ws_CO_\d+$/)
    assert.match(first.merchantRequestId, /^\d+-\d+-1$/)
    const prompt = sim.control.prompts().find((p) => p.checkoutRequestId === first.checkoutRequestId)!
    assert.equal(prompt.callbackUrl, 'https://portal.example/payments/mpesa/callback')
    assert.equal(prompt.amount, 1050)
    now = new Date(now.getTime() + 3540_000) // expires_in 3599 s, renewed 60 s early
    await push(client)
    assert.equal(sim.control.stats.tokensIssued - before, 2)
  })

  it('asks for a result: pending while the phone is silent, then the final code', async () => {
    const client = clientFor()
    const { checkoutRequestId } = await push(client)
    assert.deepEqual(await client.stkQuery(checkoutRequestId), { state: 'pending' })
    await sim.control.resolve(checkoutRequestId, 'cancelled')
    const answer = await client.stkQuery(checkoutRequestId)
    assert.equal(answer.state, 'final')
    assert.equal(answer.state === 'final' && answer.resultCode, 1032)
    assert.equal(client.health.snapshot().state, 'ok')
  })

  it('posts the success callback in Daraja’s shape when the phone approves', async () => {
    const { checkoutRequestId } = await push(clientFor())
    const { callback } = await sim.control.resolve(checkoutRequestId, 'approved')
    const items = (callback as { Body: { stkCallback: { CallbackMetadata: { Item: { Name: string; Value?: unknown }[] } } } }).Body.stkCallback.CallbackMetadata.Item
    const value = (name: string) => items.find((item) => item.Name === name)?.Value
    assert.equal(value('Amount'), 1050)
    assert.match(String(value('MpesaReceiptNumber')), /^[A-Z0-9]{10}$/)
    assert.equal(typeof value('TransactionDate'), 'number')
    assert.equal(value('PhoneNumber'), 254712345678)
    assert.equal(delivered.at(-1)?.url, 'https://portal.example/payments/mpesa/callback')
  })

  it('refuses wrong credentials and a wrong passkey as Daraja would', async () => {
    await assert.rejects(push(clientFor({ consumerSecret: 'wrong' })), (error: DarajaError) => error.status === 400)
    await assert.rejects(push(clientFor({ passkey: 'wrong' })), (error: DarajaError) => error.status === 400 && /Password/.test(error.message))
  })

  it('registers C2B URLs, then a paybill payment is validated and confirmed', async () => {
    await clientFor().c2bRegisterUrls()
    delivered.length = 0
    const accepted = await sim.control.payBill({ phone: '254712345678', billReference: 'DIS7K4M9QX3', amount: 1050 })
    assert.equal(accepted.accepted, true)
    assert.deepEqual(delivered.map((d) => d.url), ['https://portal.example/payments/mpesa/c2b/validation', 'https://portal.example/payments/mpesa/c2b/confirmation'])
    const body = delivered[1]!.body as Record<string, unknown>
    assert.equal(body.TransAmount, '1050.00')
    assert.equal(body.BillRefNumber, 'DIS7K4M9QX3')
    assert.equal(body.BusinessShortCode, '222222')
    validationAnswer = { ResultCode: 'C2B00012', ResultDesc: 'Rejected' }
    delivered.length = 0
    assert.equal((await sim.control.payBill({ phone: '254712345678', billReference: 'NOPE', amount: 5 })).accepted, false)
    assert.equal(delivered.length, 1)
  })

  it('counts gateway errors and reports degraded after three in a row, until one succeeds', async () => {
    const client = clientFor()
    await push(client)
    sim.control.breakNext(3)
    for (let i = 0; i < 3; i++) await assert.rejects(push(client), (error: DarajaError) => error.kind === 'http' && error.status === 503)
    const health = client.health.snapshot()
    assert.equal(health.state, 'degraded')
    assert.equal(health.errors, 3)
    await push(client)
    assert.equal(client.health.snapshot().state, 'ok')
  })

  it('gives up on a silent gateway with a typed timeout', async () => {
    const client = clientFor({ timeoutMs: 200 })
    await push(client)
    sim.control.breakNext(1, 'hang')
    await assert.rejects(push(client), DarajaTimeout)
    assert.equal(client.health.snapshot().timeouts, 1)
  })

  it('reports an unreachable gateway as a network error', async () => {
    const client = new DarajaClient({ baseUrl: 'http://127.0.0.1:9', shortcode: '222222', callbackUrl: 'https://p.example', ...CREDENTIALS })
    await assert.rejects(push(client), (error: DarajaError) => error.kind === 'network')
  })
})
