/**
 * A small Daraja client: OAuth (cached until shortly before it expires, renewed when Daraja refuses
 * it), M-Pesa Express (STK push) and its query, C2B URL registration and the Transaction Status query.
 * Every failure is a typed DarajaError; PaymentsHealth counts every answer that was not a success.
 */
import { DarajaError, DarajaTimeout, isStillProcessing, isTokenRejection, isUnknownCheckout } from './errors.js'
import { PaymentsHealth } from './health.js'
import { darajaTimestamp, stkPassword } from './protocol.js'
import { readTransactionStatusAccepted, transactionStatusBody, type TransactionStatusAccepted, type TransactionStatusRequest } from './transaction-status.js'

export { DarajaError, DarajaTimeout, STILL_PROCESSING, type DarajaFailure } from './errors.js'
export type { TransactionStatusAccepted, TransactionStatusRequest } from './transaction-status.js'

export interface DarajaOptions {
  baseUrl: string
  consumerKey: string
  consumerSecret: string
  shortcode: string
  passkey: string
  /** The portal's public address; the callback paths are added to it. */
  callbackUrl: string
  /** The secret path segment every callback address carries (see mpesaPaths). */
  callbackSecret: string
  /** The API operator and its encrypted credential: only the Transaction Status query needs them. */
  initiatorName?: string
  securityCredential?: string
  timeoutMs?: number
}

/**
 * Where Daraja posts to. Every address carries a secret segment: it is handed only to Daraja (in each
 * prompt and in the C2B registration), so a caller who knows the public paths alone is refused.
 */
export function mpesaPaths(secret: string) {
  const base = `/payments/mpesa/${secret}`
  return {
    callback: `${base}/callback`,
    validation: `${base}/c2b/validation`,
    confirmation: `${base}/c2b/confirmation`,
    statusResult: `${base}/transaction-status/result`,
    statusTimeout: `${base}/transaction-status/timeout`,
  } as const
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

/**
 * pending: ask again later. unknown: M-Pesa has no such prompt (final: it was never paid).
 * final: the prompt's ResultCode (0 paid, anything else not).
 */
export type StkQueryAnswer =
  | { state: 'pending' }
  | { state: 'unknown' }
  | { state: 'final'; resultCode: number; resultDesc: string; raw: unknown }

const OAUTH_PATH = '/oauth/v1/generate?grant_type=client_credentials'
/** Renew the token this long before Daraja says it expires. */
const TOKEN_MARGIN_MS = 60_000

type Json = Record<string, unknown>
type Read<T> = (answer: Json) => T
/** Error answers that are nonetheless definite answers, so they speak for the gateway's health. */
type Definite = (error: DarajaError) => boolean

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
    const body = {
      BusinessShortCode: this.options.shortcode,
      Password: stkPassword(this.options.shortcode, this.options.passkey, timestamp),
      Timestamp: timestamp,
      TransactionType: 'CustomerPayBillOnline',
      Amount: request.amount,
      PartyA: request.phone,
      PartyB: this.options.shortcode,
      PhoneNumber: request.phone,
      CallBackURL: this.#url(mpesaPaths(this.options.callbackSecret).callback),
      AccountReference: request.accountReference.slice(0, 12),
      TransactionDesc: request.description.slice(0, 13) || 'Payment',
    }
    return this.#call('/mpesa/stkpush/v1/processrequest', body, (answer) => {
      const merchantRequestId = answer.MerchantRequestID
      const checkoutRequestId = answer.CheckoutRequestID
      if (String(answer.ResponseCode) !== '0') throw refused('the prompt', answer)
      if (typeof merchantRequestId !== 'string' || typeof checkoutRequestId !== 'string') {
        throw new DarajaError('invalid-answer', 'Daraja accepted the prompt without its request ids')
      }
      return { merchantRequestId, checkoutRequestId, customerMessage: String(answer.CustomerMessage ?? '') }
    })
  }

  async stkQuery(checkoutRequestId: string): Promise<StkQueryAnswer> {
    const timestamp = darajaTimestamp(this.clock.now())
    const body = {
      BusinessShortCode: this.options.shortcode,
      Password: stkPassword(this.options.shortcode, this.options.passkey, timestamp),
      Timestamp: timestamp,
      CheckoutRequestID: checkoutRequestId,
    }
    const definite: Definite = (error) => isStillProcessing(error) || isUnknownCheckout(error)
    try {
      return await this.#call('/mpesa/stkpushquery/v1/query', body, readQueryAnswer, definite)
    } catch (error) {
      if (isStillProcessing(error)) return { state: 'pending' }
      if (isUnknownCheckout(error)) return { state: 'unknown' }
      throw error
    }
  }

  /** Tells Daraja where to send C2B validation and confirmation (once per shortcode and address). */
  async c2bRegisterUrls(responseType: 'Completed' | 'Cancelled' = 'Completed'): Promise<void> {
    const paths = mpesaPaths(this.options.callbackSecret)
    const body = { ShortCode: this.options.shortcode, ResponseType: responseType, ConfirmationURL: this.#url(paths.confirmation), ValidationURL: this.#url(paths.validation) }
    await this.#call('/mpesa/c2b/v1/registerurl', body, (answer) => {
      if (answer.ResponseCode !== undefined && String(answer.ResponseCode) !== '0') throw refused('the C2B URLs', answer)
    })
  }

  /**
   * Asks M-Pesa about a payment by its receipt. Only the acceptance comes back here; the verdict is
   * posted later to mpesaPaths(secret).statusResult (or statusTimeout if M-Pesa's queue gives up).
   */
  async transactionStatus(request: TransactionStatusRequest): Promise<TransactionStatusAccepted> {
    const { initiatorName, securityCredential } = this.options
    if (!initiatorName || !securityCredential) throw new RangeError('the Transaction Status query needs initiatorName and securityCredential')
    const paths = mpesaPaths(this.options.callbackSecret)
    const body = transactionStatusBody(request, {
      initiatorName,
      securityCredential,
      shortcode: this.options.shortcode,
      resultUrl: this.#url(paths.statusResult),
      timeoutUrl: this.#url(paths.statusTimeout),
    })
    return this.#call('/mpesa/transactionstatus/v1/query', body, readTransactionStatusAccepted)
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

  /**
   * A token Daraja refused. Every call of a burst took the same token, so only the first to get here
   * drops it; the others find it already gone (or replaced) and share the one renewal.
   */
  #renewedToken(refused: string): Promise<string> {
    if (this.#token?.value === refused) this.#token = undefined
    return this.#accessToken()
  }

  async #fetchToken(): Promise<string> {
    const basic = Buffer.from(`${this.options.consumerKey}:${this.options.consumerSecret}`).toString('base64')
    const token = await this.#attempt('GET', OAUTH_PATH, `Basic ${basic}`, undefined, (answer) => {
      const value = answer.access_token
      const seconds = Number(answer.expires_in)
      if (typeof value !== 'string' || !value || !Number.isFinite(seconds) || seconds <= 0) {
        throw new DarajaError('invalid-answer', 'Daraja answered OAuth without access_token and expires_in')
      }
      return { value, expiresAt: this.clock.now().getTime() + seconds * 1000 }
    })
    this.#token = token
    return token.value
  }

  async #call<T>(path: string, body: Json, read: Read<T>, definite?: Definite): Promise<T> {
    const token = await this.#accessToken()
    try {
      return await this.#attempt('POST', path, `Bearer ${token}`, body, read, definite)
    } catch (error) {
      if (!isTokenRejection(error)) throw error
      // Once: a second refusal with a fresh token is Daraja's problem, not a stale token.
      return this.#attempt('POST', path, `Bearer ${await this.#renewedToken(token)}`, body, read, definite)
    }
  }

  /** One request and its verdict for the gateway's health (a token issued is no proof payments work). */
  async #attempt<T>(method: 'GET' | 'POST', path: string, authorization: string, body: Json | undefined, read: Read<T>, definite?: Definite): Promise<T> {
    try {
      const result = read(await this.#send(method, path, authorization, body))
      if (path === OAUTH_PATH) this.health.inconclusive()
      else this.health.success()
      return result
    } catch (error) {
      if (error instanceof DarajaError && definite?.(error)) this.health.success()
      else this.health.failure(error instanceof DarajaTimeout ? 'timeout' : 'error', error instanceof Error ? error.message : String(error))
      throw error
    }
  }

  async #send(method: 'GET' | 'POST', path: string, authorization: string, body?: Json): Promise<Json> {
    const timeoutMs = this.options.timeoutMs ?? 15_000
    const bare = path.split('?')[0] ?? path
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
      if (name === 'TimeoutError' || name === 'AbortError') throw new DarajaTimeout(bare, timeoutMs)
      throw new DarajaError('network', `Daraja could not be reached: ${(error as Error).message}`.slice(0, 200))
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
      const message = typeof answer?.errorMessage === 'string' ? answer.errorMessage : undefined
      throw new DarajaError('http', `Daraja answered HTTP ${response.status} ${code ?? ''} ${message ?? ''}`.trim().slice(0, 200), response.status, code, message)
    }
    if (!answer) throw new DarajaError('invalid-answer', `Daraja answered ${bare} with something other than JSON`, response.status)
    return answer
  }
}

function readQueryAnswer(answer: Json): StkQueryAnswer {
  // Daraja sends it as a string ("1032"); a missing or odd one must not read as 0 (paid).
  const raw = answer.ResultCode
  const resultCode = Number(raw)
  if ((typeof raw !== 'string' && typeof raw !== 'number') || !/^\d+$/.test(String(raw))) {
    throw new DarajaError('invalid-answer', 'Daraja answered the query without a ResultCode')
  }
  return { state: 'final', resultCode, resultDesc: String(answer.ResultDesc ?? ''), raw: answer }
}

/** A 200 answer whose ResponseCode is not "0". */
function refused(what: string, answer: Json): DarajaError {
  const description = String(answer.ResponseDescription ?? '')
  return new DarajaError('rejected', `Daraja refused ${what}: ${description}`.slice(0, 200), 200, String(answer.ResponseCode), description)
}
