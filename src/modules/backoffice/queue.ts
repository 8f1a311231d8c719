import { isUuid } from '../applications/store.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { addToDate, isIsoDate, type IsoDate } from '../services/dates.js'
import type { Text } from '../services/definition.js'
import type { BackofficeService, Staff } from './service.js'
import { COUNT_CAP, namesOf, queueCounts, queueRows, type QueueCursor, type QueueQuery, type QueueRow } from './store.js'

export const PAGE_SIZE = 25

export interface QueueFilter {
  view: 'open' | 'completed'
  service?: string
  stage?: string
  sla?: 'overdue' | 'due-today'
  assignee?: 'me' | 'nobody'
  /** Submitted on or after / on or before these days (Kenyan dates). */
  from?: IsoDate
  to?: IsoDate
  after?: QueueCursor
}

/** A stage of one of the agency's services, in any version an application may be on. */
export interface AgencyStage {
  service: string
  serviceName: Text
  stage: string
  name: Text
  open: boolean
}

/** Every (service, stage) of the agency across kept versions: the queue's ranges and its counts. */
export function agencyStages(catalogue: ServiceCatalogue, agency: string): AgencyStage[] {
  const stages = new Map<string, AgencyStage>()
  for (const latest of catalogue.forAgency(agency)) {
    // Newest first, so a stage keeps its latest name.
    for (const version of [...catalogue.versions(latest.slug)].reverse()) {
      for (const stage of catalogue.version(latest.slug, version)!.workflow.stages) {
        const key = `${latest.slug}/${stage.id}`
        if (!stages.has(key)) stages.set(key, { service: latest.slug, serviceName: latest.name, stage: stage.id, name: stage.name, open: !stage.end })
      }
    }
  }
  return [...stages.values()]
}

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | undefined => (allowed.includes(value as T) ? (value as T) : undefined)

/** The filter from the query string: anything that is not one of the offered values is left out. */
export function readFilter(query: Record<string, unknown>, stages: AgencyStage[]): QueueFilter {
  const view = pick(query.view, ['open', 'completed'] as const) ?? 'open'
  const date = (value: unknown) => (typeof value === 'string' && isIsoDate(value) ? value : undefined)
  return {
    view,
    service: pick(query.service, [...new Set(stages.map((stage) => stage.service))]),
    stage: pick(query.stage, [...new Set(stages.map((stage) => stage.stage))]),
    sla: view === 'open' ? pick(query.sla, ['overdue', 'due-today'] as const) : undefined,
    assignee: pick(query.assignee, ['me', 'nobody'] as const),
    from: date(query.from),
    to: date(query.to),
    after: decodeCursor(query.after, view),
  }
}

export function encodeCursor(row: QueueRow, view: QueueFilter['view']): string {
  return Buffer.from(`${view === 'open' ? (row.expected_by ?? '') : row.cursor_at}|${row.id}`).toString('base64url')
}

function decodeCursor(value: unknown, view: QueueFilter['view']): QueueCursor | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined
  const [key = '', id] = Buffer.from(value, 'base64url').toString('utf8').split('|')
  if (!isUuid(id)) return undefined
  if (view === 'open') return key === '' ? { due: null, id } : isIsoDate(key) ? { due: key, id } : undefined
  // A timestamp exactly as PostgreSQL prints it (encodeCursor wrote it).
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(key) ? { at: key, id } : undefined
}

/** The filter as query-string pairs (for links that keep it), without the cursor. */
export function filterParams(filter: QueueFilter, over: Partial<Record<keyof QueueFilter, string | undefined>> = {}): string {
  const pairs: Record<string, string | undefined> = {
    view: filter.view === 'open' ? undefined : filter.view,
    service: filter.service,
    stage: filter.stage,
    sla: filter.sla,
    assignee: filter.assignee,
    from: filter.from,
    to: filter.to,
    ...over,
  }
  return new URLSearchParams(Object.entries(pairs).filter((pair): pair is [string, string] => Boolean(pair[1]))).toString()
}

export interface QueueResult {
  rows: QueueRow[]
  /** The next page's cursor, when there is one. */
  next?: string
  assignees: Map<string, string>
  stages: AgencyStage[]
  /** Open cases per open (service, stage), in `stages` order (COUNT_CAP + 1 means "more than COUNT_CAP"). */
  counts: { stage: AgencyStage; count: number }[]
  overdue: number
  dueToday: number
}

/** The query for a filter: the index ranges it reads (one per service and stage when those are chosen). */
export function queueQuery(staff: Staff, filter: QueueFilter, stages: AgencyStage[], today: IsoDate): QueueQuery | undefined {
  const matching = stages.filter(
    (stage) => stage.open === (filter.view === 'open') && (!filter.service || stage.service === filter.service) && (!filter.stage || stage.stage === filter.stage),
  )
  if ((filter.service || filter.stage) && matching.length === 0) return undefined
  const query: QueueQuery = {
    agency: staff.agencyCode,
    view: filter.view,
    sla: filter.sla,
    assignee: filter.assignee === 'me' ? { id: staff.accountId } : filter.assignee,
    submittedFrom: filter.from && `${filter.from}T00:00:00+03:00`,
    submittedBefore: filter.to && `${addToDate(filter.to, 1, 'd')}T00:00:00+03:00`,
    today,
    limit: PAGE_SIZE + 1,
  }
  if (!filter.service && !filter.stage) return query
  // An assignee's cases are few: read their range and filter. Otherwise one range per stage, merged.
  if (filter.view === 'open' && !filter.assignee) return { ...query, ranges: matching.map((stage) => ({ service: stage.service, stage: stage.stage })) }
  return { ...query, service: filter.service, stages: [...new Set(matching.map((stage) => stage.stage))] }
}

/** One page of the agency's queue for a filter, with the counts per stage and by SLA. */
export async function queuePage(service: BackofficeService, staff: Staff, filter: QueueFilter): Promise<QueueResult> {
  const { db, catalogue } = service.deps
  const today = service.today()
  const stages = agencyStages(catalogue, staff.agencyCode)
  const query = queueQuery(staff, filter, stages, today)
  const open = stages.filter((stage) => stage.open)
  const [found, counts] = await Promise.all([
    query ? queueRows(db, query, filter.after) : Promise.resolve([]),
    queueCounts(db, staff.agencyCode, open.map((stage) => ({ service: stage.service, stage: stage.stage })), today),
  ])
  const rows = found.slice(0, PAGE_SIZE)
  const assignees = await namesOf(db, [...new Set(rows.map((row) => row.assignee_id).filter((id): id is string => id !== null))])
  return {
    rows,
    next: found.length > PAGE_SIZE ? encodeCursor(rows.at(-1)!, filter.view) : undefined,
    assignees,
    stages,
    counts: open.map((stage, index) => ({ stage, count: counts.stages[index] ?? 0 })).filter((entry) => entry.count > 0),
    overdue: counts.overdue,
    dueToday: counts.dueToday,
  }
}

/** Made once: a NumberFormat per call costs more than the count it formats. */
const COUNTS = new Intl.NumberFormat('en-KE')

/** A count as the queue shows it: exact up to COUNT_CAP, then "1,000+". */
export function countText(count: number): string {
  return count > COUNT_CAP ? `${COUNTS.format(COUNT_CAP)}+` : COUNTS.format(count)
}
