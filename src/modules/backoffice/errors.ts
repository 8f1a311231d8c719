import { AppError } from '../../platform/http/errors.js'
import type { Role } from '../../platform/db/schema.js'
import type { Text } from '../services/definition.js'

/**
 * An action the case does not allow: not from its current stage (409), not for the person's role or
 * against four eyes (403). The page says which, in the officer's language; nothing was changed.
 */
export class ActionRefused extends AppError {
  constructor(
    status: 403 | 409,
    /** A locale key under backoffice.refused, with its parameters (a Text is read in the page's language). */
    readonly reason: string,
    readonly params: Record<string, string | Text> = {},
  ) {
    super(status, `action refused: ${reason}`)
  }
}

/** What happened last to the case (another officer acted first): who, in what role, what, when. */
export interface WhatHappened {
  actorKind: 'applicant' | 'agency' | 'system'
  actorName: string | null
  actorRole: Role | null
  eventType: string
  /** The stage it is in now. */
  stage?: Text
  at: Date
}

/** The case changed since the form was shown (another officer acted first): 409, nothing changed. */
export class CaseChanged extends AppError {
  constructor(readonly happened: WhatHappened | undefined) {
    super(409, 'the case changed since the form was shown')
  }
}
