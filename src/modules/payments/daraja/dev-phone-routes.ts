/**
 * /dev/phone: a pretend phone for the M-Pesa simulator, so paying can be tried without Safaricom.
 * It lists the prompts waiting on "the phone" (approve with any PIN, cancel, let time out, too little
 * money, wrong PIN) and makes paybill payments. Never registered in production.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Environment } from '../../../config.js'
import { allow } from '../../../platform/access/access.js'
import { Invalid, NotFound, type FieldError } from '../../../platform/http/errors.js'
import { toE164 } from '../../../platform/sms/phone-number.js'
import { errorSummary } from '../../../platform/views/form-errors.js'
import { darajaPhone } from './protocol.js'
import { OUTCOMES, type PromptOutcome, type SimulatorControl } from './simulator.js'

const DONE = new Set(['approved', 'cancelled', 'timeout', 'insufficient', 'wrong-pin', 'paid', 'rejected'])

export interface DevPhoneDeps {
  control: SimulatorControl | undefined
  environment: Environment
  /** Registers the portal's C2B URLs with the simulator: start-up does it, but not before the app is ready. */
  registerPaybillUrls?: () => Promise<void>
}

export function devPhoneRoutes(app: FastifyInstance, deps: DevPhoneDeps): void {
  const { control } = deps
  if (deps.environment === 'production' || !control) return

  const render = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    reply.header('X-Robots-Tag', 'noindex')
    const done = (request.query as Record<string, unknown>).done
    return reply.page('payments/views/dev-phone.njk', {
      pageTitle: request.t('mpesa.devPhone.title'),
      done: typeof done === 'string' && DONE.has(done) ? done : undefined,
      prompts: control.pending().map((p) => ({ ...p, at: p.createdAt.toISOString() })),
      paybill: { phone: '', billReference: '', amount: '' },
      ...extra,
    })
  }

  app.get('/dev/phone', allow('public'), async (request, reply) => render(request, reply))

  app.post<{ Params: { id: string } }>('/dev/phone/prompts/:id', allow('public'), async (request, reply) => {
    const action = String((request.body as Record<string, unknown> | undefined)?.action ?? '')
    if (!(action in OUTCOMES)) throw new Invalid({ action: { key: 'mpesa.devPhone.unknownAction' } })
    if (!control.pending().some((p) => p.checkoutRequestId === request.params.id)) throw new NotFound('no such prompt')
    const { answer } = await control.resolve(request.params.id, action as PromptOutcome).catch((error: Error) => {
      // The prompt is settled in the simulator either way; the portal not answering is the portal's problem.
      request.log.warn({ err: error }, 'simulator could not deliver the M-Pesa result')
      return { answer: undefined }
    })
    request.log.info({ checkoutRequestId: request.params.id, action, answer }, 'simulated phone answered a prompt')
    return reply.redirect(`/dev/phone?done=${action}`, 303)
  })

  app.post('/dev/phone/paybill', allow('public'), async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const paybill = {
      phone: String(body.phone ?? '').trim().slice(0, 40),
      billReference: String(body.billReference ?? '').trim().slice(0, 40),
      amount: String(body.amount ?? '').trim().slice(0, 20),
    }
    const errors: Record<string, FieldError> = {}
    const e164 = toE164(paybill.phone)
    if (!e164 || !darajaPhone(e164)) errors.phone = { key: 'mpesa.errors.phoneInvalid' }
    if (!paybill.billReference) errors.billReference = { key: 'mpesa.devPhone.billReferenceRequired' }
    if (!/^\d{1,7}$/.test(paybill.amount) || Number(paybill.amount) < 1) errors.amount = { key: 'mpesa.devPhone.amountInvalid' }
    if (Object.keys(errors).length > 0) {
      reply.code(400)
      return render(request, reply, { paybill, errors: errorSummary(new Invalid(errors), request.t) })
    }
    const payment = { phone: darajaPhone(e164!)!, billReference: paybill.billReference, amount: Number(paybill.amount) }
    const result = await control.payBill(payment).catch(async (error: Error) => {
      // Paid before start-up's registration landed (or it failed): register now and pay once more.
      if (!deps.registerPaybillUrls || !/no C2B URLs registered/.test(error.message)) throw error
      await deps.registerPaybillUrls()
      return control.payBill(payment)
    })
    request.log.info({ transId: result.transId, accepted: result.accepted }, 'simulated paybill payment')
    return reply.redirect(`/dev/phone?done=${result.accepted ? 'paid' : 'rejected'}`, 303)
  })
}
