/**
 * A Daraja stand-in written from Safaricom's public documentation alone, separate from the portal's own
 * simulator: OAuth, the STK push and its query, and C2B registration, over real HTTP. It never posts
 * callbacks itself: it hands the test the exact bodies Daraja would post, so the test decides which are
 * delivered, duplicated, delayed or lost, and what a forger sends instead. What it confirmed is the truth
 * the ledger is checked against.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Truth {
  receipt: string
  amount: number
  phone: string
  kind: 'stk' | 'c2b'
  checkoutRequestId?: string
  billReference?: string
}

interface Push {
  checkoutRequestId: string
  merchantRequestId: string
  amount: number
  phone: string
  reference: string
  result?: { code: number; desc: string; receipt?: string }
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('')
const receiptNo = () => `T${randomBytes(8).toString('hex').toUpperCase().slice(0, 9)}`
const nairobi = () => {
  const d = new Date(Date.now() + 3 * 3_600_000)
  return Number(d.toISOString().replace(/[-:T]/g, '').slice(0, 14))
}

export class TestDaraja {
  readonly pushes = new Map<string, Push>()
  readonly truth: Truth[] = []
  #tokens = new Set<string>()
  #server = createServer((request, response) => void this.#handle(request, response))
  url = ''

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
    return this
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }

  /** The person answers the prompt on the phone: the callback body Daraja would post. */
  answer(checkoutRequestId: string, approve: boolean): unknown {
    const push = this.pushes.get(checkoutRequestId)!
    push.result = approve ? { code: 0, desc: 'The service request is processed successfully.', receipt: receiptNo() } : { code: 1032, desc: 'Request cancelled by user' }
    if (push.result.receipt) this.truth.push({ receipt: push.result.receipt, amount: push.amount, phone: push.phone, kind: 'stk', checkoutRequestId })
    const stkCallback: Record<string, unknown> = { MerchantRequestID: push.merchantRequestId, CheckoutRequestID: checkoutRequestId, ResultCode: push.result.code, ResultDesc: push.result.desc }
    if (push.result.receipt) {
      stkCallback.CallbackMetadata = {
        Item: [
          { Name: 'Amount', Value: push.amount },
          { Name: 'MpesaReceiptNumber', Value: push.result.receipt },
          { Name: 'Balance' },
          { Name: 'TransactionDate', Value: nairobi() },
          { Name: 'PhoneNumber', Value: Number(push.phone) },
        ],
      }
    }
    return { Body: { stkCallback } }
  }

  /** A paybill payment from a phone's menu: the confirmation body Daraja would post. */
  payBill(shortcode: string, billReference: string, amount: number, phone: string): unknown {
    const receipt = receiptNo()
    this.truth.push({ receipt, amount, phone, kind: 'c2b', billReference })
    return {
      TransactionType: 'Pay Bill', TransID: receipt, TransTime: String(nairobi()), TransAmount: amount.toFixed(2), BusinessShortCode: shortcode,
      BillRefNumber: billReference, InvoiceNumber: '', OrgAccountBalance: '', ThirdPartyTransID: '', MSISDN: phone, FirstName: 'JOHN', MiddleName: '', LastName: '',
    }
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    const fault = (status: number, errorCode: string, errorMessage: string): void => send(status, { requestId: `${digits(5)}-${digits(8)}-1`, errorCode, errorMessage })
    const url = new URL(request.url ?? '/', this.url)
    if (url.pathname === '/oauth/v1/generate' && request.method === 'GET') {
      const token = randomBytes(20).toString('base64url')
      this.#tokens.add(token)
      return send(200, { access_token: token, expires_in: '3599' })
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    if (!token || !this.#tokens.has(token)) return fault(404, '404.001.03', 'Invalid Access Token')
    let body: Record<string, unknown>
    try {
      body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>
    } catch {
      return fault(400, '400.002.05', 'Invalid Request Payload')
    }
    if (url.pathname === '/mpesa/stkpush/v1/processrequest') {
      const push: Push = {
        checkoutRequestId: `ws_CO_${digits(14)}${digits(12)}`,
        merchantRequestId: `${digits(5)}-${digits(9)}-1`,
        amount: Number(body.Amount),
        phone: String(body.PhoneNumber),
        reference: String(body.AccountReference),
      }
      this.pushes.set(push.checkoutRequestId, push)
      return send(200, { MerchantRequestID: push.merchantRequestId, CheckoutRequestID: push.checkoutRequestId, ResponseCode: '0', ResponseDescription: 'Success. Request accepted for processing', CustomerMessage: 'Success. Request accepted for processing' })
    }
    if (url.pathname === '/mpesa/stkpushquery/v1/query') {
      const push = this.pushes.get(String(body.CheckoutRequestID))
      if (!push) return fault(400, '400.002.02', 'Bad Request - Invalid CheckoutRequestID')
      if (!push.result) return fault(500, '500.001.1001', 'The transaction is being processed')
      return send(200, { ResponseCode: '0', ResponseDescription: 'The service request has been accepted successsfully', MerchantRequestID: push.merchantRequestId, CheckoutRequestID: push.checkoutRequestId, ResultCode: String(push.result.code), ResultDesc: push.result.desc })
    }
    if (url.pathname === '/mpesa/c2b/v1/registerurl') return send(200, { OriginatorCoversationID: digits(8), ResponseCode: '0', ResponseDescription: 'Success' })
    return fault(404, '404.001.01', 'Resource not found')
  }
}
