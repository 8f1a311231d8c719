/**
 * A Daraja stand-in for development and tests: the same paths, request checks and JSON shapes as
 * Safaricom's documented shapes, served over real HTTP. Prompts wait until the control API
 * (used by /dev/phone and tests) approves, cancels or times them out; then the result is posted to the
 * CallBackURL the prompt named. Paybill payments post validation, then confirmation if accepted.
 */
import { randomBytes, randomInt } from 'node:crypto'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { darajaTimestamp, stkPassword } from './protocol.js'

export type PromptOutcome = 'approved' | 'cancelled' | 'timeout' | 'insufficient' | 'wrong-pin'

export const OUTCOMES: Record<PromptOutcome, { code: number; desc: string }> = {
  approved: { code: 0, desc: 'The service request is processed successfully.' },
  insufficient: { code: 1, desc: 'The balance is insufficient for the transaction.' },
  cancelled: { code: 1032, desc: 'Request cancelled by user' },
  timeout: { code: 1037, desc: 'DS timeout user cannot be reached' },
  'wrong-pin': { code: 2001, desc: 'The initiator information is invalid.' },
}

export interface SimulatedPrompt {
  checkoutRequestId: string
  merchantRequestId: string
  shortcode: string
  phone: string
  amount: number
  accountReference: string
  description: string
  callbackUrl: string
  createdAt: Date
  result?: { code: number; desc: string; receipt?: string }
}

/** Posts a JSON body to a URL and returns the JSON answer (the portal's ack). */
export type Deliver = (url: string, body: unknown) => Promise<unknown>

export interface SimulatorOptions {
  port?: number
  host?: string
  /** When given, OAuth and STK passwords are checked against them, as Daraja does. */
  consumerKey?: string
  consumerSecret?: string
  passkey?: string
  /** How callbacks reach the portal; real HTTP by default. */
  deliver?: Deliver
  tokenSeconds?: number
}

export interface SimulatorControl {
  prompts(): SimulatedPrompt[]
  pending(): SimulatedPrompt[]
  /** The person answers the prompt; `lose` keeps the callback from arriving, as happens in real life. */
  resolve(checkoutRequestId: string, outcome: PromptOutcome, options?: { lose?: boolean }): Promise<{ callback: unknown; answer: unknown }>
  payBill(payment: { phone: string; billReference: string; amount: number | string; shortcode?: string }): Promise<{
    transId: string
    accepted: boolean
    validation: unknown
    confirmation?: unknown
  }>
  /** The next `count` API requests fail: 503, or no answer at all (`hang`) until the caller gives up. */
  breakNext(count: number, mode?: 'error' | 'hang'): void
  readonly stats: { tokensIssued: number; requests: number }
}

export interface RunningSimulator {
  url: string
  control: SimulatorControl
  stop(): Promise<void>
}

const httpDeliver: Deliver = async (url, body) => {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    return { status: response.status, text: text.slice(0, 200) }
  }
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
/** Like RLA0R69NXM: ten capitals and digits. */
const receiptNumber = () => Array.from({ length: 10 }, () => LETTERS[randomInt(LETTERS.length)]).join('')

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const deliver = options.deliver ?? httpDeliver
  const tokens = new Set<string>()
  const prompts = new Map<string, SimulatedPrompt>()
  const registered = new Map<string, { confirmation: string; validation: string; responseType: string }>()
  const stats = { tokensIssued: 0, requests: 0 }
  let broken: { count: number; mode: 'error' | 'hang' } = { count: 0, mode: 'error' }
  let sequence = 0

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true })
  const requestId = () => `${randomInt(10000, 99999)}-${randomInt(1e7, 1e8)}-1`
  const fault = (reply: FastifyReply, status: number, errorCode: string, errorMessage: string) =>
    reply.code(status).send({ requestId: requestId(), errorCode, errorMessage })

  app.addHook('onRequest', async (request, reply) => {
    stats.requests++
    if (broken.count <= 0) return
    broken.count--
    if (broken.mode === 'hang') await new Promise<void>((resolve) => reply.raw.once('close', () => resolve()))
    return fault(reply, 503, '503.001.01', 'Service Unavailable')
  })

  const authorised = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    if (token && tokens.has(token)) return true
    fault(reply, 401, '404.001.03', 'Invalid Access Token')
    return false
  }

  app.get('/oauth/v1/generate', async (request, reply) => {
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    const [key, secret] = Buffer.from(basic ?? '', 'base64').toString().split(':')
    const wrong = options.consumerKey !== undefined && (key !== options.consumerKey || secret !== options.consumerSecret)
    if ((request.query as Record<string, string>).grant_type !== 'client_credentials' || !key || wrong) {
      return fault(reply, 400, '400.008.01', 'Invalid Authentication passed')
    }
    const token = randomBytes(21).toString('base64url')
    tokens.add(token)
    stats.tokensIssued++
    return { access_token: token, expires_in: String(options.tokenSeconds ?? 3599) }
  })

  const passwordOk = (body: Record<string, unknown>) =>
    typeof body.Timestamp === 'string' && /^\d{14}$/.test(body.Timestamp) &&
    (options.passkey === undefined || body.Password === stkPassword(String(body.BusinessShortCode), options.passkey, body.Timestamp))

  app.post('/mpesa/stkpush/v1/processrequest', async (request, reply) => {
    if (!authorised(request, reply)) return reply
    const body = (request.body ?? {}) as Record<string, unknown>
    const phone = String(body.PhoneNumber ?? '')
    const problem =
      !passwordOk(body) ? 'Invalid Password' :
      body.TransactionType !== 'CustomerPayBillOnline' && body.TransactionType !== 'CustomerBuyGoodsOnline' ? 'Invalid TransactionType' :
      !Number.isInteger(Number(body.Amount)) || Number(body.Amount) < 1 ? 'Invalid Amount' :
      !/^254[17]\d{8}$/.test(phone) || String(body.PartyA) !== phone ? 'Invalid PhoneNumber' :
      String(body.PartyB) !== String(body.BusinessShortCode) ? 'Invalid PartyB' :
      typeof body.CallBackURL !== 'string' || !/^https?:\/\//.test(body.CallBackURL) ? 'Invalid CallBackURL' :
      typeof body.AccountReference !== 'string' || body.AccountReference.length < 1 || body.AccountReference.length > 12 ? 'Invalid AccountReference' :
      typeof body.TransactionDesc !== 'string' || body.TransactionDesc.length < 1 || body.TransactionDesc.length > 13 ? 'Invalid TransactionDesc' :
      undefined
    if (problem) return fault(reply, 400, '400.002.02', `Bad Request - ${problem}`)
    const now = new Date()
    const prompt: SimulatedPrompt = {
      checkoutRequestId: `ws_CO_${darajaTimestamp(now).slice(6)}${String(++sequence).padStart(3, '0')}${phone}`,
      merchantRequestId: requestId(),
      shortcode: String(body.BusinessShortCode),
      phone,
      amount: Number(body.Amount),
      accountReference: body.AccountReference as string,
      description: body.TransactionDesc as string,
      callbackUrl: body.CallBackURL as string,
      createdAt: now,
    }
    prompts.set(prompt.checkoutRequestId, prompt)
    return {
      MerchantRequestID: prompt.merchantRequestId,
      CheckoutRequestID: prompt.checkoutRequestId,
      ResponseCode: '0',
      ResponseDescription: 'Success. Request accepted for processing',
      CustomerMessage: 'Success. Request accepted for processing',
    }
  })

  app.post('/mpesa/stkpushquery/v1/query', async (request, reply) => {
    if (!authorised(request, reply)) return reply
    const body = (request.body ?? {}) as Record<string, unknown>
    if (!passwordOk(body)) return fault(reply, 400, '400.002.02', 'Bad Request - Invalid Password')
    const prompt = prompts.get(String(body.CheckoutRequestID))
    if (!prompt) return fault(reply, 400, '400.002.02', 'Bad Request - Invalid CheckoutRequestID')
    if (!prompt.result) return fault(reply, 500, '500.001.1001', 'The transaction is being processed')
    return {
      ResponseCode: '0',
      ResponseDescription: 'The service request has been accepted successsfully',
      MerchantRequestID: prompt.merchantRequestId,
      CheckoutRequestID: prompt.checkoutRequestId,
      ResultCode: String(prompt.result.code),
      ResultDesc: prompt.result.desc,
    }
  })

  app.post('/mpesa/c2b/v1/registerurl', async (request, reply) => {
    if (!authorised(request, reply)) return reply
    const body = (request.body ?? {}) as Record<string, unknown>
    const urls = [body.ConfirmationURL, body.ValidationURL]
    if (!body.ShortCode || !['Completed', 'Cancelled'].includes(String(body.ResponseType)) || urls.some((u) => typeof u !== 'string' || !/^https?:\/\//.test(u))) {
      return fault(reply, 400, '400.002.02', 'Bad Request - Invalid ValidationURL')
    }
    registered.set(String(body.ShortCode), { confirmation: String(body.ConfirmationURL), validation: String(body.ValidationURL), responseType: String(body.ResponseType) })
    return { OriginatorCoversationID: requestId(), ResponseCode: '0', ResponseDescription: 'Success' }
  })

  const control: SimulatorControl = {
    stats,
    prompts: () => [...prompts.values()],
    pending: () => [...prompts.values()].filter((p) => !p.result).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
    breakNext(count, mode = 'error') {
      broken = { count, mode }
    },
    async resolve(checkoutRequestId, outcome, { lose = false } = {}) {
      const prompt = prompts.get(checkoutRequestId)
      if (!prompt) throw new Error(`no prompt ${checkoutRequestId}`)
      if (prompt.result) throw new Error(`prompt ${checkoutRequestId} is already ${prompt.result.code}`)
      const { code, desc } = OUTCOMES[outcome]
      prompt.result = { code, desc, receipt: code === 0 ? receiptNumber() : undefined }
      const stkCallback: Record<string, unknown> = {
        MerchantRequestID: prompt.merchantRequestId,
        CheckoutRequestID: prompt.checkoutRequestId,
        ResultCode: code,
        ResultDesc: desc,
      }
      if (code === 0) {
        stkCallback.CallbackMetadata = {
          Item: [
            { Name: 'Amount', Value: prompt.amount },
            { Name: 'MpesaReceiptNumber', Value: prompt.result.receipt },
            { Name: 'Balance' },
            { Name: 'TransactionDate', Value: Number(darajaTimestamp()) },
            { Name: 'PhoneNumber', Value: Number(prompt.phone) },
          ],
        }
      }
      const callback = { Body: { stkCallback } }
      return { callback, answer: lose ? undefined : await deliver(prompt.callbackUrl, callback) }
    },
    async payBill({ phone, billReference, amount, shortcode }) {
      const code = shortcode ?? [...registered.keys()][0]
      const urls = code ? registered.get(code) : undefined
      if (!code || !urls) throw new Error('no C2B URLs registered: call c2bRegisterUrls first')
      const transId = receiptNumber()
      const payment = {
        TransactionType: 'Pay Bill',
        TransID: transId,
        TransTime: darajaTimestamp(),
        TransAmount: Number(amount).toFixed(2),
        BusinessShortCode: code,
        BillRefNumber: billReference,
        InvoiceNumber: '',
        OrgAccountBalance: '',
        ThirdPartyTransID: '',
        MSISDN: phone.replace(/^\+/, ''),
        FirstName: 'John',
        MiddleName: '',
        LastName: '',
      }
      let validation: unknown
      let accepted: boolean
      try {
        validation = await deliver(urls.validation, payment)
        const resultCode = (validation as Record<string, unknown> | null)?.ResultCode
        accepted = resultCode === '0' || resultCode === 0
      } catch (error) {
        // Validation unreachable: Daraja does what the registration's ResponseType says.
        validation = { error: (error as Error).message }
        accepted = urls.responseType === 'Completed'
      }
      if (!accepted) return { transId, accepted, validation }
      return { transId, accepted, validation, confirmation: await deliver(urls.confirmation, payment) }
    },
  }

  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' })
  return { url: address, control, stop: () => app.close() }
}
