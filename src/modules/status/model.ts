import type { Impact, IncidentStatus } from './tables.js'

/**
 * What the status page knows and how a component's state follows from it. Pure functions: the board
 * (board.ts) loads the data, these derive what it shows, and tests check them without a database.
 */

export type ComponentState = 'operational' | 'under-maintenance' | 'degraded' | 'partial-outage' | 'major-outage'

/**
 * Mildest first: "worst" means latest in this list. Planned maintenance ranks below any incident,
 * because an incident is news a person must act on, while the maintenance notice was given in advance.
 */
export const STATES: readonly ComponentState[] = ['operational', 'under-maintenance', 'degraded', 'partial-outage', 'major-outage']
export const IMPACTS: readonly Impact[] = ['degraded', 'partial-outage', 'major-outage']
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved']

/** The parts of the portal a person depends on; each agency is one more (`agency-<code>`). */
export const PLATFORM_COMPONENTS = ['portal', 'sign-in', 'payments-prompt', 'payments-paybill', 'sms', 'email'] as const

export interface Bilingual {
  en: string
  sw: string
}

export interface Component {
  id: string
  /** Agencies carry their own names; platform components are named in the locale files. */
  agency?: { code: string; name: Bilingual }
}

export interface IncidentUpdate {
  id: string
  status: IncidentStatus
  message: Bilingual
  postedAt: Date
}

export interface Incident {
  id: string
  impact: Impact
  title: Bilingual
  status: IncidentStatus
  startedAt: Date
  resolvedAt: Date | null
  components: string[]
  /** Newest first. */
  updates: IncidentUpdate[]
  /** Opened by automatic detection and not yet published: administrators see it, the public never. */
  draft?: boolean
}

export interface Maintenance {
  id: string
  message: Bilingual
  startsAt: Date
  endsAt: Date
  components: string[]
}

export interface StatusData {
  components: Component[]
  /** Open incidents and those resolved in the history window, newest first. */
  incidents: Incident[]
  /** Maintenance not cancelled that ends within or after the history window, soonest first. */
  maintenance: Maintenance[]
  /** Set while maintenance mode is on: new submissions and payments are refused with this message. */
  maintenanceMode?: MaintenanceMode
  /** Components automatic detection found degraded (detection-runner.ts), whatever the incidents say. */
  detected?: DetectedDegradation[]
}

export interface DetectedDegradation {
  component: string
  since: Date
  /** What the probes measured, for administrators. */
  reason: Bilingual
}

export interface MaintenanceMode {
  message: Bilingual
  since: Date
}

export const HISTORY_DAYS = 90
const DAY_MS = 24 * 3600 * 1000
/** East Africa Time has no daylight saving: a Nairobi day is a UTC day shifted by three hours. */
const NAIROBI_OFFSET_MS = 3 * 3600 * 1000

export function agencyComponentId(code: string): string {
  return `agency-${code.toLowerCase()}`
}

export function worst(states: Iterable<ComponentState>): ComponentState {
  let rank = 0
  for (const state of states) rank = Math.max(rank, STATES.indexOf(state))
  return STATES[rank]!
}

export function isOpen(incident: Incident): boolean {
  return incident.resolvedAt === null
}

export function isActive(maintenance: Maintenance, now: Date): boolean {
  return maintenance.startsAt <= now && now < maintenance.endsAt
}

/**
 * Each component's state now: the worst of the open incidents and active maintenance naming it, and
 * `degraded` while automatic detection finds it so. Detection is only ever "degraded": how bad an outage
 * is, and what to tell people, stays an administrator's call (the draft incident detection opens).
 */
export function currentStates(data: StatusData, now: Date): Map<string, ComponentState> {
  const detected = new Set((data.detected ?? []).map((d) => d.component))
  return new Map(
    data.components.map((component) => {
      const state = stateDuring(data, component.id, now, new Date(now.getTime() + 1), now)
      return [component.id, detected.has(component.id) ? worst([state, 'degraded']) : state]
    }),
  )
}

/**
 * The worst state a component was in at any moment of [from, to). An open incident lasts until it is
 * resolved; maintenance counts only once it has started (history never looks past today).
 */
function stateDuring(data: StatusData, component: string, from: Date, to: Date, now: Date): ComponentState {
  const states: ComponentState[] = []
  const overlaps = (start: Date, end: Date | null) => start < to && (end === null || end > from)
  for (const incident of data.incidents) {
    if (incident.components.includes(component) && overlaps(incident.startedAt, incident.resolvedAt)) states.push(incident.impact)
  }
  for (const window of data.maintenance) {
    if (window.components.includes(component) && window.startsAt <= now && overlaps(window.startsAt, window.endsAt)) states.push('under-maintenance')
  }
  return worst(states)
}

export interface HistoryDay {
  /** The Nairobi calendar date, YYYY-MM-DD. */
  date: string
  state: ComponentState
}

/** The last HISTORY_DAYS Nairobi days for one component, oldest first, each with its worst state. */
export function history(data: StatusData, component: string, now: Date): HistoryDay[] {
  const localMidnight = Math.floor((now.getTime() + NAIROBI_OFFSET_MS) / DAY_MS) * DAY_MS - NAIROBI_OFFSET_MS
  const days: HistoryDay[] = []
  for (let back = HISTORY_DAYS - 1; back >= 0; back--) {
    const from = new Date(localMidnight - back * DAY_MS)
    const to = new Date(from.getTime() + DAY_MS)
    const date = new Date(from.getTime() + NAIROBI_OFFSET_MS).toISOString().slice(0, 10)
    days.push({ date, state: stateDuring(data, component, from, to, now) })
  }
  return days
}
