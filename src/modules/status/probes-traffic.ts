import { randomBytes } from 'node:crypto'
import os from 'node:os'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { PaymentsHealth } from '../payments/daraja/health.js'
import { agencyComponentId } from './model.js'

/**
 * Each process counts the requests it answers (and the M-Pesa gateway calls it makes) per status-page
 * component and adds the counts to `status_traffic` every few seconds: one statement per process per
 * flush. The worker's probes sum these rows, so the error rate they judge is the whole deployment's,
 * not the one process the probe happens to run in.
 */

/** Requests that are not people using a component: probes, metrics scrapes, static files. */
const NOT_COUNTED = /^\/(healthz|readyz|metrics|assets|favicon)/
const SIGN_IN = /^\/(sign-in|sign-out|signed-out|register|password|oauth)(\/|$|\?)/

/**
 * The component a request belongs to, from its path. A service's pages belong to the agency that runs
 * the service when `agencyOfService` knows it; everything else is the portal.
 */
export function componentOfRequest(url: string, agencyOfService?: (slug: string) => string | undefined): string | undefined {
  const path = url.split('?')[0]!
  if (NOT_COUNTED.test(path)) return undefined
  // Daraja's paybill calls: /payments/mpesa/<secret segment>/c2b/… (and the old address without one).
  if (/^\/payments\/mpesa\/(?:[^/]+\/)?c2b\//.test(path)) return 'payments-paybill'
  if (path.startsWith('/payments/')) return 'payments-prompt'
  if (SIGN_IN.test(path)) return 'sign-in'
  const service = /^\/services\/([a-z0-9-]+)/.exec(path)?.[1]
  const agency = service && agencyOfService?.(service)
  return agency ? agencyComponentId(agency) : 'portal'
}

interface Count {
  source: 'http' | 'gateway'
  component: string
  requests: number
  failures: number
}

/** Counts since the last flush, by source and component. */
export class TrafficCounts {
  #counts = new Map<string, Count>()

  add(source: Count['source'], component: string, requests: number, failures: number): void {
    if (requests === 0) return
    const key = `${source}:${component}`
    const count = this.#counts.get(key) ?? { source, component, requests: 0, failures: 0 }
    count.requests += requests
    count.failures += failures
    this.#counts.set(key, count)
  }

  /** The counts so far, leaving none behind. */
  take(): Count[] {
    const counts = [...this.#counts.values()]
    this.#counts.clear()
    return counts
  }
}

/** Adds counts to the slot they were flushed in; two flushes in one slot add up. */
export async function flushTraffic(db: Db, processId: string, slot: Date, counts: Count[]): Promise<void> {
  if (counts.length === 0) return
  await db
    .insertInto('status_traffic')
    .values(counts.map((c) => ({ process_id: processId, source: c.source, component: c.component, slot, requests: c.requests, failures: c.failures })))
    .onConflict((oc) =>
      oc.columns(['process_id', 'source', 'component', 'slot']).doUpdateSet({
        requests: sql<number>`status_traffic.requests + excluded.requests`,
        failures: sql<number>`status_traffic.failures + excluded.failures`,
      }),
    )
    .execute()
}

export interface TrafficDeps {
  db: Db
  /** The M-Pesa client's health in this process, when payments are on. */
  health?: PaymentsHealth
  agencyOfService?: (slug: string) => string | undefined
  flushMs?: number
}

/**
 * Counts this process's answers and gateway calls, flushing every `flushMs` (and once more on close).
 * A flush that fails keeps its counts for the next: the database being away is itself what the other
 * probes report. Register before the app is ready.
 */
export function recordTraffic(app: FastifyInstance, deps: TrafficDeps): { flush(): Promise<void> } {
  const flushMs = deps.flushMs ?? 10_000
  const processId = `${os.hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`
  const counts = new TrafficCounts()
  // The health object counts since start-up; each flush adds what changed since the one before.
  let gatewaySeen = { requests: 0, failures: 0 }

  app.addHook('onResponse', async (request, reply) => {
    const component = componentOfRequest(request.url, deps.agencyOfService)
    if (!component) return
    // Refusals during maintenance mode are announced, not failures (load shedding shows elsewhere too).
    const refused = reply.statusCode === 503 && Boolean(request.routeOptions.config.stopsInMaintenance)
    if (!refused) counts.add('http', component, 1, reply.statusCode >= 500 ? 1 : 0)
  })

  const flush = async () => {
    if (deps.health) {
      const health = deps.health.snapshot()
      const now = { requests: health.requests, failures: health.errors + health.timeouts }
      counts.add('gateway', 'payments-prompt', now.requests - gatewaySeen.requests, now.failures - gatewaySeen.failures)
      gatewaySeen = now
    }
    const taken = counts.take()
    try {
      await flushTraffic(deps.db, processId, new Date(Math.floor(Date.now() / flushMs) * flushMs), taken)
    } catch (error) {
      for (const c of taken) counts.add(c.source, c.component, c.requests, c.failures)
      app.log.warn({ err: error }, 'status traffic counts not saved; kept for the next flush')
    }
  }

  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    timer = setInterval(() => void flush(), flushMs)
    timer.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await flush()
  })
  return { flush }
}
