import { AppError, Invalid, type FieldError } from '../../platform/http/errors.js'
import type { ServiceDefinition } from '../services/definition.js'

/** The service is not for this kind of account (a visitor asking for a passport): a page says so. */
export class NotEligible extends AppError {
  constructor(
    readonly definition: ServiceDefinition,
    readonly accountKind: string,
  ) {
    super(403, `${accountKind} accounts may not apply for ${definition.slug}`)
  }
}

/** The application has been submitted: its questions can no longer change. Routes send the person to it. */
export class NotDraft extends AppError {
  constructor(readonly applicationId: string) {
    super(409, 'the application is no longer a draft')
  }
}

/** Answers missing or wrong at submission, with the page of each. */
export class Incomplete extends Invalid {
  constructor(
    fields: Record<string, FieldError>,
    readonly pageOf: Record<string, string>,
  ) {
    super(fields, 'application incomplete')
  }
}
