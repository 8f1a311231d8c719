/**
 * The simulator's C2B: URL registration, the sandbox's /mpesa/c2b/v1/simulate, and the payment itself
 * (validation, then confirmation if accepted), shared by that route and control.payBill.
 */
import { receiptNumber, requestId } from './simulator-ids.js'
import { badRequest, bodyOf, digits, isUrl, type PayBillResult, type SimulatorContext, type TransactionType } from './simulator-model.js'
import { darajaTimestamp } from './protocol.js'

export interface C2bPayment {
  shortcode: string
  phone: string
  billReference: string
  amount: number | string
  transactionType: TransactionType
}

export function c2bRoutes(context: SimulatorContext): void {
  const { app, registered } = context

  app.post('/mpesa/c2b/v1/registerurl', async (request, reply) => {
    if (!context.authorised(request, reply)) return reply
    const body = bodyOf(request)
    if (!body.ShortCode || !['Completed', 'Cancelled'].includes(String(body.ResponseType)) || !isUrl(body.ConfirmationURL) || !isUrl(body.ValidationURL)) {
      return badRequest(context, reply, 'Invalid ValidationURL')
    }
    registered.set(String(body.ShortCode), { confirmation: body.ConfirmationURL, validation: body.ValidationURL, responseType: String(body.ResponseType) })
    return { OriginatorCoversationID: requestId(), ResponseCode: '0', ResponseDescription: 'Success' }
  })

  // The sandbox's stand-in for a customer paying from the phone menu.
  app.post('/mpesa/c2b/v1/simulate', async (request, reply) => {
    if (!context.authorised(request, reply)) return reply
    const body = bodyOf(request)
    const shortcode = digits(body.ShortCode, /^\d{5,9}$/)
    const type = body.CommandID
    const phone = digits(body.Msisdn, /^254[17]\d{8}$/)
    const amount = digits(body.Amount, /^[1-9]\d{0,6}$/)
    const reference = body.BillRefNumber
    const problem =
      !shortcode ? 'Invalid ShortCode' :
      type !== 'CustomerPayBillOnline' && type !== 'CustomerBuyGoodsOnline' ? 'Invalid CommandID' :
      !amount ? 'Invalid Amount' :
      !phone ? 'Invalid Msisdn' :
      // A paybill needs the account number; a till has none.
      type === 'CustomerPayBillOnline' && (typeof reference !== 'string' || reference.trim().length < 1 || reference.length > 20) ? 'Invalid BillRefNumber' :
      reference !== undefined && reference !== null && typeof reference !== 'string' ? 'Invalid BillRefNumber' :
      !registered.has(shortcode) ? 'Invalid ShortCode: no C2B URLs registered' :
      undefined
    if (problem) return badRequest(context, reply, problem)
    const payment: C2bPayment = { shortcode: shortcode!, phone: phone!, billReference: typeof reference === 'string' ? reference : '', amount: Number(amount), transactionType: type as TransactionType }
    context.later(() => payToShortcode(context, payment))
    return { OriginatorCoversationID: requestId(), ResponseCode: '0', ResponseDescription: 'Accepted' }
  })
}

/** A customer pays: validation first; confirmation only if accepted (or validation unreachable and the registration says Completed). */
export async function payToShortcode(context: SimulatorContext, payment: C2bPayment): Promise<PayBillResult> {
  const urls = context.registered.get(payment.shortcode)
  if (!urls) throw new Error('no C2B URLs registered: call c2bRegisterUrls first')
  const now = new Date()
  const transId = receiptNumber()
  const phone = payment.phone.replace(/^\+/, '')
  const body = {
    TransactionType: payment.transactionType === 'CustomerBuyGoodsOnline' ? 'Buy Goods' : 'Pay Bill',
    TransID: transId,
    TransTime: darajaTimestamp(now),
    TransAmount: Number(payment.amount).toFixed(2),
    BusinessShortCode: payment.shortcode,
    BillRefNumber: payment.billReference,
    InvoiceNumber: '',
    OrgAccountBalance: '',
    ThirdPartyTransID: '',
    MSISDN: phone,
    FirstName: 'John',
    MiddleName: '',
    LastName: '',
  }
  let validation: unknown
  let accepted: boolean
  try {
    validation = await context.deliver(urls.validation, body)
    const resultCode = (validation as Record<string, unknown> | null)?.ResultCode
    accepted = resultCode === '0' || resultCode === 0
  } catch (error) {
    // Validation unreachable: Daraja does what the registration's ResponseType says.
    validation = { error: (error as Error).message }
    accepted = urls.responseType === 'Completed'
  }
  if (!accepted) return { transId, accepted, validation }
  // The money has moved: M-Pesa knows the receipt even if the confirmation never reaches the portal.
  context.transactions.set(transId, {
    receipt: transId,
    kind: 'c2b',
    transactionType: payment.transactionType,
    shortcode: payment.shortcode,
    amount: Number(payment.amount),
    phone,
    billReference: payment.billReference,
    at: now,
  })
  return { transId, accepted, validation, confirmation: await context.deliver(urls.confirmation, body) }
}
