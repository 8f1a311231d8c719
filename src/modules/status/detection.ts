/**
 * The detector: how probe measurements become a component's automatic state. Pure functions, so the
 * rules are tested without a database or a clock; the runner (detection-runner.ts) feeds them a round
 * of measurements every few seconds and stores what they decide.
 */

/** What a probe measures, each with its own threshold (detection-settings.ts). */
export type Signal = 'database-latency' | 'queue-lag' | 'error-rate' | 'gateway-failures' | 'message-failures'

export interface Measurement {
  component: string
  signal: Signal
  /** In the signal's unit: milliseconds, seconds or percent. */
  value: number
  /** The threshold: above it, the measurement is a breach. */
  limit: number
  /** For rates: how many requests, calls or messages the rate is of. */
  sample?: number
}

export type DetectedState = 'operational' | 'degraded'

export interface Detection {
  state: DetectedState
  /** Rounds in a row that breached (while operational) or passed (while degraded). */
  streak: number
}

export const UNDETECTED: Detection = { state: 'operational', streak: 0 }

export interface Rounds {
  /** Breached rounds in a row that degrade a component. */
  breach: number
  /** Passed rounds in a row that clear it. */
  recovery: number
}

export const isBreach = (measurement: Measurement): boolean => measurement.value > measurement.limit

/**
 * One round for one component. A single bad round is noise (a slow query, one failed message): only a
 * run of `breach` rounds degrades, and only a run of `recovery` good rounds clears, so a component on
 * the edge of a threshold does not flap. A round with nothing measured for the component (too little
 * traffic to judge a rate) counts as passing: no evidence of trouble must not keep a component degraded.
 */
export function advance(previous: Detection, breached: boolean, rounds: Rounds): { next: Detection; change?: 'degraded' | 'recovered' } {
  if (previous.state === 'operational') {
    if (!breached) return { next: UNDETECTED }
    const streak = previous.streak + 1
    return streak >= rounds.breach ? { next: { state: 'degraded', streak: 0 }, change: 'degraded' } : { next: { state: 'operational', streak } }
  }
  if (breached) return { next: { state: 'degraded', streak: 0 } }
  const streak = previous.streak + 1
  return streak >= rounds.recovery ? { next: UNDETECTED, change: 'recovered' } : { next: { state: 'degraded', streak } }
}

export interface ComponentRound {
  component: string
  previous: Detection
  next: Detection
  change?: 'degraded' | 'recovered'
  /** The measurements that breached this round (empty when it passed). */
  breaches: Measurement[]
}

/**
 * One round for every component that was measured or is remembered (so a degraded component that is no
 * longer measured still recovers). Components are returned in a stable order.
 */
export function detect(measurements: Measurement[], previous: ReadonlyMap<string, Detection>, rounds: Rounds): ComponentRound[] {
  const components = [...new Set([...measurements.map((m) => m.component), ...previous.keys()])].sort()
  return components.map((component) => {
    const breaches = measurements.filter((m) => m.component === component && isBreach(m))
    const before = previous.get(component) ?? UNDETECTED
    const { next, change } = advance(before, breaches.length > 0, rounds)
    return { component, previous: before, next, change, breaches }
  })
}
