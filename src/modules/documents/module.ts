import type { FastifyInstance } from 'fastify'
import { cached } from '../../platform/cache.js'
import type { Db } from '../../platform/db/database.js'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import type { PartiesService } from '../accounts/parties.js'
import { listAgencies } from '../agencies/store.js'
import type { Executor } from '../applications/store.js'
import type { PaymentsService } from '../payments/service.js'
import type { Registries } from '../registry/registries.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { documentRoutes } from './routes.js'
import { DocumentsService } from './service.js'
import { SigningKeys } from './signing.js'
import { verifyRoutes } from './verify-routes.js'

export interface DocumentsModuleDeps {
  db: Db
  jobs: Pick<JobQueue, 'enqueue'>
  catalogue: ServiceCatalogue
  registriesOn: (executor: Executor) => Registries
  parties: Pick<PartiesService, 'mayActFor'>
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
