import { AppError } from '../../platform/http/errors.js'

/**
 * Failures of a registry reached over HTTP. They are AppErrors so that one escaping a route becomes the
 * "service unavailable" page (503, with Retry-After) rather than a bare 500. Messages never carry the
 * identifier asked about: they end up in logs, and an ID number is personal data.
 */
export class RegistryError extends AppError {}

/** The registry could not be reached or said it is in trouble (5xx, 429): worth trying again later. */
export class RegistryUnavailable extends RegistryError {
  constructor(
    message: string,
    readonly upstreamStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(503, message)
    if (options?.cause !== undefined) this.cause = options.cause
  }
}

/** The registry did not answer within the time allowed. A kind of unavailable: the same advice holds. */
export class RegistryTimeout extends RegistryUnavailable {}

/**
 * The registry answered something the contract does not allow: a refused token (401, 403), another
 * unexpected status, or a body of the wrong shape. Retrying will not help; someone must look.
 */
export class RegistryProtocolError extends RegistryError {
  constructor(
    message: string,
    readonly upstreamStatus?: number,
  ) {
    super(502, message)
  }
}
