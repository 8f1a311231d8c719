import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DarajaClient, DarajaError, DarajaTimeout, mpesaPaths } from './client.js'
import { readTransactionStatusResult } from './protocol.js'
import { startSimulator, type RunningSimulator, type TokenErrorStyle } from './simulator.js'
import { transactionStatusBody } from './transaction-status.js'

const CREDENTIALS = { consumerKey: 'key', consumerSecret: 'secret', passkey: 'passkey', initiatorName: 'apiop', securityCredential: 'encrypted-credential' }
const SECRET = 'test-callback-secret-0123456789abcdef'
const PORTAL = `https://portal.example/payments/mpesa/${SECRET}`

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
    new DarajaClient(
      { baseUrl: sim.url, shortcode: '222222', callbackUrl: 'https://portal.example/', callbackSecret: SECRET, timeoutMs: 2000, ...CREDENTIALS, ...overrides },
      { now: () => now },
    )

  const push = (client: DarajaClient) => client.stkPush({ phone: '254712345678', amount: 1050, accountReference: 'DIS7K4M9QX3', description: 'DIS fees' })

  it('sends a prompt the simulator accepts, and keeps one token until shortly before it expires', async () => {
    const client = clientFor()
    const before = sim.control.stats.tokensIssued
    const first = await push(client)
    await push(client)
    assert.equal(sim.control.stats.tokensIssued - before, 1)
    assert.match(first.checkoutRequestId, /^ws_CO_\d+$/)
    assert.match(first.merchantRequestId, /^\d+-\d+-\d$/)
    const prompt = sim.control.prompts().find((p) => p.checkoutRequestId === first.checkoutRequestId)!
    assert.equal(prompt.callbackUrl, `${PORTAL}/callback`)
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

  it('reads "Invalid CheckoutRequestID" as a prompt M-Pesa does not know, a definite answer', async () => {
    const client = clientFor()
    for (let i = 0; i < 4; i++) assert.deepEqual(await client.stkQuery(`ws_CO_01032024120000${i}`), { state: 'unknown' })
    const health = client.health.snapshot()
    assert.equal(health.state, 'ok')
    assert.equal(health.errors, 0)
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
    assert.equal(delivered.at(-1)?.url, `${PORTAL}/callback`)
  })

  it('refuses wrong credentials and a wrong passkey as Daraja would, and counts both against the gateway', async () => {
    const client = clientFor({ consumerSecret: 'wrong' })
    await assert.rejects(push(client), (error: DarajaError) => error.status === 400)
    assert.equal(client.health.snapshot().errors, 1)
    const before = sim.control.stats.tokensIssued
    const badPasskey = clientFor({ passkey: 'wrong' })
    await assert.rejects(push(badPasskey), (error: DarajaError) => error.status === 400 && /Password/.test(error.message))
    assert.equal(sim.control.stats.tokensIssued - before, 1, 'a 400 that does not name the token renews nothing')
    assert.equal(badPasskey.health.snapshot().errors, 1)
  })

  it('registers C2B URLs, then a paybill payment is validated and confirmed', async () => {
    await clientFor().c2bRegisterUrls()
    delivered.length = 0
    const accepted = await sim.control.payBill({ phone: '254712345678', billReference: 'DIS7K4M9QX3', amount: 1050 })
    assert.equal(accepted.accepted, true)
    assert.deepEqual(delivered.map((d) => d.url), [`${PORTAL}/c2b/validation`, `${PORTAL}/c2b/confirmation`])
    const body = delivered[1]!.body as Record<string, unknown>
    assert.equal(body.TransAmount, '1050.00')
    assert.equal(body.BillRefNumber, 'DIS7K4M9QX3')
    assert.equal(body.BusinessShortCode, '222222')
    validationAnswer = { ResultCode: 'C2B00012', ResultDesc: 'Rejected' }
    delivered.length = 0
    assert.equal((await sim.control.payBill({ phone: '254712345678', billReference: 'NOPE', amount: 5 })).accepted, false)
    assert.equal(delivered.length, 1)
    validationAnswer = { ResultCode: '0', ResultDesc: 'Accepted' }
  })

  for (const style of ['401', '404.001.03', '400'] as TokenErrorStyle[]) {
    it(`renews a token refused with ${style} once for a burst of ten calls, and retries each call`, async () => {
      const client = clientFor()
      await push(client)
      const before = sim.control.stats.tokensIssued
      sim.control.tokenErrorsNext(1, style)
      const answers = await Promise.all(Array.from({ length: 10 }, () => push(client)))
      assert.equal(answers.length, 10)
      assert.equal(sim.control.stats.tokensIssued - before, 1)
      await push(client)
      assert.equal(sim.control.stats.tokensIssued - before, 1, 'the renewed token is kept')
    })
  }

  it('retries only once: a token refused again is the answer', async () => {
    const client = clientFor()
    await push(client)
    const before = sim.control.stats.tokensIssued
    sim.control.tokenErrorsNext(2, '404.001.03')
    await assert.rejects(push(client), (error: DarajaError) => error.status === 404 && error.code === '404.001.03')
    assert.equal(sim.control.stats.tokensIssued - before, 1)
    await push(client)
  })

  it('counts token refusals against the gateway: a run of them is "degraded"', async () => {
    const client = clientFor()
    await push(client)
    sim.control.tokenErrorsNext(6, '400')
    for (let i = 0; i < 3; i++) await assert.rejects(push(client), (error: DarajaError) => error.status === 400)
    const health = client.health.snapshot()
    assert.equal(health.state, 'degraded')
    assert.equal(health.errors, 6)
    await push(client)
    assert.equal(client.health.snapshot().state, 'ok')
  })

  it('asks M-Pesa to confirm a receipt; the verdict arrives at the secret result address', async () => {
    const client = clientFor()
    const { checkoutRequestId } = await push(client)
    const { callback } = await sim.control.resolve(checkoutRequestId, 'approved')
    const items = (callback as { Body: { stkCallback: { CallbackMetadata: { Item: { Name: string; Value?: unknown }[] } } } }).Body.stkCallback.CallbackMetadata.Item
    const receipt = String(items.find((item) => item.Name === 'MpesaReceiptNumber')?.Value)
    delivered.length = 0
    const accepted = await client.transactionStatus({ transactionId: receipt })
    assert.match(accepted.conversationId, /^AG_\d{8}_[0-9a-f]+$/)
    await sim.control.settled()
    assert.equal(delivered.length, 1)
    assert.equal(delivered[0]!.url, `${PORTAL}/transaction-status/result`)
    const result = readTransactionStatusResult(delivered[0]!.body)
    assert.equal(result.conversationId, accepted.conversationId)
    assert.equal(result.originatorConversationId, accepted.originatorConversationId)
    assert.deepEqual([result.resultCode, result.receipt, result.amountCents, result.status], [0, receipt, 105000, 'Completed'])

    delivered.length = 0
    await client.transactionStatus({ transactionId: 'NOSUCH1234' })
    await clientFor({ securityCredential: 'stale' }).transactionStatus({ transactionId: receipt })
    await sim.control.settled()
    assert.deepEqual(delivered.map((d) => readTransactionStatusResult(d.body).resultCode).sort(), [2001, 2032])
  })

  it('builds the status query Daraja expects, and needs the initiator to ask', async () => {
    const paths = mpesaPaths(SECRET)
    const body = transactionStatusBody({ transactionId: 'rla0r69nxm' }, { initiatorName: 'op', securityCredential: 'c', shortcode: '222222', resultUrl: `https://p${paths.statusResult}`, timeoutUrl: `https://p${paths.statusTimeout}` })
    assert.deepEqual(
      { ...body, Remarks: undefined },
      {
        Initiator: 'op', SecurityCredential: 'c', CommandID: 'TransactionStatusQuery', TransactionID: 'RLA0R69NXM', PartyA: '222222', IdentifierType: '4',
        ResultURL: `https://p/payments/mpesa/${SECRET}/transaction-status/result`, QueueTimeOutURL: `https://p/payments/mpesa/${SECRET}/transaction-status/timeout`,
        Remarks: undefined, Occasion: 'Reconciliation',
      },
    )
    await assert.rejects(clientFor({ initiatorName: undefined }).transactionStatus({ transactionId: 'RLA0R69NXM' }), RangeError)
    await assert.rejects(clientFor().transactionStatus({ transactionId: 'not a receipt' }), RangeError)
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
    const client = new DarajaClient({ baseUrl: 'http://127.0.0.1:9', shortcode: '222222', callbackUrl: 'https://p.example', callbackSecret: SECRET, ...CREDENTIALS })
    await assert.rejects(push(client), (error: DarajaError) => error.kind === 'network')
  })
})
