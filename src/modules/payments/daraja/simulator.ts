/**
 * A Daraja stand-in for development and tests: the same paths, request checks, identifiers and JSON
 * shapes (errors included) as Safaricom's documented ones, served over real HTTP. Prompts wait until the
 * control API (used by /dev/phone and tests) approves, cancels or times them out; then the result is
 * posted to the CallBackURL the prompt named. Paybill payments post validation, then confirmation if
 * accepted. The receipts it issues are kept, so the Transaction Status API and tests can confirm them.
 */
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { c2bRoutes, payToShortcode } from './simulator-c2b.js'
import { requestId } from './simulator-ids.js'
import type { Deliver, SimulatorContext, SimulatorControl, SimulatorOptions, RunningSimulator, TokenErrorStyle } from './simulator-model.js'
import { transactionStatusRoutes } from './simulator-status.js'
import { resolvePrompt, stkRoutes } from './simulator-stk.js'

export {
  OUTCOMES,
  type Deliver,
  type PayBillResult,
  type PromptOutcome,
  type RunningSimulator,
  type SimulatedPrompt,
  type SimulatedTransaction,
  type SimulatorControl,
  type SimulatorOptions,
  type TokenErrorStyle,
  type TransactionType,
} from './simulator-model.js'

const httpDeliver: Deliver = async (url, body) => {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) })
  const text = await response.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    return { status: response.status, text: text.slice(0, 200) }
  }
}

/** How Daraja refuses a bearer token, by style: [HTTP status, errorCode, errorMessage]. */
const TOKEN_REFUSALS: Record<TokenErrorStyle, [number, string, string]> = {
  '401': [401, '401.002.01', 'Error Occurred - Invalid Access Token'],
  '404.001.03': [404, '404.001.03', 'Invalid Access Token'],
  '400': [400, '400.008.02', 'Invalid Bearer token'],
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  /** Token → when it expires (ms). */
  const tokens = new Map<string, number>()
  /** Tokens withdrawn by tokenErrorsNext, and how they are refused. */
  const revoked = new Map<string, TokenErrorStyle>()
  const stats = { tokensIssued: 0, requests: 0, deliveryFailures: 0 }
  let broken: { count: number; mode: 'error' | 'hang' } = { count: 0, mode: 'error' }
  let tokenFaults: { count: number; style: TokenErrorStyle } = { count: 0, style: '404.001.03' }
  const inFlight = new Set<Promise<void>>()

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true })
  const fault = (reply: FastifyReply, status: number, errorCode: string, errorMessage: string) =>
    reply.code(status).send({ requestId: requestId(), errorCode, errorMessage })
  const refuseToken = (reply: FastifyReply, style: TokenErrorStyle) => fault(reply, ...TOKEN_REFUSALS[style])

  const context: SimulatorContext = {
    app,
    options,
    deliver: options.deliver ?? httpDeliver,
    prompts: new Map(),
    registered: new Map(),
    transactions: new Map(),
    fault,
    authorised(request: FastifyRequest, reply: FastifyReply): boolean {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
      if (tokenFaults.count > 0) {
        tokenFaults.count--
        refuseToken(reply, tokenFaults.style)
        return false
      }
      if (token && (tokens.get(token) ?? 0) > Date.now()) return true
      refuseToken(reply, (token && revoked.get(token)) || '404.001.03')
      return false
    },
    later(task) {
      // After the answer has gone out, as Daraja's callbacks come after its acknowledgement.
      const run = new Promise<void>((resolve) => setImmediate(resolve))
        .then(task)
        .then(
          () => undefined,
          () => void stats.deliveryFailures++,
        )
      inFlight.add(run)
      void run.then(() => inFlight.delete(run))
    },
  }

  app.addHook('onRequest', async (request, reply) => {
    stats.requests++
    if (broken.count <= 0) return
    broken.count--
    if (broken.mode === 'hang') await new Promise<void>((resolve) => reply.raw.once('close', () => resolve()))
    return fault(reply, 503, '503.001.01', 'Service Unavailable')
  })

  // Daraja answers everything in its own error shape, never a framework's.
  app.setNotFoundHandler((request, reply) => fault(reply, 404, '404.001.01', 'Resource not found'))
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) return fault(reply, 400, '400.002.05', 'Invalid Request Payload')
    return fault(reply, 500, '500.003.02', 'Internal Server Error')
  })

  app.get('/oauth/v1/generate', async (request, reply) => {
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    const [key, secret] = Buffer.from(basic ?? '', 'base64').toString().split(':')
    const wrong = options.consumerKey !== undefined && (key !== options.consumerKey || secret !== options.consumerSecret)
    if ((request.query as Record<string, string>).grant_type !== 'client_credentials' || !key || wrong) {
      return fault(reply, 400, '400.008.01', 'Invalid Authentication passed')
    }
    const seconds = options.tokenSeconds ?? 3599
    const token = randomBytes(21).toString('base64url')
    tokens.set(token, Date.now() + seconds * 1000)
    stats.tokensIssued++
    return { access_token: token, expires_in: String(seconds) }
  })

  stkRoutes(context)
  c2bRoutes(context)
  transactionStatusRoutes(context)

  const control: SimulatorControl = {
    stats,
    prompts: () => [...context.prompts.values()],
    pending: () => [...context.prompts.values()].filter((p) => !p.result).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
    transactions: () => [...context.transactions.values()].sort((a, b) => a.at.getTime() - b.at.getTime()),
    breakNext(count, mode = 'error') {
      broken = { count, mode }
    },
    tokenErrorsNext(count, style) {
      for (const token of tokens.keys()) revoked.set(token, style)
      tokens.clear()
      tokenFaults = { count, style }
    },
    resolve: (checkoutRequestId, outcome, { lose = false } = {}) => resolvePrompt(context, checkoutRequestId, outcome, lose),
    async payBill({ phone, billReference, amount, shortcode }) {
      const code = shortcode ?? [...context.registered.keys()][0]
      if (!code) throw new Error('no C2B URLs registered: call c2bRegisterUrls first')
      return payToShortcode(context, { shortcode: code, phone, billReference, amount, transactionType: 'CustomerPayBillOnline' })
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }

  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' })
  return { url: address, control, stop: () => app.close() }
}
