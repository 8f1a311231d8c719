import { RegistryProtocolError, RegistryTimeout, RegistryUnavailable } from './errors.js'

export interface RegistryHttpOptions {
  /** Where the registry's API lives, e.g. https://registry.example/api/v1/ */
  baseUrl: string
  /** Sent as `Authorization: Bearer <token>`. */
  token: string
  /** How long one request may take, body included. A registration form must not hang on a slow register. */
  timeoutMs?: number
}

export const DEFAULT_TIMEOUT_MS = 5000

/** Reads JSON from a registry's HTTP API, turning every way it can fail into a typed error. */
export class RegistryHttpClient {
  private readonly base: URL
  private readonly token: string
  private readonly timeoutMs: number

  constructor(
    /** Named in error messages: "population registry", "business registry". */
    private readonly registryName: string,
    options: RegistryHttpOptions,
  ) {
    const base = new URL(options.baseUrl)
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new RangeError('registry URL must be http(s)')
    // A base without a trailing slash would lose its last segment when paths are resolved against it.
    if (!base.pathname.endsWith('/')) base.pathname += '/'
    if (!options.token) throw new RangeError('registry token must not be empty')
    this.base = base
    this.token = options.token
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  /** GETs `path` (relative, segments already encoded): the parsed JSON, or null on 404. */
  async get(path: string): Promise<unknown> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    let response: Response
    try {
      response = await fetch(new URL(path, this.base), {
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
        signal,
      })
    } catch (error) {
      throw this.unreachable(error)
    }
    if (response.status === 404) {
      await response.body?.cancel()
      return null
    }
    if (!response.ok) {
      await response.body?.cancel()
      const status = response.status
      if (status >= 500 || status === 429) throw new RegistryUnavailable(`${this.registryName} answered ${status}`, status)
      throw new RegistryProtocolError(`${this.registryName} answered ${status}`, status)
    }
    try {
      // The timeout's signal also covers the body: a server that sends headers and then stalls times out.
      return await response.json()
    } catch (error) {
      if (signal.aborted) throw this.unreachable(error)
      throw new RegistryProtocolError(`${this.registryName} answered with a body that is not JSON`, response.status)
    }
  }

  private unreachable(error: unknown): RegistryUnavailable {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return new RegistryTimeout(`${this.registryName} did not answer within ${this.timeoutMs} ms`, undefined, { cause: error })
    }
    return new RegistryUnavailable(`${this.registryName} could not be reached`, undefined, { cause: error })
  }
}

/** One path segment from an identifier: "CPR/2015/123" must stay one segment, not three. */
export function segment(value: string): string {
  return encodeURIComponent(value)
}
