import type autocannon from 'autocannon'

/** The portal's load scenarios; each issue that adds a hot path adds its scenario here. */
export interface Scenario {
  name: string
  path: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /**
   * Requests that change per request (a different draft each time): built afresh for each run of the
   * scenario, each connection cycling through them. Overrides path, method, headers and body.
   */
  requests?: () => autocannon.Request[]
  /** Several requests make one unit of work (a save and a submission): rates are also given per unit. */
  unit?: { name: string; requests: number }
  /** Connections at once, when the target names another number than the bench's 100. */
  connections?: number
  /** Statuses that count as success (default: any 2xx). */
  expect?: number[]
  /** Compared with this ceiling (requests/s) instead of, or as well as, the hello-world. */
  ceiling?: number
  /** The target: a share of the hello-world's requests/s, units (or requests) per second, a p99. */
  target?: { ratio?: number; perSecond?: number; p99Ms?: number }
}

/** One row of the bench's table and of bench/results.json. */
export interface Result {
  scenario: string
  requestsPerSecond: number
  /** For scenarios whose unit of work is several requests (a save and a submission). */
  unitsPerSecond?: number
  unit?: string
  p50Ms: number
  p99Ms: number
  errors: number
  /** When not the bench's usual number. */
  connections?: number
  ratioToHello: number
  /** With BENCH_PAIRED: the hello-world measured just before this scenario, which the ratio is to. */
  helloRequestsPerSecond?: number
  /** For scenarios bounded by design (password hashing): the share of that bound reached. */
  ratioToCeiling?: number
  target?: string
  met?: boolean
  /** What was counted in the database afterwards (the payments scenarios). */
  checked?: string
}

/** What every browser sends with a page request, as far as the portal's answers differ by it. */
const BROWSER = { 'accept-encoding': 'gzip, deflate, br' }

export const SCENARIOS: Scenario[] = [
  { name: 'home page (English)', path: '/' },
  { name: 'home page (Kiswahili)', path: '/?lang=sw' },
  { name: 'liveness /healthz', path: '/healthz' },
  { name: 'readiness /readyz (database round trip)', path: '/readyz' },
  // Served from memory (the status board), so it stays up when the rest struggles; an anonymous
  // visitor's answers come from the status fast lane. Asked as a browser asks (compression accepted).
  { name: 'status page /status', path: '/status', headers: BROWSER, target: { ratio: 0.7 } },
  // The same page to a client that takes no compression: 47 kB a request, bound by moving the bytes.
  { name: 'status page /status (uncompressed)', path: '/status' },
  { name: 'status as data /status.json', path: '/status.json', target: { ratio: 0.7 } },
  { name: 'status feed /status/feed.atom', path: '/status/feed.atom' },
]
