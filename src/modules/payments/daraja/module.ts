/**
 * The M-Pesa side of payments, wired in one call: the Daraja client (real, or the in-process simulator
 * when no credentials are set outside production), the payment pages, Daraja's callbacks and /dev/phone.
 */
import type { FastifyInstance } from 'fastify'
import { Gauge } from 'prom-client'
import type { Environment } from '../../../config.js'
import type { Db } from '../../../platform/db/database.js'
import type { MpesaSettings } from '../settings.js'
import { mpesaRoutes } from '../mpesa-routes.js'
import { mpesaCallbackRoutes } from './callback-routes.js'
import { DarajaClient } from './client.js'
import { devPhoneRoutes } from './dev-phone-routes.js'
import type { PaymentsHealth } from './health.js'
import type { MpesaLinks, MpesaPayments } from './port.js'
import { InboxProcessor } from '../inbox/processor.js'
import { InboxWriter } from '../inbox/writer.js'
import type { PaymentsService } from '../service.js'
import { startSimulator, type Deliver, type RunningSimulator, type SimulatorControl } from './simulator.js'

export interface MpesaGateway {
  /** undefined: no M-Pesa (production without credentials); people can still pay the paybill. */
  client: DarajaClient | undefined
  /** Only with the simulator: what /dev/phone and tests drive. */
  control: SimulatorControl | undefined
  mode: 'daraja' | 'simulator' | 'off'
  stop(): Promise<void>
}

/** The credentials the simulator checks, so a client misconfigured for it fails as Daraja would. */
const SIMULATOR = {
  consumerKey: 'simulator-key',
  consumerSecret: 'simulator-secret',
  passkey: 'simulator-passkey',
  initiatorName: 'simulator-initiator',
  securityCredential: 'simulator-credential',
}

export async function openMpesaGateway(
  config: MpesaSettings & { environment: Environment },
  options: { deliver?: Deliver; health?: PaymentsHealth; timeoutMs?: number } = {},
): Promise<MpesaGateway> {
  const common = { shortcode: config.mpesaShortcode, callbackUrl: config.mpesaCallbackUrl, callbackSecret: config.mpesaCallbackSecret, timeoutMs: options.timeoutMs ?? config.mpesaTimeoutMs }
  if (config.mpesaConsumerKey) {
    const client = new DarajaClient(
      {
        ...common,
        baseUrl: config.mpesaBaseUrl,
        consumerKey: config.mpesaConsumerKey,
        consumerSecret: config.mpesaConsumerSecret!,
        passkey: config.mpesaPasskey!,
        initiatorName: config.mpesaInitiatorName,
        securityCredential: config.mpesaSecurityCredential,
      },
      undefined,
      options.health,
    )
    return { client, control: undefined, mode: 'daraja', stop: async () => {} }
  }
  if (config.environment === 'production') return { client: undefined, control: undefined, mode: 'off', stop: async () => {} }
  const simulator: RunningSimulator = await startSimulator({ ...SIMULATOR, deliver: options.deliver })
  const client = new DarajaClient({ ...common, ...SIMULATOR, baseUrl: simulator.url }, undefined, options.health)
  return { client, control: simulator.control, mode: 'simulator', stop: () => simulator.stop() }
}

/**
 * Callbacks from an in-process simulator go straight into this app, so no port needs to be reachable.
 * The simulated phone then waits for the portal to finish processing, so what it did shows at once.
 */
export function injectDeliver(app: FastifyInstance, settled: () => Promise<void> = async () => {}): Deliver {
  return async (url, body) => {
    const response = await app.inject({ method: 'POST', url: new URL(url).pathname, payload: body as object, headers: { 'content-type': 'application/json' } })
    await settled()
    return response.json()
  }
}

export interface MpesaModuleDeps {
  config: MpesaSettings & { environment: Environment }
  db: Db
  payments: MpesaPayments
  /** The payments core the inbox processor verifies and credits with. */
  service: PaymentsService
  links?: MpesaLinks
  /** Overrides for tests: how soon an unconfirmed claim is asked about again, and how often. */
  inbox?: { retryDelayMs?: number; maxAttempts?: number }
}

/** Where M-Pesa's messages are written before they are acknowledged, and what processes them. */
export interface PaymentInbox {
  writer: InboxWriter
  processor: InboxProcessor
}

/**
 * Opens the gateway (the simulator's callbacks come straight into this app), registers everything,
 * registers the C2B URLs once the app is ready, and closes the gateway with the app.
 */
export async function mpesaModule(app: FastifyInstance, deps: MpesaModuleDeps): Promise<MpesaGateway & { inbox: PaymentInbox }> {
  // The simulator's phone waits for the inbox, which needs the gateway: bound once both exist.
  const late: { inbox?: PaymentInbox } = {}
  const gateway = await openMpesaGateway(deps.config, { deliver: injectDeliver(app, () => late.inbox?.processor.whenIdle() ?? Promise.resolve()) })
  app.addHook('onClose', () => gateway.stop())
  const client = gateway.client
  if (client) {
    // Needs Daraja (or the simulator) to answer; a failure only delays paybill payments until the
    // next start, so it is logged, not fatal, and never holds up start-up.
    app.addHook('onReady', async () => {
      void client.c2bRegisterUrls().catch((error: Error) => app.log.warn({ err: error }, 'M-Pesa C2B URLs not registered'))
    })
  }
  const inbox = openInbox(deps, gateway, app.log)
  late.inbox = inbox
  registerMpesa(app, { ...deps, gateway, inbox })
  if (client) registerGatewayMetrics(app, client.health)
  return { ...gateway, inbox }
}

/** The inbox and its processor, verifying with this gateway's STK query and (when on) its Transaction Status API. */
export function openInbox(deps: MpesaModuleDeps, gateway: MpesaGateway, log: FastifyInstance['log']): PaymentInbox {
  const client = gateway.client
  const processor = new InboxProcessor({
    db: deps.db,
    payments: deps.service,
    shortcode: deps.config.mpesaShortcode,
    query: client && ((checkoutRequestId) => client.stkQuery(checkoutRequestId)),
    askStatus: client && deps.config.mpesaC2bStatusCheck ? (receipt) => client.transactionStatus({ transactionId: receipt }) : undefined,
    log: log.child({ component: 'mpesa-inbox' }),
    ...deps.inbox,
  })
  return { writer: new InboxWriter(deps.db), processor }
}

/**
 * The gateway's health on /metrics: alerting and the status page's probes read "degraded" (a run of
 * failed Daraja calls) and the failure counts from here.
 */
function registerGatewayMetrics(app: FastifyInstance, health: PaymentsHealth): void {
  new Gauge({
    name: 'payments_gateway_degraded',
    help: 'Whether M-Pesa (Daraja) calls are failing in a row (1) or answering (0)',
    registers: [app.metricsRegistry],
    collect() {
      this.set(health.snapshot().state === 'degraded' ? 1 : 0)
    },
  })
  new Gauge({
    name: 'payments_gateway_failures',
    help: 'M-Pesa (Daraja) calls that failed since the process started, by kind',
    labelNames: ['kind'] as const,
    registers: [app.metricsRegistry],
    collect() {
      const snapshot = health.snapshot()
      this.set({ kind: 'error' }, snapshot.errors)
      this.set({ kind: 'timeout' }, snapshot.timeouts)
    },
  })
  new Gauge({
    name: 'payments_gateway_requests',
    help: 'M-Pesa (Daraja) calls made since the process started',
    registers: [app.metricsRegistry],
    collect() {
      this.set(health.snapshot().requests)
    },
  })
}

/** The routes, for a gateway opened by the caller (tests, or a runtime that owns the simulator). */
export function registerMpesa(app: FastifyInstance, deps: MpesaModuleDeps & { gateway: MpesaGateway; inbox: PaymentInbox }): void {
  const { gateway } = deps
  app.log.info({ mode: gateway.mode }, 'M-Pesa payments go through')
  mpesaRoutes(app, {
    payments: deps.payments,
    client: gateway.client,
    shortcode: deps.config.mpesaShortcode,
    links: deps.links,
    phoneOf: async (accountId) => (await deps.db.selectFrom('accounts').select('phone').where('id', '=', accountId).executeTakeFirst())?.phone,
  })
  const secrets = [deps.config.mpesaCallbackSecret, ...(deps.config.mpesaCallbackSecretPrevious ? [deps.config.mpesaCallbackSecretPrevious] : [])]
  mpesaCallbackRoutes(app, { payments: deps.payments, ...deps.inbox, shortcode: deps.config.mpesaShortcode, allowedIps: deps.config.mpesaAllowedIps, secrets })
  const client = gateway.client
  devPhoneRoutes(app, { control: gateway.control, environment: deps.config.environment, registerPaybillUrls: client && (() => client.c2bRegisterUrls()) })
}
