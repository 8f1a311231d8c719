import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { Measurement } from './detection.js'
import type { DetectionSettings } from './detection-settings.js'

/**
 * The probes: what a worker measures each round, all of it read from the shared database so the
 * measurements describe the whole deployment (every web process and worker), not the process probing.
 */

/** How long a trivial query takes from here: the wait every request pays before it does any work. */
export async function databaseLatency(db: Db): Promise<number> {
  const started = performance.now()
  await sql`select 1`.execute(db)
  return performance.now() - started
}

/**
 * How long the oldest job that should already have started has been waiting, in seconds. pg-boss keeps
 * waiting jobs in `pgboss.job` with state created (or retry, after a failure), which its job states
 * order before active, and the time they may start; a job still there well after that time means the
 * workers are behind or not running. The condition is pg-boss's own, so its index on waiting jobs serves.
 */
export async function queueLag(db: Db): Promise<number> {
  const { rows } = await sql<{ lag: number | null }>`
    select extract(epoch from now() - min(start_after))::float8 as lag
    from pgboss.job where state < 'active' and start_after < now()`.execute(db)
  return Math.max(0, rows[0]?.lag ?? 0)
}

export interface TrafficTotal {
  source: 'http' | 'gateway'
  component: string
  requests: number
  failures: number
}

/** Requests and failures every process counted (probes-traffic.ts) since `since`. */
export async function trafficSince(db: Db, since: Date): Promise<TrafficTotal[]> {
  return db
    .selectFrom('status_traffic')
    .select(['source', 'component', sql<number>`sum(requests)::int`.as('requests'), sql<number>`sum(failures)::int`.as('failures')])
    .where('slot', '>=', since)
    .groupBy(['source', 'component'])
    .orderBy('source')
    .orderBy('component')
    .execute()
}

/**
 * Recent messages by channel: those delivered, and those failing (given up on, or waiting for a retry
 * after a failed attempt). Messages not yet tried say nothing either way.
 */
export async function messageOutcomes(db: Db, windowSeconds: number): Promise<{ channel: 'email' | 'sms'; sent: number; failing: number }[]> {
  return db
    .selectFrom('notifications')
    .select([
      'channel',
      sql<number>`(count(*) filter (where status = 'sent'))::int`.as('sent'),
      sql<number>`(count(*) filter (where status = 'failed' or attempts > 0 and status = 'queued'))::int`.as('failing'),
    ])
    .where('created_at', '>=', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
    .groupBy('channel')
    .orderBy('channel')
    .execute()
}

const percent = (part: number, whole: number) => (100 * part) / whole

/** One round of measurements, each against its threshold. Rates with too small a sample are left out. */
export async function measure(db: Db, settings: DetectionSettings, now = new Date()): Promise<Measurement[]> {
  const measurements: Measurement[] = [
    { component: 'portal', signal: 'database-latency', value: await databaseLatency(db), limit: settings.statusDatabaseLatencyMs },
    { component: 'portal', signal: 'queue-lag', value: await queueLag(db), limit: settings.statusQueueLagSeconds },
  ]
  const enough = (sample: number) => sample >= settings.statusMinimumSample
  for (const total of await trafficSince(db, new Date(now.getTime() - settings.statusWindowSeconds * 1000))) {
    if (!enough(total.requests)) continue
    const value = percent(total.failures, total.requests)
    measurements.push(
      total.source === 'http'
        ? { component: total.component, signal: 'error-rate', value, limit: settings.statusErrorRatePercent, sample: total.requests }
        : { component: total.component, signal: 'gateway-failures', value, limit: settings.statusGatewayFailurePercent, sample: total.requests },
    )
  }
  for (const outcome of await messageOutcomes(db, settings.statusWindowSeconds)) {
    const sample = outcome.sent + outcome.failing
    if (!enough(sample)) continue
    measurements.push({ component: outcome.channel, signal: 'message-failures', value: percent(outcome.failing, sample), limit: settings.statusMessageFailurePercent, sample })
  }
  return measurements
}

/** Deletes counts from before `before`: no probe reads them again. */
export async function pruneTraffic(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('status_traffic').where('slot', '<', before).execute()
}
