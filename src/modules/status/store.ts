import { sql, type Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import { agencyComponentId, HISTORY_DAYS, PLATFORM_COMPONENTS, type Bilingual, type Component, type Incident, type Maintenance, type StatusData } from './model.js'
import type { Impact, IncidentStatus, StatusIncidentComponentsTable, StatusIncidentsTable, StatusIncidentUpdatesTable } from './tables.js'

/** At most this many incidents and maintenance windows are read: the page shows recent history only. */
const LIMIT = 200

/** Everything the status page shows, in a few small queries (the board runs this every few seconds at most). */
export async function loadStatusData(db: Db): Promise<StatusData> {
  const since = new Date(Date.now() - (HISTORY_DAYS + 1) * 24 * 3600 * 1000)
  const components = await loadComponents(db)
  const incidentRows = await db
    .selectFrom('status_incidents')
    .selectAll()
    // Drafts from automatic detection are for administrators until one publishes them.
    .where('draft', '=', false)
    .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', since)]))
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .limit(LIMIT)
    .execute()
  const incidentIds = incidentRows.map((row) => row.id)
  const [incidentComponents, updates] = incidentIds.length
    ? await Promise.all([
        db.selectFrom('status_incident_components').selectAll().where('incident_id', 'in', incidentIds).execute(),
        db.selectFrom('status_incident_updates').selectAll().where('incident_id', 'in', incidentIds).orderBy('posted_at', 'desc').orderBy('id').execute(),
      ])
    : [[], []]
  const maintenanceRows = await db
    .selectFrom('status_maintenance')
    .selectAll()
    .where('cancelled_at', 'is', null)
    .where('ends_at', '>=', since)
    .orderBy('starts_at')
    .orderBy('id')
    .limit(LIMIT)
    .execute()
  const maintenanceIds = maintenanceRows.map((row) => row.id)
  const maintenanceComponents = maintenanceIds.length
    ? await db.selectFrom('status_maintenance_components').selectAll().where('maintenance_id', 'in', maintenanceIds).execute()
    : []

  const mode = await db.selectFrom('status_maintenance_mode').select(['message_en', 'message_sw', 'switched_on_at']).executeTakeFirst()
  const detected = await db
    .selectFrom('status_detections')
    .select(['component', 'changed_at', 'reason_en', 'reason_sw'])
    .where('state', '=', 'degraded')
    .orderBy('component')
    .execute()

  const incidents = incidentRows.map((row) => toIncident(row, incidentComponents, updates))
  const maintenance: Maintenance[] = maintenanceRows.map((row) => ({
    id: row.id,
    message: { en: row.message_en, sw: row.message_sw },
    startsAt: new Date(row.starts_at),
    endsAt: new Date(row.ends_at),
    components: componentsOf(maintenanceComponents.filter((c) => c.maintenance_id === row.id)),
  }))
  return {
    components,
    incidents,
    maintenance,
    maintenanceMode: mode && { message: { en: mode.message_en, sw: mode.message_sw }, since: new Date(mode.switched_on_at) },
    detected: detected.map((row) => ({ component: row.component, since: new Date(row.changed_at), reason: { en: row.reason_en ?? '', sw: row.reason_sw ?? '' } })),
  }
}

/** Every component: the platform's, then one per agency. */
export async function loadComponents(db: Db): Promise<Component[]> {
  const agencies = await db.selectFrom('agencies').select(['code', 'name_en', 'name_sw']).orderBy('code').execute()
  return [
    ...PLATFORM_COMPONENTS.map((id) => ({ id })),
    ...agencies.map((a) => ({ id: agencyComponentId(a.code), agency: { code: a.code, name: { en: a.name_en, sw: a.name_sw } } })),
  ]
}

type IncidentRow = Selectable<StatusIncidentsTable>

function toIncident(row: IncidentRow, components: Selectable<StatusIncidentComponentsTable>[], updates: Selectable<StatusIncidentUpdatesTable>[]): Incident {
  return {
    id: row.id,
    impact: row.impact,
    title: { en: row.title_en, sw: row.title_sw },
    status: row.status,
    startedAt: new Date(row.started_at),
    resolvedAt: row.resolved_at ? new Date(row.resolved_at) : null,
    draft: row.draft,
    components: componentsOf(components.filter((c) => c.incident_id === row.id)),
    updates: updates
      .filter((u) => u.incident_id === row.id)
      .map((u) => ({ id: u.id, status: u.status, message: { en: u.message_en, sw: u.message_sw }, postedAt: new Date(u.posted_at) })),
  }
}

const componentsOf = (rows: { component: string }[]) => rows.map((row) => row.component).sort()

/** One incident with its whole timeline, however old (the admin pages read it fresh, not from the board). */
export async function findIncident(db: Db, id: string): Promise<Incident | undefined> {
  const row = await db.selectFrom('status_incidents').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) return undefined
  const components = await db.selectFrom('status_incident_components').selectAll().where('incident_id', '=', id).execute()
  const updates = await db.selectFrom('status_incident_updates').selectAll().where('incident_id', '=', id).orderBy('posted_at', 'desc').orderBy('id').execute()
  return toIncident(row, components, updates)
}

export interface NewIncident {
  impact: Impact
  title: Bilingual
  message: Bilingual
  components: string[]
  openedBy: string
}

export async function insertIncident(db: Db, incident: NewIncident): Promise<string> {
  const { id } = await db
    .insertInto('status_incidents')
    .values({ impact: incident.impact, title_en: incident.title.en, title_sw: incident.title.sw, status: 'investigating', opened_by: incident.openedBy })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db.insertInto('status_incident_components').values(incident.components.map((component) => ({ incident_id: id, component }))).execute()
  await db
    .insertInto('status_incident_updates')
    .values({ incident_id: id, status: 'investigating', message_en: incident.message.en, message_sw: incident.message.sw, posted_by: incident.openedBy })
    .execute()
  return id
}

/**
 * Adds an update and moves the incident to its status. Only an open incident moves (`where resolved_at
 * is null`), so two people resolving at once make one resolution; the loser gets false.
 */
export async function insertIncidentUpdate(db: Db, update: { incidentId: string; status: IncidentStatus; message: Bilingual; postedBy: string }): Promise<boolean> {
  const moved = await db
    .updateTable('status_incidents')
    .set({ status: update.status, resolved_at: update.status === 'resolved' ? sql<Date>`now()` : null })
    .where('id', '=', update.incidentId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst()
  if (moved.numUpdatedRows === 0n) return false
  await db
    .insertInto('status_incident_updates')
    .values({ incident_id: update.incidentId, status: update.status, message_en: update.message.en, message_sw: update.message.sw, posted_by: update.postedBy })
    .execute()
  return true
}

export async function insertMaintenance(db: Db, window: { message: Bilingual; startsAt: Date; endsAt: Date; components: string[]; scheduledBy: string }): Promise<string> {
  const { id } = await db
    .insertInto('status_maintenance')
    .values({ message_en: window.message.en, message_sw: window.message.sw, starts_at: window.startsAt, ends_at: window.endsAt, scheduled_by: window.scheduledBy })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db.insertInto('status_maintenance_components').values(window.components.map((component) => ({ maintenance_id: id, component }))).execute()
  return id
}


/** Takes a window off the page; one already over (or cancelled) stays as it was, and false says so. */
export async function cancelMaintenance(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('status_maintenance')
    .set({ cancelled_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('cancelled_at', 'is', null)
    .where('ends_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Drafts automatic detection opened that no administrator has published or discarded, oldest first. */
export async function listOpenDrafts(db: Db): Promise<Incident[]> {
  const rows = await db.selectFrom('status_incidents').select('id').where('draft', '=', true).where('resolved_at', 'is', null).orderBy('started_at').orderBy('id').execute()
  const drafts = await Promise.all(rows.map((row) => findIncident(db, row.id)))
  return drafts.filter((draft): draft is Incident => draft !== undefined)
}

/** Makes an open draft a public incident; false when it is not one (published or closed already). */
export async function publishDraft(db: Db, id: string): Promise<boolean> {
  const result = await db.updateTable('status_incidents').set({ draft: false }).where('id', '=', id).where('draft', '=', true).where('resolved_at', 'is', null).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Closes an open draft, chosen by its id (an administrator discards it) or by the component detection
 * opened it for (the component recovered), with a last update saying why. A draft stays a draft: it was
 * never public and does not appear in the page's history. The id of the closed draft, if there was one.
 */
export async function closeDraft(db: Db, which: { id: string } | { component: string }, message: Bilingual, postedBy: string | null): Promise<string | undefined> {
  const closed = await db
    .updateTable('status_incidents')
    .set({ status: 'resolved', resolved_at: sql<Date>`now()` })
    .where('draft', '=', true)
    .where('resolved_at', 'is', null)
    .where((eb) => ('id' in which ? eb('id', '=', which.id) : eb('detected_for', '=', which.component)))
    .returning('id')
    .executeTakeFirst()
  if (!closed) return undefined
  await db.insertInto('status_incident_updates').values({ incident_id: closed.id, status: 'resolved', message_en: message.en, message_sw: message.sw, posted_by: postedBy }).execute()
  return closed.id
}
