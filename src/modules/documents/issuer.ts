import type { Application, Executor } from '../applications/store.js'
import type { ServiceDefinition } from '../services/definition.js'

export interface IssueRequest {
  application: Application
  /** The application's pinned definition: its `issuedDocument` says what the document holds. */
  definition: ServiceDefinition
  /** Values the officer typed for the definition's fields marked `from: officer`, by field id. */
  officerFields: Record<string, string>
  /** The staff account that took the decision. */
  issuedBy: string
}

/**
 * What the back-office calls, inside the transaction that moves an application to a stage whose end is
 * `issued`: the document is written in that same transaction, so an application is never marked issued
 * without its document, nor a document left behind by a decision that rolled back.
 */
export interface DocumentIssuer {
  issue(trx: Executor, request: IssueRequest): Promise<{ number: string }>
}
