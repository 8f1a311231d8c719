import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { AuthenticatorService } from './modules/accounts/authenticator.js'
import { passkeyRoutes } from './modules/accounts/passkey-routes.js'
import { PasskeyService } from './modules/accounts/passkeys.js'
import { authenticatorRoutes } from './modules/accounts/authenticator-routes.js'
import { PasswordResetService } from './modules/accounts/password-reset.js'
import { profileModule } from './modules/accounts/profile-module.js'
import { passwordResetRoutes } from './modules/accounts/password-reset-routes.js'
import { registerRoutes } from './modules/accounts/register-routes.js'
import { RegistrationService } from './modules/accounts/registration.js'
import { sessionsRoutes } from './modules/accounts/sessions-routes.js'
import { signInRoutes } from './modules/accounts/sign-in-routes.js'
import { SignInService } from './modules/accounts/sign-in.js'
import { verifyRoutes } from './modules/accounts/verify-routes.js'
import type { Messenger } from './modules/accounts/messenger.js'
import { applicationsModule } from './modules/applications/module.js'
import type { ApplicationsService } from './modules/applications/service.js'
import type { RecordStatusChange } from './modules/applications/status.js'
import type { PartiesService } from './modules/accounts/parties.js'
import { appointmentCheckRoutes } from './modules/appointments/check-routes.js'
import { appointmentRoutes } from './modules/appointments/routes.js'
import { AppointmentService } from './modules/appointments/service.js'
import type { ServiceCatalogue } from './modules/services/catalogue.js'
import type { Category } from './modules/catalogue/categories.js'
import { loadServicesOrExplain } from './modules/catalogue/load.js'
import { catalogueRoutes } from './modules/catalogue/routes.js'
import { uploadRoutes } from './modules/uploads/routes.js'
import { limitsFor, UploadService } from './modules/uploads/service.js'
import { LocalDiskStorage, MemoryStorage, type FileStorage } from './modules/uploads/storage.js'
import { mpesaModule } from './modules/payments/daraja/module.js'
import type { MpesaPayments } from './modules/payments/daraja/port.js'
import { paymentRoutes } from './modules/payments/routes.js'
import { statementRoutes } from './modules/payments/statement-routes.js'
import { suspenseRoutes } from './modules/payments/suspense-routes.js'
import { PaymentsService } from './modules/payments/service.js'
import { documentsModule } from './modules/documents/module.js'
import { backofficeModule } from './modules/backoffice/module.js'
import type { BackofficeService } from './modules/backoffice/service.js'
import { caseFileAccess } from './modules/backoffice/files.js'
import type { DocumentsService } from './modules/documents/service.js'
import { auditRoutes } from './modules/admin/audit-routes.js'
import { statusModule, type StatusModule } from './modules/status/module.js'
import { recordTraffic } from './modules/status/probes-traffic.js'
import { agencyAdminModule } from './modules/agency-admin/module.js'
import { supportModule } from './modules/support/module.js'
import { listAgencies } from './modules/agencies/store.js'
import { notificationRoutes } from './modules/notifications/routes.js'
import { inboxRoutes } from './modules/notifications/inbox-routes.js'
import { fileSecurityCopy } from './modules/notifications/inbox.js'
import type { TemplateName } from './modules/notifications/templates.js'
import { notify, type NotificationRequest } from './modules/notifications/service.js'
import { openRegistries } from './modules/registry/registries.js'
import { feedbackRoutes } from './modules/feedback/routes.js'
import { healthRoutes } from './modules/health/routes.js'
import { homeRoutes } from './modules/home/routes.js'
import { cached } from './platform/cache.js'
import type { DatabaseHandle } from './platform/db/database.js'
import { trackAllowedMethods } from './platform/http/allowed-methods.js'
import { FastLanes } from './platform/http/fast-lane.js'
import { registerAccessControl } from './platform/access/access.js'
import { registerErrorPages } from './platform/http/error-pages.js'
import { registerMetrics } from './platform/http/metrics.js'
import { registerSecurity } from './platform/http/security.js'
import { loadMessages, Translator } from './platform/i18n/i18n.js'
import type { JobQueue } from './platform/jobs/queue.js'
import { ASSETS_DIR, buildAssets, type AssetManifest } from './platform/views/assets.js'
import { Sessions } from './platform/sessions/sessions.js'
import { registerViews } from './platform/views/views.js'

export interface AppModules {
  catalogue: ServiceCatalogue
  categories: Category[]
  parties: PartiesService
  uploads: UploadService
  applications: ApplicationsService
  recordStatusChange: RecordStatusChange
  appointments: AppointmentService
  payments: PaymentsService
  mpesa: Awaited<ReturnType<typeof mpesaModule>>
  /** The status page's in-memory state: currentStatus() and activeIncidents() for other modules. */
  status: StatusModule
  /** Issues documents (DocumentIssuer) in the transaction of the decision that ends an application. */
  documents: DocumentsService
  /** The agency back-office: its SLA digest job (backofficeJobs) runs through it. */
  backoffice: BackofficeService
}

declare module 'fastify' {
  interface FastifyInstance {
    modules: AppModules
  }
}

export interface AppDeps {
  config: Config
  database: DatabaseHandle
  jobs: JobQueue
  logger: Logger
  /** Built (or read from the build cache) when not given. */
  manifest?: AssetManifest
  /** The service definitions and their categories; loaded from services/ when not given (start-up loads them first, to refuse bad ones). */
  services?: { catalogue: ServiceCatalogue; categories: Category[] }
  /** Where uploaded files go; DATA_DIR/uploads when not given. */
  fileStorage?: FileStorage
  /** What the M-Pesa pages and callbacks credit; the payments service when not given (tests swap in a fake). */
  mpesaPayments?: MpesaPayments
  /** Tests: how soon the inbox asks again about a claim M-Pesa has not yet confirmed. */
  mpesaInbox?: { retryDelayMs?: number; maxAttempts?: number }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/

/** Keep a caller's request id (a load balancer's) when it is sane, so one id follows a request. */
function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
}

/** The web application: platform plugins first, then each module's routes. The one wiring place. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database, logger } = deps
  // Before anything starts watching the event loop: a first build compiles Sass for a second or two.
  const manifest = deps.manifest ?? (await buildAssets())
  const fastLanes = new FastLanes(requestIdOf)
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: requestIdOf,
    // Answers kept in memory (the status page) are sent before Fastify's per-request work.
    serverFactory: fastLanes.serverFactory,
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    // One access line per request (below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: 'idle',
  })
  fastLanes.register(app)
  const methodsFor = trackAllowedMethods(app)
  registerAccessControl(app)
  app.addHook('onResponse', (request, reply, done) => {
    // The path only: query strings can carry one-time tokens. A route whose address carries a secret
    // (`:secret`, as M-Pesa's callbacks do) is logged by its pattern, never with the secret in it.
    const route = request.routeOptions.url
    const path = route?.includes(':secret') ? route : request.url.split('?')[0]
    request.log.info({ method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
    done()
  })

  registerMetrics(app, () => deps.jobs.depth())
  await registerSecurity(app, config)
  await registerViews(app, {
    config,
    manifest,
    translator: new Translator(loadMessages()),
  })
  await app.register(fastifyStatic, {
    root: ASSETS_DIR,
    prefix: '/assets/',
    preCompressed: true,
    immutable: true,
    maxAge: '365d',
    index: false,
    decorateReply: false,
  })
  registerErrorPages(app, methodsFor)
  const db = database.db
  const secure = config.publicUrl.startsWith('https:')
  const sessions = new Sessions(db, { secure, idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours })
  sessions.register(app)

  // Messages go out through the notifications outbox, in the caller's transaction.
  const messenger: Messenger = {
    send: async (executor, message) => {
      const { inbox, ...request } = message
      await notify(executor, deps.jobs, request as NotificationRequest)
      if (inbox) await fileSecurityCopy(executor, { ...inbox, channel: message.channel, template: message.template as TemplateName, params: message.params })
    },
  }
  const registrySettings = {
    population: config.populationRegistryUrl ? { baseUrl: config.populationRegistryUrl, token: config.populationRegistryToken! } : undefined,
    business: config.businessRegistryUrl ? { baseUrl: config.businessRegistryUrl, token: config.businessRegistryToken! } : undefined,
  }
  const registries = openRegistries(db, registrySettings)
  const registration = new RegistrationService(db, registries.population, messenger, config.publicUrl)

  healthRoutes(app, { db })
  homeRoutes(app, { agencies: cached(60_000, () => listAgencies(db)) })
  feedbackRoutes(app, { db })
  const authenticator = new AuthenticatorService(db, config.portalName)
  signInRoutes(app, { signIn: new SignInService(db, messenger, authenticator), sessions, ipLimitPer10Minutes: config.signInLimitPer10Minutes })
  authenticatorRoutes(app, { authenticator })
  passkeyRoutes(app, {
    passkeys: new PasskeyService(db, { publicUrl: config.publicUrl, rpName: config.portalName }),
    sessions,
    ipLimitPer10Minutes: config.signInLimitPer10Minutes,
  })
  registerRoutes(app, { registration, sessions, secureCookies: secure })
  verifyRoutes(app, { db, registration })
  sessionsRoutes(app, { db })
  passwordResetRoutes(app, { reset: new PasswordResetService(db, messenger, config.publicUrl) })
  const { parties } = profileModule(app, { db, messenger, publicUrl: config.publicUrl, registries })

  const { catalogue, categories } = deps.services ?? (await loadServicesOrExplain())
  catalogueRoutes(app, { db, catalogue, categories })
  // Uploaded files (applications' and support requests' attachments), one store for both.
  const fileStorage = deps.fileStorage ?? (config.environment === 'test' ? new MemoryStorage() : new LocalDiskStorage(path.join(config.dataDir, 'uploads')))
  const uploads = new UploadService(db, fileStorage)
  // Staff read the files of their own agency's submitted applications (the back-office's rule).
  uploadRoutes(app, { uploads, mayDownload: caseFileAccess(db) })
  const appointments = new AppointmentService(db)
  const { applications, recordStatusChange, appointmentFor } = applicationsModule(app, {
    db,
    jobs: deps.jobs,
    catalogue,
    parties,
    publicUrl: config.publicUrl,
    uploads: {
      store: (applicationId, questionId, file, { accountId, question }) => uploads.store(applicationId, questionId, file, limitsFor(question), accountId),
    },
    appointments,
  })
  appointmentRoutes(app, { appointments, applicationFor: appointmentFor })
  appointmentCheckRoutes(app, { appointments })
  const payments = new PaymentsService({ db, catalogue, recordStatusChange, jobs: deps.jobs, publicUrl: config.publicUrl, log: app.log })
  paymentRoutes(app, { payments, publicUrl: config.publicUrl, portalName: config.portalName })
  suspenseRoutes(app, { payments })
  statementRoutes(app, { db })
  const mpesa = await mpesaModule(app, { config, db, payments: deps.mpesaPayments ?? payments, service: payments, inbox: deps.mpesaInbox })
  // Issuing runs in the decision's transaction: the embedded registries must read through it too.
  const { documents } = documentsModule(app, {
    db,
    jobs: deps.jobs,
    catalogue,
    registriesOn: (executor) => openRegistries(executor, registrySettings),
    parties,
    payments,
    publicUrl: config.publicUrl,
    portalName: config.portalName,
    signingKey: config.documentSigningKey,
  })
  // Incidents, maintenance and the banner every page shows while something is wrong.
  const status = statusModule(app, { db, jobs: deps.jobs, publicUrl: config.publicUrl, portalName: config.portalName })
  // Every process counts its answers and M-Pesa calls per status component, for the worker's probes.
  recordTraffic(app, { db, health: mpesa.client?.health, agencyOfService: (slug) => catalogue.latest(slug)?.agency })
  // The agency back-office; it issues documents through the documents module, in its decisions' transactions.
  const { backoffice } = backofficeModule(app, {
    db,
    jobs: deps.jobs,
    catalogue,
    recordStatusChange,
    issuer: documents,
    uploads,
    bookings: appointments,
    publicUrl: config.publicUrl,
  })
  // For the jobs and callbacks of later modules, and for tests: the services this wiring made.
  app.decorate('modules', { catalogue, categories, parties, uploads, applications, recordStatusChange, appointments, payments, mpesa, documents, status, backoffice })
  notificationRoutes(app, { db, environment: config.environment })
  inboxRoutes(app, { db, publicUrl: config.publicUrl })
  auditRoutes(app, { db })
  agencyAdminModule(app, { db, jobs: deps.jobs, catalogue, publicUrl: config.publicUrl })
  // The support desk: its payment check asks M-Pesa through the invoice page's gateway and payments core.
  supportModule(app, {
    db,
    jobs: deps.jobs,
    storage: fileStorage,
    payments: { payments: deps.mpesaPayments ?? payments, client: mpesa.client, shortcode: config.mpesaShortcode },
    publicUrl: config.publicUrl,
    firstResponseHours: config.supportFirstResponseHours,
  })
  return app
}
