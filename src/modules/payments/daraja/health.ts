/**
 * How the M-Pesa gateway has been answering, for the status page and /metrics: counts of errors and
 * timeouts, and "degraded" after a run of consecutive failures (one success ends the run). Every answer
 * that is not a success is a failure, the caller's own bad requests and refused tokens included.
 */
export type GatewayState = 'ok' | 'degraded'

export interface PaymentsHealthSnapshot {
  state: GatewayState
  consecutiveFailures: number
  errors: number
  timeouts: number
  requests: number
  lastFailureAt: Date | null
  lastFailure: string | null
  lastSuccessAt: Date | null
}

export class PaymentsHealth {
  #consecutive = 0
  #errors = 0
  #timeouts = 0
  #requests = 0
  #lastFailureAt: Date | null = null
  #lastFailure: string | null = null
  #lastSuccessAt: Date | null = null

  constructor(
    /** Failures in a row that make the gateway "degraded". */
    readonly degradedAfter = 3,
    private readonly now: () => Date = () => new Date(),
  ) {}

  success(): void {
    this.#requests++
    this.#consecutive = 0
    this.#lastSuccessAt = this.now()
  }

  /**
   * An answer that proves nothing about payments going through (a token issued): counted as a request,
   * but a run of failures goes on, or a gateway that issues tokens and then refuses them looks healthy.
   */
  inconclusive(): void {
    this.#requests++
  }

  failure(kind: 'error' | 'timeout', reason: string): void {
    this.#requests++
    this.#consecutive++
    if (kind === 'timeout') this.#timeouts++
    else this.#errors++
    this.#lastFailureAt = this.now()
    this.#lastFailure = reason.slice(0, 200)
  }

  snapshot(): PaymentsHealthSnapshot {
    return {
      state: this.#consecutive >= this.degradedAfter ? 'degraded' : 'ok',
      consecutiveFailures: this.#consecutive,
      errors: this.#errors,
      timeouts: this.#timeouts,
      requests: this.#requests,
      lastFailureAt: this.#lastFailureAt,
      lastFailure: this.#lastFailure,
      lastSuccessAt: this.#lastSuccessAt,
    }
  }
}
