/** The portal's load scenarios; each issue that adds a hot path adds its scenario here. */
export interface Scenario {
  name: string
  path: string
  headers?: Record<string, string>
}

export const SCENARIOS: Scenario[] = [
  { name: 'home page (English)', path: '/' },
  { name: 'home page (Kiswahili)', path: '/?lang=sw' },
  { name: 'liveness /healthz', path: '/healthz' },
  { name: 'readiness /readyz (database round trip)', path: '/readyz' },
]
