/**
 * The simulator's M-Pesa Express: the push (checked field by field as Daraja does), its query, and the
 * person answering the prompt, which posts the result to the prompt's CallBackURL.
 */
import { checkoutRequestId, receiptNumber, requestId } from './simulator-ids.js'
import { badRequest, bodyOf, digits, OUTCOMES, type PromptOutcome, type SimulatedPrompt, type SimulatorContext, type TransactionType } from './simulator-model.js'
import { darajaTimestamp, stkPassword } from './protocol.js'

const SHORTCODE = /^\d{5,9}$/

export function stkRoutes(context: SimulatorContext): void {
  const { app, options, prompts } = context

  const passwordOk = (body: Record<string, unknown>) =>
    typeof body.Timestamp === 'string' && /^\d{14}$/.test(body.Timestamp) &&
    (options.passkey === undefined || body.Password === stkPassword(String(body.BusinessShortCode), options.passkey, body.Timestamp))

  /** Paybill: PartyB is the shortcode itself. Buy Goods: the till, which differs from the store's shortcode. */
  const partyBOk = (type: TransactionType, body: Record<string, unknown>) =>
    type === 'CustomerBuyGoodsOnline' ? digits(body.PartyB, SHORTCODE) !== undefined : String(body.PartyB) === String(body.BusinessShortCode)

  app.post('/mpesa/stkpush/v1/processrequest', async (request, reply) => {
    if (!context.authorised(request, reply)) return reply
    const body = bodyOf(request)
    const phone = String(body.PhoneNumber ?? '')
    const type = body.TransactionType
    const problem =
      !digits(body.BusinessShortCode, SHORTCODE) ? 'Invalid BusinessShortCode' :
      !passwordOk(body) ? 'Invalid Password' :
      type !== 'CustomerPayBillOnline' && type !== 'CustomerBuyGoodsOnline' ? 'Invalid TransactionType' :
      !Number.isInteger(Number(body.Amount)) || Number(body.Amount) < 1 ? 'Invalid Amount' :
      !/^254[17]\d{8}$/.test(phone) || String(body.PartyA) !== phone ? 'Invalid PhoneNumber' :
      !partyBOk(type, body) ? 'Invalid PartyB' :
      typeof body.CallBackURL !== 'string' || !/^https?:\/\//.test(body.CallBackURL) ? 'Invalid CallBackURL' :
      typeof body.AccountReference !== 'string' || body.AccountReference.length < 1 || body.AccountReference.length > 12 ? 'Invalid AccountReference' :
      typeof body.TransactionDesc !== 'string' || body.TransactionDesc.length < 1 || body.TransactionDesc.length > 13 ? 'Invalid TransactionDesc' :
      undefined
    if (problem) return badRequest(context, reply, problem)
    const now = new Date()
    const prompt: SimulatedPrompt = {
      checkoutRequestId: checkoutRequestId(now),
      merchantRequestId: requestId(),
      shortcode: String(body.BusinessShortCode),
      partyB: String(body.PartyB),
      transactionType: type as TransactionType,
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
    if (!context.authorised(request, reply)) return reply
    const body = bodyOf(request)
    if (!passwordOk(body)) return badRequest(context, reply, 'Invalid Password')
    const prompt = prompts.get(String(body.CheckoutRequestID))
    if (!prompt) return badRequest(context, reply, 'Invalid CheckoutRequestID')
    if (!prompt.result) return context.fault(reply, 500, '500.001.1001', 'The transaction is being processed')
    return {
      ResponseCode: '0',
      ResponseDescription: 'The service request has been accepted successsfully',
      MerchantRequestID: prompt.merchantRequestId,
      CheckoutRequestID: prompt.checkoutRequestId,
      ResultCode: String(prompt.result.code),
      ResultDesc: prompt.result.desc,
    }
  })
}

/** The person answers the prompt; an approval issues a receipt, which M-Pesa then knows for good. */
export async function resolvePrompt(context: SimulatorContext, checkoutRequestId: string, outcome: PromptOutcome, lose: boolean): Promise<{ callback: unknown; answer: unknown }> {
  const prompt = context.prompts.get(checkoutRequestId)
  if (!prompt) throw new Error(`no prompt ${checkoutRequestId}`)
  if (prompt.result) throw new Error(`prompt ${checkoutRequestId} is already ${prompt.result.code}`)
  const { code, desc } = OUTCOMES[outcome]
  const now = new Date()
  const receipt = code === 0 ? receiptNumber() : undefined
  prompt.result = { code, desc, receipt }
  const stkCallback: Record<string, unknown> = {
    MerchantRequestID: prompt.merchantRequestId,
    CheckoutRequestID: prompt.checkoutRequestId,
    ResultCode: code,
    ResultDesc: desc,
  }
  if (receipt) {
    // Recorded before the callback is posted: the money moved whether or not the portal hears of it.
    context.transactions.set(receipt, {
      receipt,
      kind: 'stk',
      transactionType: prompt.transactionType,
      shortcode: prompt.partyB,
      amount: prompt.amount,
      phone: prompt.phone,
      billReference: prompt.accountReference,
      at: now,
      checkoutRequestId: prompt.checkoutRequestId,
    })
    stkCallback.CallbackMetadata = {
      Item: [
        { Name: 'Amount', Value: prompt.amount },
        { Name: 'MpesaReceiptNumber', Value: receipt },
        { Name: 'Balance' },
        { Name: 'TransactionDate', Value: Number(darajaTimestamp(now)) },
        { Name: 'PhoneNumber', Value: Number(prompt.phone) },
      ],
    }
  }
  const callback = { Body: { stkCallback } }
  return { callback, answer: lose ? undefined : await context.deliver(prompt.callbackUrl, callback) }
}
