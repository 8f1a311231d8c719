import type { FastifyInstance } from 'fastify'
import { cached } from '../../platform/cache.js'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import { listAgencies } from '../agencies/store.js'
import type { PaymentsService } from '../payments/service.js'
import { documentRoutes } from './routes.js'
import { DocumentsService, type DocumentsDeps } from './service.js'
import { SigningKeys } from './signing.js'
import { verifyRoutes } from './verify-routes.js'

/** What the service needs, less what this module makes itself (keys, translator). */
export interface DocumentsModuleDeps extends Pick<DocumentsDeps, 'db' | 'jobs' | 'catalogue' | 'registriesOn' | 'parties'> {
  /** /verify/:number answers for receipts too. */
  payments: PaymentsService
  publicUrl: string
  portalName: string
  /** DOCUMENT_SIGNING_KEY, when set. */
  signingKey?: string
}

/**
 * Issued documents: the service the back-office issues through (DocumentIssuer), the applicant's PDF,
 * the public check at /verify/:number (documents and receipts), the published keys, and revocation.
 */
export function documentsModule(app: FastifyInstance, deps: DocumentsModuleDeps): { documents: DocumentsService } {
  const documents = new DocumentsService({
    db: deps.db,
    jobs: deps.jobs,
    catalogue: deps.catalogue,
    registriesOn: deps.registriesOn,
    parties: deps.parties,
    keys: new SigningKeys(deps.db, deps.signingKey),
    // Documents and notices hold both languages at once, whatever the request's.
    translator: new Translator(loadMessages()),
    publicUrl: deps.publicUrl,
  })
  const agencies = cached(60_000, () => listAgencies(deps.db))
  documentRoutes(app, { documents, publicUrl: deps.publicUrl, portalName: deps.portalName, agencies })
  verifyRoutes(app, { documents, payments: deps.payments, agencies })
  return { documents }
}
