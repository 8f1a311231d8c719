/**
 * The M-Pesa side of payments, wired in one call: the Daraja client (real, or the in-process simulator
 * when no credentials are set outside production), the payment pages, Daraja's callbacks and /dev/phone.
 */
import type { FastifyInstance } from 'fastify'
import type { Environment } from '../../../config.js'
import type { Db } from '../../../platform/db/database.js'
import type { MpesaSettings } from '../settings.js'
import { mpesaRoutes } from '../mpesa-routes.js'
import { mpesaCallbackRoutes } from './callback-routes.js'
import { DarajaClient } from './client.js'
import { devPhoneRoutes } from './dev-phone-routes.js'
import type { PaymentsHealth } from './health.js'
import type { MpesaLinks, MpesaPayments } from './port.js'
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
const SIMULATOR = { consumerKey: 'simulator-key', consumerSecret: 'simulator-secret', passkey: 'simulator-passkey' }

export async function openMpesaGateway(
  config: MpesaSettings & { environment: Environment },
  options: { deliver?: Deliver; health?: PaymentsHealth; timeoutMs?: number } = {},
): Promise<MpesaGateway> {
  const common = { shortcode: config.mpesaShortcode, callbackUrl: config.mpesaCallbackUrl, timeoutMs: options.timeoutMs ?? 15_000 }
  if (config.mpesaConsumerKey) {
    const client = new DarajaClient(
      { ...common, baseUrl: config.mpesaBaseUrl, consumerKey: config.mpesaConsumerKey, consumerSecret: config.mpesaConsumerSecret!, passkey: config.mpesaPasskey! },
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

/** Callbacks from an in-process simulator go straight into this app, so no port needs to be reachable. */
export function injectDeliver(app: FastifyInstance): Deliver {
  return async (url, body) => {
    const response = await app.inject({ method: 'POST', url: new URL(url).pathname, payload: body as object, headers: { 'content-type': 'application/json' } })
    return response.json()
  }
}

export interface MpesaModuleDeps {
  config: MpesaSettings & { environment: Environment }
  db: Db
  payments: MpesaPayments
  links?: MpesaLinks
}

/**
 * Opens the gateway (the simulator's callbacks come straight into this app), registers everything,
 * registers the C2B URLs once the app is ready, and closes the gateway with the app.
 */
export async function mpesaModule(app: FastifyInstance, deps: MpesaModuleDeps): Promise<MpesaGateway> {
  const gateway = await openMpesaGateway(deps.config, { deliver: injectDeliver(app) })
  app.addHook('onClose', () => gateway.stop())
  const client = gateway.client
  if (client) {
    // Needs Daraja (or the simulator) to answer; a failure only delays paybill payments until the
    // next start, so it is logged, not fatal, and never holds up start-up.
    app.addHook('onReady', async () => {
      void client.c2bRegisterUrls().catch((error: Error) => app.log.warn({ err: error }, 'M-Pesa C2B URLs not registered'))
    })
  }
  registerMpesa(app, { ...deps, gateway })
  return gateway
}

/** The routes, for a gateway opened by the caller (tests, or a runtime that owns the simulator). */
export function registerMpesa(app: FastifyInstance, deps: MpesaModuleDeps & { gateway: MpesaGateway }): void {
  const { gateway } = deps
  app.log.info({ mode: gateway.mode }, 'M-Pesa payments go through')
  mpesaRoutes(app, {
    payments: deps.payments,
    client: gateway.client,
    shortcode: deps.config.mpesaShortcode,
    links: deps.links,
    phoneOf: async (accountId) => (await deps.db.selectFrom('accounts').select('phone').where('id', '=', accountId).executeTakeFirst())?.phone,
  })
  mpesaCallbackRoutes(app, { payments: deps.payments, shortcode: deps.config.mpesaShortcode, allowedIps: deps.config.mpesaAllowedIps })
  devPhoneRoutes(app, { control: gateway.control, environment: deps.config.environment })
}
