import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { darajaTimestamp, readTransactionStatusResult, stkPassword } from './protocol.js'
import { startSimulator, type RunningSimulator } from './simulator.js'

const KEYS = { consumerKey: 'key', consumerSecret: 'secret', passkey: 'passkey' }
type Answer = { status: number; body: Record<string, unknown> }

describe('the Daraja simulator, over HTTP, as an integrator would meet it', () => {
  let sim: RunningSimulator
  let delivered: { url: string; body: unknown }[] = []
  /** Holds every delivery until opened, to show answers do not wait for callbacks. */
  let gate: Promise<void> = Promise.resolve()
  before(async () => {
    sim = await startSimulator({
      ...KEYS,
      initiatorName: 'apiop',
      securityCredential: 'cred',
      deliver: async (url, body) => {
        await gate
        delivered.push({ url, body })
        return { ResultCode: '0', ResultDesc: 'Accepted' }
      },
    })
  })
  after(() => sim.stop())
  beforeEach(() => {
    delivered = []
    gate = Promise.resolve()
  })

  const call = async (path: string, options: { method?: string; token?: string; body?: unknown; raw?: string } = {}): Promise<Answer> => {
    const response = await fetch(`${sim.url}${path}`, {
      method: options.method ?? 'POST',
      headers: { 'Content-Type': 'application/json', ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  const token = async (): Promise<string> => {
    const response = await fetch(`${sim.url}/oauth/v1/generate?grant_type=client_credentials`, { headers: { Authorization: `Basic ${Buffer.from('key:secret').toString('base64')}` } })
    return String(((await response.json()) as { access_token: string }).access_token)
  }
  const pushBody = (fields: Record<string, unknown> = {}) => {
    const timestamp = darajaTimestamp()
    return {
      BusinessShortCode: '222222', Password: stkPassword('222222', 'passkey', timestamp), Timestamp: timestamp, TransactionType: 'CustomerPayBillOnline', Amount: 100,
      PartyA: '254712345678', PartyB: '222222', PhoneNumber: '254712345678', CallBackURL: 'https://portal.example/cb', AccountReference: 'DIS7K4M9QX3', TransactionDesc: 'Fees', ...fields,
    }
  }
  const isDarajaError = (answer: Answer, status: number, errorCode: string) => {
    assert.equal(answer.status, status)
    assert.deepEqual(Object.keys(answer.body).sort(), ['errorCode', 'errorMessage', 'requestId'])
    assert.equal(answer.body.errorCode, errorCode)
  }
  const registerC2b = async (shortCode: string) =>
    call('/mpesa/c2b/v1/registerurl', { token: await token(), body: { ShortCode: shortCode, ResponseType: 'Completed', ConfirmationURL: 'https://portal.example/confirm', ValidationURL: 'https://portal.example/validate' } })

  it('hands out unguessable CheckoutRequestIDs shaped like Daraja’s, without the phone', async () => {
    const bearer = await token()
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('/mpesa/stkpush/v1/processrequest', { token: bearer, body: pushBody() })))
    const t = darajaTimestamp()
    const ids = answers.map((a) => String(a.body.CheckoutRequestID))
    for (const id of ids) {
      const match = /^ws_CO_(\d{14})(\d{12,})$/.exec(id)
      assert.ok(match, id)
      assert.equal(match[1]!.slice(0, 8), `${t.slice(6, 8)}${t.slice(4, 6)}${t.slice(0, 4)}`, 'DDMMYYYY, Nairobi')
      assert.ok(!id.includes('712345678'), 'never the phone')
    }
    assert.equal(new Set(ids).size, 5)
    const tails = ids.map((id) => id.slice(20))
    assert.ok(tails.every((tail, i) => i === 0 || Math.abs(Number(tail) - Number(tails[i - 1])) > 1000), 'no sequence')
    assert.equal(new Set(answers.map((a) => a.body.MerchantRequestID)).size, 5)
  })

  it('answers unknown paths, wrong methods and broken JSON in Daraja’s error shape', async () => {
    const notFound = await call('/mpesa/nothing/v1/here', { body: {} })
    isDarajaError(notFound, 404, '404.001.01')
    assert.equal(notFound.body.errorMessage, 'Resource not found')
    isDarajaError(await call('/mpesa/stkpush/v1/processrequest', { method: 'GET' }), 404, '404.001.01')
    const broken = await call('/mpesa/stkpush/v1/processrequest', { token: await token(), raw: '{"BusinessShortCode": ' })
    assert.equal(broken.status, 400)
    assert.deepEqual(Object.keys(broken.body).sort(), ['errorCode', 'errorMessage', 'requestId'])
  })

  it('takes a Buy Goods push paid to a till other than the shortcode; a paybill push must name its shortcode', async () => {
    const bearer = await token()
    const buyGoods = await call('/mpesa/stkpush/v1/processrequest', { token: bearer, body: pushBody({ TransactionType: 'CustomerBuyGoodsOnline', PartyB: '300300' }) })
    assert.equal(buyGoods.status, 200)
    assert.equal(sim.control.prompts().find((p) => p.checkoutRequestId === buyGoods.body.CheckoutRequestID)?.partyB, '300300')
    const paybill = await call('/mpesa/stkpush/v1/processrequest', { token: bearer, body: pushBody({ PartyB: '300300' }) })
    isDarajaError(paybill, 400, '400.002.02')
    assert.match(String(paybill.body.errorMessage), /PartyB/)
    isDarajaError(await call('/mpesa/stkpush/v1/processrequest', { token: bearer, body: pushBody({ TransactionType: 'CustomerBuyGoodsOnline', PartyB: 'till' }) }), 400, '400.002.02')
  })

  it('simulates a C2B payment: answers at once, then posts validation and confirmation', async () => {
    const bearer = await token()
    const simulate = (fields: Record<string, unknown> = {}) =>
      call('/mpesa/c2b/v1/simulate', { token: bearer, body: { ShortCode: '600100', CommandID: 'CustomerPayBillOnline', Amount: 250, Msisdn: '254712345678', BillRefNumber: 'DIS7K4M9QX3', ...fields } })
    isDarajaError(await simulate(), 400, '400.002.02')
    assert.equal((await registerC2b('600100')).status, 200)
    for (const bad of [{ CommandID: 'Pay' }, { Amount: 0 }, { Amount: 'ten' }, { Msisdn: '0712345678' }, { BillRefNumber: '' }, { ShortCode: 'abc' }]) {
      isDarajaError(await simulate(bad), 400, '400.002.02')
    }
    let open = () => {}
    gate = new Promise<void>((resolve) => (open = resolve))
    const answer = await simulate()
    assert.deepEqual(Object.keys(answer.body).sort(), ['OriginatorCoversationID', 'ResponseCode', 'ResponseDescription'])
    assert.deepEqual([answer.body.ResponseCode, answer.body.ResponseDescription], ['0', 'Accepted'])
    assert.equal(delivered.length, 0, 'the answer did not wait for the callbacks')
    open()
    await sim.control.settled()
    assert.deepEqual(delivered.map((d) => d.url), ['https://portal.example/validate', 'https://portal.example/confirm'])
    const payment = delivered[1]!.body as Record<string, unknown>
    assert.deepEqual([payment.TransAmount, payment.BillRefNumber, payment.BusinessShortCode, payment.MSISDN], ['250.00', 'DIS7K4M9QX3', '600100', '254712345678'])
    assert.ok(sim.control.transactions().some((t) => t.receipt === payment.TransID && t.amount === 250 && t.billReference === 'DIS7K4M9QX3' && t.kind === 'c2b'))
    // A till takes payments without an account number.
    assert.equal((await simulate({ CommandID: 'CustomerBuyGoodsOnline', BillRefNumber: undefined })).status, 200)
    await sim.control.settled()
    assert.equal((delivered.at(-1)!.body as Record<string, unknown>).TransactionType, 'Buy Goods')
  })

  it('refuses tokens on demand in each of Daraja’s styles, until a new one is fetched', async () => {
    const styles = [['401', 401, '401.002.01'], ['404.001.03', 404, '404.001.03'], ['400', 400, '400.008.02']] as const
    for (const [style, status, code] of styles) {
      const old = await token()
      sim.control.tokenErrorsNext(1, style)
      isDarajaError(await call('/mpesa/stkpush/v1/processrequest', { token: old, body: pushBody() }), status, code)
      const again = await call('/mpesa/stkpush/v1/processrequest', { token: old, body: pushBody() })
      isDarajaError(again, status, code)
      assert.match(String(again.body.errorMessage), /(access|bearer) token/i)
      assert.equal((await call('/mpesa/stkpush/v1/processrequest', { token: await token(), body: pushBody() })).status, 200)
    }
    sim.control.tokenErrorsNext(2, '400')
    const fresh = await token()
    isDarajaError(await call('/mpesa/stkpushquery/v1/query', { token: fresh, body: {} }), 400, '400.008.02')
    isDarajaError(await call('/mpesa/stkpushquery/v1/query', { token: fresh, body: {} }), 400, '400.008.02')
    isDarajaError(await call('/mpesa/stkpushquery/v1/query', { token: 'made-up', body: {} }), 404, '404.001.03')
  })

  it('confirms the receipts it issued through the Transaction Status API, and no others', async () => {
    await registerC2b('222222')
    const bearer = await token()
    const pushed = await call('/mpesa/stkpush/v1/processrequest', { token: bearer, body: pushBody({ Amount: 1050 }) })
    await sim.control.resolve(String(pushed.body.CheckoutRequestID), 'approved', { lose: true })
    const paid = await sim.control.payBill({ phone: '254798765432', billReference: 'DISABCDEF12', amount: 300, shortcode: '222222' })
    const issued = sim.control.transactions().filter((t) => t.shortcode === '222222')
    const stk = issued.find((t) => t.checkoutRequestId === pushed.body.CheckoutRequestID)!
    assert.deepEqual([stk.amount, stk.phone, stk.billReference, stk.kind], [1050, '254712345678', 'DIS7K4M9QX3', 'stk'])
    assert.ok(stk.at instanceof Date)
    assert.ok(issued.some((t) => t.receipt === paid.transId && t.amount === 300 && t.phone === '254798765432'))

    const query = (fields: Record<string, unknown>) =>
      call('/mpesa/transactionstatus/v1/query', {
        token: bearer,
        body: {
          Initiator: 'apiop', SecurityCredential: 'cred', CommandID: 'TransactionStatusQuery', TransactionID: stk.receipt, PartyA: '222222', IdentifierType: '4',
          ResultURL: 'https://portal.example/status/result', QueueTimeOutURL: 'https://portal.example/status/timeout', Remarks: 'check', Occasion: '', ...fields,
        },
      })
    isDarajaError(await query({ Initiator: undefined }), 400, '400.002.02')
    isDarajaError(await query({ SecurityCredential: '' }), 400, '400.002.02')
    isDarajaError(await call('/mpesa/transactionstatus/v1/query', { body: {} }), 404, '404.001.03')
    delivered = []
    const accepted = await query({})
    assert.equal(accepted.status, 200)
    assert.deepEqual([accepted.body.ResponseCode, accepted.body.ResponseDescription], ['0', 'Accept the service request successfully.'])
    assert.match(String(accepted.body.ConversationID), /^AG_\d{8}_/)
    await query({ TransactionID: paid.transId })
    await query({ TransactionID: 'QQQ0000000' })
    await query({ SecurityCredential: 'wrong' })
    await sim.control.settled()
    assert.ok(delivered.every((d) => d.url === 'https://portal.example/status/result'))
    const results = delivered.map((d) => readTransactionStatusResult(d.body))
    assert.deepEqual(results.map((r) => [r.resultCode, r.receipt, r.amountCents, r.status]), [
      [0, stk.receipt, 105000, 'Completed'],
      [0, paid.transId, 30000, 'Completed'],
      [2032, undefined, undefined, undefined],
      [2001, undefined, undefined, undefined],
    ])
    assert.equal(results[0]!.conversationId, accepted.body.ConversationID)
    assert.equal(results[0]!.debitParty, '254712345678 - John')
  })

  it('keeps the STK query and the control API as they were', async () => {
    const bearer = await token()
    const query = (id: string) => {
      const timestamp = darajaTimestamp()
      return call('/mpesa/stkpushquery/v1/query', { token: bearer, body: { BusinessShortCode: '222222', Password: stkPassword('222222', 'passkey', timestamp), Timestamp: timestamp, CheckoutRequestID: id } })
    }
    const unknown = await query('ws_CO_010120240000001234567890123456')
    isDarajaError(unknown, 400, '400.002.02')
    assert.equal(unknown.body.errorMessage, 'Bad Request - Invalid CheckoutRequestID')
    const id = String((await call('/mpesa/stkpush/v1/processrequest', { token: bearer, body: pushBody() })).body.CheckoutRequestID)
    assert.equal(sim.control.pending()[0]?.checkoutRequestId, id)
    isDarajaError(await query(id), 500, '500.001.1001')
    await sim.control.resolve(id, 'cancelled')
    assert.deepEqual([(await query(id)).body.ResultCode, sim.control.pending().some((p) => p.checkoutRequestId === id)], ['1032', false])
    const requests = sim.control.stats.requests
    sim.control.breakNext(1)
    isDarajaError(await query(id), 503, '503.001.01')
    assert.equal(sim.control.stats.requests, requests + 1)
  })
})
