/**
 * How a Daraja call can fail, and how to tell Daraja's error answers apart: a refused access token
 * (renew and retry), "still processing" and "unknown prompt" (definite answers to a query).
 */

export type DarajaFailure = 'http' | 'timeout' | 'network' | 'rejected' | 'invalid-answer'

export class DarajaError extends Error {
  constructor(
    readonly kind: DarajaFailure,
    message: string,
    /** HTTP status, when there was an answer. */
    readonly status?: number,
    /** Daraja's errorCode ("500.001.1001") or ResponseCode. */
    readonly code?: string,
    /** Daraja's errorMessage, verbatim, when the answer had one. */
    readonly errorMessage?: string,
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

/** Daraja's answer while a prompt is still open: not final, ask again later. */
export const STILL_PROCESSING = '500.001.1001'
/** Daraja's errorCode for an expired or unknown access token (answered with HTTP 404, not 401). */
export const INVALID_ACCESS_TOKEN = '404.001.03'

/**
 * Daraja refused the bearer token: HTTP 401, errorCode 404.001.03, or a 4xx whose message names the
 * token ("Invalid Access Token", "Invalid Bearer token"). Only these are worth a new token.
 */
export function isTokenRejection(error: unknown): boolean {
  if (!(error instanceof DarajaError) || error.kind !== 'http' || error.status === undefined) return false
  if (error.status === 401 || error.code === INVALID_ACCESS_TOKEN) return true
  return error.status >= 400 && error.status < 500 && /\b(access|bearer)[ _-]?token\b/i.test(error.errorMessage ?? '')
}

/** The query's answer for a CheckoutRequestID M-Pesa does not know: final, the prompt never existed there. */
export function isUnknownCheckout(error: unknown): boolean {
  return error instanceof DarajaError && error.status === 400 && /invalid\s*checkoutrequestid/i.test(error.errorMessage ?? '')
}

export function isStillProcessing(error: unknown): boolean {
  return error instanceof DarajaError && error.code === STILL_PROCESSING
}
