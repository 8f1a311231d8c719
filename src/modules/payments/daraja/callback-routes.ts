/**
 * What Daraja posts to the portal: STK push results and C2B paybill validation and confirmation.
 * Public and without CSRF (Daraja holds no cookie); optionally limited to Safaricom's addresses.
 * Callbacks are unsigned claims: the payments core deduplicates them by receipt in the same
 * transaction as their effect, and a prompt we never sent is never credited.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { allow } from '../../../platform/access/access.js'
import { AppError, Forbidden } from '../../../platform/http/errors.js'
import { MPESA_PATHS } from './client.js'
import type { MpesaPayments } from './port.js'
import { MalformedCallback, readC2bPayment, readStkCallback } from './protocol.js'

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

class Refused extends AppError {}

export function mpesaCallbackRoutes(app: FastifyInstance, deps: { payments: MpesaPayments; shortcode: string; allowedIps: string[] }): void {
  const { payments } = deps
  const options = allow('public', { csrf: false })
  const route = { ...options, bodyLimit: CALLBACK_BODY_LIMIT }

  const checkCaller = (request: FastifyRequest) => {
    if (deps.allowedIps.length > 0 && !deps.allowedIps.includes(request.ip)) {
      request.log.warn({ ip: request.ip, path: request.url }, 'M-Pesa callback from an address not on MPESA_ALLOWED_IPS')
      throw new Forbidden('caller not allowed')
    }
  }

  /** A body that is not what Daraja sends: 400, the reason logged, nothing credited. */
  function read<T>(request: FastifyRequest, reader: (body: unknown) => T): T {
    try {
      return reader(request.body)
    } catch (error) {
      if (!(error instanceof MalformedCallback)) throw error
      request.log.warn({ path: request.url, reason: error.message }, 'M-Pesa callback refused')
      throw new Refused(400, error.message)
    }
  }

  app.post(MPESA_PATHS.callback, route, async (request) => {
    checkCaller(request)
    const result = read(request, readStkCallback)
    const settled = await payments.settlePrompt(result.checkoutRequestId, {
      resultCode: result.resultCode,
      resultDesc: result.resultDesc,
      receipt: result.paid?.receipt,
      amountCents: result.paid?.amountCents,
      phone: result.paid?.phone,
      paidAt: result.paid?.paidAt,
      raw: request.body,
    })
    const log = { checkoutRequestId: result.checkoutRequestId, resultCode: result.resultCode, outcome: settled.outcome }
    if (settled.outcome === 'unknown-prompt' || settled.outcome === 'unknown-reference') request.log.warn(log, 'M-Pesa result for a prompt we did not send')
    else request.log.info(log, 'M-Pesa result')
    // Daraja only needs to know it was received; what became of it is ours to handle.
    return ACK
  })

  // New paybill payments are refused during maintenance; confirmations of those already accepted are not.
  const maintenance = { stopsInMaintenance: { answer: { ResultCode: C2B_REJECT.other, ResultDesc: 'Rejected' } } }
  app.post(MPESA_PATHS.validation, { ...route, config: { ...route.config, ...maintenance } }, async (request) => {
    checkCaller(request)
    const payment = read(request, readC2bPayment)
    const reject = (code: string, why: string) => {
      request.log.info({ transId: payment.transId, billReference: payment.billReference, code, why }, 'M-Pesa paybill payment rejected')
      return { ResultCode: code, ResultDesc: 'Rejected' }
    }
    if (payment.shortcode !== deps.shortcode) return reject(C2B_REJECT.invalidShortcode, 'another shortcode')
    if (payment.amountCents <= 0) return reject(C2B_REJECT.invalidAmount, 'nothing paid')
    const payable = payment.billReference ? await payments.isPayable(payment.billReference, payment.amountCents) : undefined
    if (!payable?.ok) return reject(C2B_REJECT.invalidAccount, payable?.reason ?? 'no bill reference')
    const { invoice } = payable
    // M-Pesa takes shillings only; more than is owed would have to be refunded by hand.
    if (invoice.currency !== 'KES') return reject(C2B_REJECT.invalidAccount, 'invoice not in KES')
    if (payment.amountCents > invoice.totalCents - invoice.paidCents) return reject(C2B_REJECT.invalidAmount, 'more than is owed')
    return { ResultCode: '0', ResultDesc: 'Accepted' }
  })

  app.post(MPESA_PATHS.confirmation, route, async (request) => {
    checkCaller(request)
    const payment = read(request, readC2bPayment)
    const credited = await payments.creditPayment({
      source: 'c2b',
      receipt: payment.transId,
      amountCents: payment.amountCents,
      currency: 'KES',
      phone: payment.phone,
      paidAt: payment.transTime,
      billReference: payment.billReference,
      raw: request.body,
    })
    const log = { transId: payment.transId, billReference: payment.billReference, outcome: credited.outcome }
    if (credited.outcome === 'unknown-reference') request.log.warn(log, 'M-Pesa paybill payment for an unknown bill reference: held for review')
    else request.log.info(log, 'M-Pesa paybill payment')
    return ACK
  })
}
