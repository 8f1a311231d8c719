import { createHash } from 'node:crypto'
import type { Db } from '../../platform/db/database.js'
import { AppError } from '../../platform/http/errors.js'
import { currentStates, history, isActive, isOpen, type ComponentState, type HistoryDay, type Incident, type Maintenance, type StatusData } from './model.js'
import { loadStatusData } from './store.js'

/** What the board holds: the data as last read, and what follows from it at that moment. */
export interface StatusSnapshot {
  /** Changes with every successful read: rendered pages are cached per snapshot. */
  id: number
  /** When the data was read from the database. */
  asOf: Date
  data: StatusData
  states: Map<string, ComponentState>
  openIncidents: Incident[]
  /** Active now or starting later, soonest first. */
  currentMaintenance: Maintenance[]
  /** Changes only when what the banner shows changes, so cached pages are not re-rendered every read. */
  bannerKey: string
  /** Per-snapshot results (history, JSON, the feed): worked out once, served many times. */
  memo: Map<string, unknown>
}

/** Thrown only when the status has never been read since start-up and the database does not answer. */
export class StatusUnavailable extends AppError {
  constructor() {
    super(503, 'status not yet read')
  }
}

/** How long a request waits for a read in progress before answering with the snapshot it has. */
const WAIT_FOR_READ_MS = 1000

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

interface Logger {
  warn(details: object, message: string): void
}

/**
 * The status in memory. The page, its JSON and feed, and the banner on every page read from here; the
 * database is read at most once every `refreshMs` (and at once after an admin's change in this
 * process). When a read fails the last good snapshot stays: the status page must keep answering when
 * the portal is in trouble, which is when people need it.
 */
export class StatusBoard {
  #snapshot: StatusSnapshot | undefined
  #lastAttempt = 0
  #reading: Promise<void> | undefined
  #count = 0

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    readonly refreshMs = 5000,
  ) {}

  /** The snapshot as it is, without waiting (for the banner); starts a refresh in the background when due. */
  peek(): StatusSnapshot | undefined {
    if (this.#due()) void this.refresh()
    return this.#snapshot
  }

  /**
   * The snapshot, read first when due; the last known one when the database fails. A database that
   * hangs rather than fails is waited for only briefly once there is a snapshot to fall back on.
   */
  async current(): Promise<StatusSnapshot> {
    if (this.#due() || this.#reading) {
      const reading = this.refresh()
      if (!this.#snapshot) await reading
      else await Promise.race([reading, delay(WAIT_FOR_READ_MS)])
    }
    if (!this.#snapshot) throw new StatusUnavailable()
    return this.#snapshot
  }

  /** Reads the database now (one read at a time; callers during a read share it). Never throws. */
  refresh(): Promise<void> {
    this.#reading ??= this.#read().finally(() => {
      this.#reading = undefined
    })
    return this.#reading
  }

  /** Reads again after a change made here: a read already under way may have started before it. */
  async reload(): Promise<void> {
    await this.#reading
    await this.refresh()
  }

  /** Waits for a read in progress, so the database is not closed under it. */
  async settle(): Promise<void> {
    await this.#reading
  }

  #due(): boolean {
    return !this.#reading && Date.now() - this.#lastAttempt >= this.refreshMs
  }

  async #read(): Promise<void> {
    this.#lastAttempt = Date.now()
    try {
      const data = await loadStatusData(this.db)
      this.#snapshot = snapshotOf(data, new Date(), ++this.#count)
    } catch (error) {
      // A warning, not an error: the page goes on serving the last state, and the database's own
      // failure is reported where it happens.
      this.log.warn({ err: error, asOf: this.#snapshot?.asOf }, 'status read failed; serving the last known state')
    }
  }
}

export function snapshotOf(data: StatusData, now: Date, id: number): StatusSnapshot {
  const openIncidents = data.incidents.filter(isOpen)
  const currentMaintenance = data.maintenance.filter((window) => window.endsAt > now)
  const active = currentMaintenance.filter((window) => isActive(window, now))
  const bannerKey = createHash('sha256')
    .update(JSON.stringify([openIncidents.map((i) => [i.id, i.updates.length]), active.map((m) => m.id), data.maintenanceMode ?? null, (data.detected ?? []).map((d) => d.component)]))
    .digest('base64url')
    .slice(0, 12)
  return { id, asOf: now, data, states: currentStates(data, now), openIncidents, currentMaintenance, bannerKey, memo: new Map() }
}

/** Works `make` out once per snapshot and key. */
export function memo<T>(snapshot: StatusSnapshot, key: string, make: () => T): T {
  if (!snapshot.memo.has(key)) snapshot.memo.set(key, make())
  return snapshot.memo.get(key) as T
}

export function historyOf(snapshot: StatusSnapshot, component: string): HistoryDay[] {
  return memo(snapshot, `history:${component}`, () => history(snapshot.data, component, snapshot.asOf))
}
