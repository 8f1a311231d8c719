/**
 * A small Daraja client: OAuth (cached until shortly before it expires), M-Pesa Express (STK push) and
 * its query, and C2B URL registration. Every failure is a typed DarajaError; PaymentsHealth counts them.
 */
import { PaymentsHealth } from './health.js'
import { darajaTimestamp, stkPassword } from './protocol.js'

export interface DarajaOptions {
  baseUrl: string
  consumerKey: string
  consumerSecret: string
  shortcode: string
  passkey: string
  /** The portal's public address; the callback paths are added to it. */
  callbackUrl: string
  timeoutMs?: number
}

export const MPESA_PATHS = {
  callback: '/payments/mpesa/callback',
  validation: '/payments/mpesa/c2b/validation',
  confirmation: '/payments/mpesa/c2b/confirmation',
} as const

export type DarajaFailure = 'http' | 'timeout' | 'network' | 'rejected' | 'invalid-answer'

export class DarajaError extends Error {
  constructor(
    readonly kind: DarajaFailure,
    message: string,
    /** HTTP status, when there was an answer. */
    readonly status?: number,
    /** Daraja's errorCode ("500.001.1001") or ResponseCode. */
    readonly code?: string,
  ) {
    super(message)
    this.name = 'DarajaError'
  }
}

export class DarajaTimeout extends DarajaError {
  constructor(path: string, ms: number) {
    super('timeout', `Daraja did not answer ${path} within ${ms} ms`)
    this.name = 'DarajaTimeout'
  }
}

export interface StkPushRequest {
  /** 12 digits, 2547… or 2541… */
  phone: string
  /** Whole KES. */
  amount: number
  /** ≤ 12 characters: the bill reference. */
  accountReference: string
  /** 1–13 characters. */
  description: string
}

export interface StkPushAnswer {
  merchantRequestId: string
  checkoutRequestId: string
  customerMessage: string
}

export type StkQueryAnswer = { state: 'pending' } | { state: 'final'; resultCode: number; resultDesc: string; raw: unknown }

/** Daraja's answer while a prompt is still open: not final, ask again later. */
export const STILL_PROCESSING = '500.001.1001'
/** Renew the token this long before Daraja says it expires. */
const TOKEN_MARGIN_MS = 60_000

type Json = Record<string, unknown>

export class DarajaClient {
  readonly health: PaymentsHealth
  #token: { value: string; expiresAt: number } | undefined
  #tokenRequest: Promise<string> | undefined

  constructor(
    readonly options: DarajaOptions,
    private readonly clock: { now: () => Date } = { now: () => new Date() },
    health?: PaymentsHealth,
  ) {
    this.health = health ?? new PaymentsHealth()
  }

  get shortcode(): string {
    return this.options.shortcode
  }

  async stkPush(request: StkPushRequest): Promise<StkPushAnswer> {
    if (!/^254[17]\d{8}$/.test(request.phone)) throw new RangeError('phone must be 12 digits, 2547… or 2541…')
    if (!Number.isInteger(request.amount) || request.amount < 1) throw new RangeError('amount must be a whole number of KES')
    const timestamp = darajaTimestamp(this.clock.now())
    const answer = await this.#call('/mpesa/stkpush/v1/processrequest', {
      BusinessShortCode: this.options.shortcode,
      Password: stkPassword(this.options.shortcode, this.options.passkey, timestamp),
      Timestamp: timestamp,
      TransactionType: 'CustomerPayBillOnline',
      Amount: request.amount,
      PartyA: request.phone,
      PartyB: this.options.shortcode,
      PhoneNumber: request.phone,
      CallBackURL: this.#url(MPESA_PATHS.callback),
      AccountReference: request.accountReference.slice(0, 12),
      TransactionDesc: request.description.slice(0, 13) || 'Payment',
    })
    const merchantRequestId = answer.MerchantRequestID
    const checkoutRequestId = answer.CheckoutRequestID
    if (String(answer.ResponseCode) !== '0') {
      throw new DarajaError('rejected', `Daraja refused the prompt: ${String(answer.ResponseDescription ?? '')}`.slice(0, 200), 200, String(answer.ResponseCode))
    }
    if (typeof merchantRequestId !== 'string' || typeof checkoutRequestId !== 'string') {
      throw new DarajaError('invalid-answer', 'Daraja accepted the prompt without its request ids')
    }
    return { merchantRequestId, checkoutRequestId, customerMessage: String(answer.CustomerMessage ?? '') }
  }

  async stkQuery(checkoutRequestId: string): Promise<StkQueryAnswer> {
    const timestamp = darajaTimestamp(this.clock.now())
    try {
      const answer = await this.#call('/mpesa/stkpushquery/v1/query', {
        BusinessShortCode: this.options.shortcode,
        Password: stkPassword(this.options.shortcode, this.options.passkey, timestamp),
        Timestamp: timestamp,
        CheckoutRequestID: checkoutRequestId,
      })
      const resultCode = Number(answer.ResultCode)
      if (answer.ResultCode === undefined || !Number.isInteger(resultCode)) throw new DarajaError('invalid-answer', 'Daraja answered the query without a ResultCode')
      return { state: 'final', resultCode, resultDesc: String(answer.ResultDesc ?? ''), raw: answer }
    } catch (error) {
      if (error instanceof DarajaError && error.code === STILL_PROCESSING) return { state: 'pending' }
      throw error
    }
  }

  /** Tells Daraja where to send C2B validation and confirmation (once per shortcode and address). */
  async c2bRegisterUrls(responseType: 'Completed' | 'Cancelled' = 'Completed'): Promise<void> {
    const answer = await this.#call('/mpesa/c2b/v1/registerurl', {
      ShortCode: this.options.shortcode,
      ResponseType: responseType,
      ConfirmationURL: this.#url(MPESA_PATHS.confirmation),
      ValidationURL: this.#url(MPESA_PATHS.validation),
    })
    if (answer.ResponseCode !== undefined && String(answer.ResponseCode) !== '0') {
      throw new DarajaError('rejected', `Daraja refused the C2B URLs: ${String(answer.ResponseDescription ?? '')}`.slice(0, 200), 200, String(answer.ResponseCode))
    }
  }

  #url(path: string): string {
    return `${this.options.callbackUrl.replace(/\/+$/, '')}${path}`
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.clock.now().getTime() < this.#token.expiresAt - TOKEN_MARGIN_MS) return this.#token.value
    // Concurrent requests share one token request.
    this.#tokenRequest ??= this.#fetchToken().finally(() => (this.#tokenRequest = undefined))
    return this.#tokenRequest
  }

  async #fetchToken(): Promise<string> {
    const basic = Buffer.from(`${this.options.consumerKey}:${this.options.consumerSecret}`).toString('base64')
    const answer = await this.#send('GET', '/oauth/v1/generate?grant_type=client_credentials', `Basic ${basic}`)
    const token = answer.access_token
    const seconds = Number(answer.expires_in)
    if (typeof token !== 'string' || !token || !Number.isFinite(seconds) || seconds <= 0) {
      throw this.#failed(new DarajaError('invalid-answer', 'Daraja answered OAuth without access_token and expires_in'))
    }
    this.#token = { value: token, expiresAt: this.clock.now().getTime() + seconds * 1000 }
    return token
  }

  async #call(path: string, body: Json): Promise<Json> {
    try {
      return await this.#send('POST', path, `Bearer ${await this.#accessToken()}`, body)
    } catch (error) {
      // A token Daraja revoked early: fetch a new one and try once more.
      if (!(error instanceof DarajaError) || error.status !== 401) throw error
      this.#token = undefined
      return this.#send('POST', path, `Bearer ${await this.#accessToken()}`, body)
    }
  }

  async #send(method: 'GET' | 'POST', path: string, authorization: string, body?: Json): Promise<Json> {
    const timeoutMs = this.options.timeoutMs ?? 15_000
    let response: Response
    try {
      response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { Authorization: authorization, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      const name = (error as Error).name
      if (name === 'TimeoutError' || name === 'AbortError') throw this.#failed(new DarajaTimeout(path.split('?')[0] ?? path, timeoutMs))
      throw this.#failed(new DarajaError('network', `Daraja could not be reached: ${(error as Error).message}`.slice(0, 200)))
    }
    const text = await response.text().catch(() => '')
    let answer: Json | undefined
    try {
      const parsed: unknown = JSON.parse(text)
      if (typeof parsed === 'object' && parsed !== null) answer = parsed as Json
    } catch {
      answer = undefined
    }
    if (!response.ok) {
      const code = typeof answer?.errorCode === 'string' ? answer.errorCode : undefined
      const error = new DarajaError('http', `Daraja answered HTTP ${response.status} ${code ?? ''} ${String(answer?.errorMessage ?? '')}`.trim().slice(0, 200), response.status, code)
      // "Still processing" and our own bad requests say nothing about the gateway's health.
      if (code === STILL_PROCESSING || (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403)) {
        this.health.success()
        throw error
      }
      throw this.#failed(error)
    }
    if (!answer) throw this.#failed(new DarajaError('invalid-answer', `Daraja answered ${path.split('?')[0]} with something other than JSON`, response.status))
    this.health.success()
    return answer
  }

  #failed(error: DarajaError): DarajaError {
    this.health.failure(error.kind === 'timeout' ? 'timeout' : 'error', error.message)
    return error
  }
}
