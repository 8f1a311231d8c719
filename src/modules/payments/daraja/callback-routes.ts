/**
 * What Daraja posts to the portal: STK push results, C2B paybill validation and confirmation, and
 * Transaction Status answers. Every address carries the secret segment and, in production, only
 * Safaricom's addresses may call. Each message is written to the inbox (one insert) and then
 * acknowledged; what it claims is verified and applied afterwards (../inbox/processor.ts). Refused calls
 * (wrong or old segment, another address, a malformed body) are recorded too, and change nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../../platform/access/access.js'
import type { InboxKind } from '../inbox-tables.js'
import type { InboxProcessor } from '../inbox/processor.js'
import type { InboxWriter } from '../inbox/writer.js'
import { mpesaPaths } from './client.js'
import type { MpesaPayments } from './port.js'
import { MalformedCallback, readC2bPayment, readStkCallback, readTransactionStatusResult } from './protocol.js'

/** Daraja's bodies are a few hundred bytes. */
export const CALLBACK_BODY_LIMIT = 16 * 1024

/** Daraja's C2B rejection codes. */
export const C2B_REJECT = {
  invalidMsisdn: 'C2B00011',
  invalidAccount: 'C2B00012',
  invalidAmount: 'C2B00013',
  invalidKyc: 'C2B00014',
  invalidShortcode: 'C2B00015',
  other: 'C2B00016',
} as const

const ACK = { ResultCode: 0, ResultDesc: 'Accepted' }

export interface CallbackRouteDeps {
  payments: Pick<MpesaPayments, 'isPayable'>
  writer: InboxWriter
  processor: InboxProcessor
  shortcode: string
  /** Empty: any address (development, or a proxy in front that checks). */
  allowedIps: string[]
  /** The current secret segment, then the previous one while rotating. */
  secrets: string[]
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Strict readers per kind: a body that is not what Daraja sends is refused with the reason. */
const READERS: Record<InboxKind, (body: unknown) => unknown> = {
  'stk-result': readStkCallback,
  'c2b-validation': readC2bPayment,
  'c2b-confirmation': readC2bPayment,
  'transaction-status': readTransactionStatusResult,
}

export function mpesaCallbackRoutes(parent: FastifyInstance, deps: CallbackRouteDeps): void {
  // A body that is not even JSON is still a message someone sent: kept (as text) and refused at the door,
  // rather than turned away by the parser before anything is recorded.
  void parent.register(async (app) => {
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: CALLBACK_BODY_LIMIT }, (_request, text, done) => {
      try {
        done(null, JSON.parse(text as string))
      } catch {
        done(null, { unparsable: (text as string).slice(0, 2000) })
      }
    })
    registerCallbacks(app, deps)
  })
}

function registerCallbacks(app: FastifyInstance, deps: CallbackRouteDeps): void {
  const options = allow('public', { csrf: false })
  const route = { ...options, bodyLimit: CALLBACK_BODY_LIMIT }
  const secrets = deps.secrets.map(digest)
  const isOurs = (segment: string) => {
    const given = digest(segment)
    return secrets.some((secret) => timingSafeEqual(secret, given))
  }

  /** Records a refused call and answers it: nothing it claims is acted on. */
  async function refuse(request: FastifyRequest, reply: FastifyReply, kind: InboxKind, path: string, status: 400 | 403 | 404, reason: string) {
    request.log.warn({ ip: request.ip, path, reason }, 'M-Pesa callback refused')
    await deps.writer.write({ kind, path, sourceIp: request.ip, body: request.body ?? null, refusedReason: reason })
    return reply.code(status).send({ ResultCode: 1, ResultDesc: reason })
  }

  /** The door: the secret segment, the caller's address and the body's shape, in that order. */
  async function admit(request: FastifyRequest<{ Params: { secret: string } }>, reply: FastifyReply, kind: InboxKind, tail: string): Promise<string | undefined> {
    const known = isOurs(request.params.secret)
    const path = `/payments/mpesa/${known ? '<secret>' : '<wrong-secret>'}${tail}`
    if (!known) return void (await refuse(request, reply, kind, path, 404, 'wrong or old secret segment'))
    if (deps.allowedIps.length > 0 && !deps.allowedIps.includes(request.ip)) return void (await refuse(request, reply, kind, path, 403, 'address not allowed'))
    try {
      READERS[kind](request.body)
    } catch (error) {
      if (!(error instanceof MalformedCallback)) throw error
      return void (await refuse(request, reply, kind, path, 400, error.message))
    }
    return path
  }

  const paths = mpesaPaths(':secret')
  const tailOf = (path: string) => path.slice('/payments/mpesa/:secret'.length)
  type Params = { Params: { secret: string } }

  /** Written, acknowledged, then processed: the ack costs one (batched) insert. */
  const inboxRoute = (path: string, kind: InboxKind, answer: object) =>
    app.post<Params>(path, route, async (request, reply) => {
      const recorded = await admit(request, reply, kind, tailOf(path))
      if (recorded === undefined) return reply
      const id = await deps.writer.write({ kind, path: recorded, sourceIp: request.ip, body: request.body })
      deps.processor.kick(id)
      return answer
    })
  inboxRoute(paths.callback, 'stk-result', ACK)
  inboxRoute(paths.confirmation, 'c2b-confirmation', ACK)
  inboxRoute(paths.statusResult, 'transaction-status', ACK)

  // Daraja's "no answer in time" for a status check: recorded; the confirmation's own retry asks again.
  app.post<Params>(paths.statusTimeout, route, async (request, reply) => {
    if (!isOurs(request.params.secret)) return refuse(request, reply, 'transaction-status', '/payments/mpesa/<wrong-secret>/transaction-status/timeout', 404, 'wrong or old secret segment')
    await deps.writer.write({ kind: 'transaction-status', path: '/payments/mpesa/<secret>/transaction-status/timeout', sourceIp: request.ip, body: request.body ?? null, outcome: 'queue-timeout' })
    return ACK
  })

  // The old addresses without a segment: anyone who calls them is recorded, and told nothing is here.
  const bare = { '/payments/mpesa/callback': 'stk-result', '/payments/mpesa/c2b/validation': 'c2b-validation', '/payments/mpesa/c2b/confirmation': 'c2b-confirmation' } as const
  for (const [path, kind] of Object.entries(bare)) {
    app.post(path, route, (request, reply) => refuse(request, reply, kind, path, 404, 'no secret segment'))
  }

  // New paybill payments are refused during maintenance; confirmations of those already accepted are not.
  const maintenance = { stopsInMaintenance: { answer: { ResultCode: C2B_REJECT.other, ResultDesc: 'Rejected' } } }
  app.post<Params>(paths.validation, { ...route, config: { ...route.config, ...maintenance } }, async (request, reply) => {
    const recorded = await admit(request, reply, 'c2b-validation', tailOf(paths.validation))
    if (recorded === undefined) return reply
    const payment = readC2bPayment(request.body)
    const decision = await validate(deps, payment)
    await deps.writer.write({ kind: 'c2b-validation', path: recorded, sourceIp: request.ip, body: request.body, outcome: decision.code === '0' ? 'accepted' : `rejected ${decision.code}: ${decision.why}` })
    if (decision.code !== '0') request.log.info({ transId: payment.transId, billReference: payment.billReference, code: decision.code, why: decision.why }, 'M-Pesa paybill payment rejected')
    return { ResultCode: decision.code, ResultDesc: decision.code === '0' ? 'Accepted' : 'Rejected' }
  })
}

/** May this paybill payment go ahead? Only to our shortcode, for an open KES invoice, for no more than is owed. */
async function validate(deps: CallbackRouteDeps, payment: ReturnType<typeof readC2bPayment>): Promise<{ code: string; why: string }> {
  if (payment.shortcode !== deps.shortcode) return { code: C2B_REJECT.invalidShortcode, why: 'another shortcode' }
  if (payment.amountCents <= 0) return { code: C2B_REJECT.invalidAmount, why: 'nothing paid' }
  const payable = payment.billReference ? await deps.payments.isPayable(payment.billReference, payment.amountCents) : undefined
  if (!payable?.ok) return { code: C2B_REJECT.invalidAccount, why: payable?.reason ?? 'no bill reference' }
  const { invoice } = payable
  // M-Pesa takes shillings only; more than is owed would have to be refunded by hand.
  if (invoice.currency !== 'KES') return { code: C2B_REJECT.invalidAccount, why: 'invoice not in KES' }
  if (payment.amountCents > invoice.totalCents - invoice.paidCents) return { code: C2B_REJECT.invalidAmount, why: 'more than is owed' }
  return { code: '0', why: 'accepted' }
}
