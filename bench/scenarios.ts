/** The portal's load scenarios; each issue that adds a hot path adds its scenario here. */
export interface Scenario {
  name: string
  path: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /** Statuses that count as success (default: any 2xx). */
  expect?: number[]
  /** Compared with this ceiling (requests/s) instead of, or as well as, the hello-world. */
  ceiling?: number
}

export const SCENARIOS: Scenario[] = [
  { name: 'home page (English)', path: '/' },
  { name: 'home page (Kiswahili)', path: '/?lang=sw' },
  { name: 'liveness /healthz', path: '/healthz' },
  { name: 'readiness /readyz (database round trip)', path: '/readyz' },
]
