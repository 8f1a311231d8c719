import { sql } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { Detection } from './detection.js'
import type { Bilingual } from './model.js'

/**
 * Detection's queries. Several workers may probe at once: each round is claimed by one of them, and
 * every write names the round it belongs to, so no round counts twice and a late one never overwrites a
 * newer one.
 */

/** Claims probe round `round` for this worker; false when another has it (or a later one) already. */
export async function claimRound(db: Db, round: number): Promise<boolean> {
  const result = await db.updateTable('status_detection_rounds').set({ round, claimed_at: sql<Date>`now()` }).where('round', '<', String(round)).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function loadDetections(db: Db): Promise<Map<string, Detection>> {
  const rows = await db.selectFrom('status_detections').select(['component', 'state', 'streak']).execute()
  return new Map(rows.map((row) => [row.component, { state: row.state, streak: row.streak }]))
}

/**
 * Stores a component's detection as of `round`, only over an older round's (compare-and-set); false
 * when a newer round wrote first. `reason` is kept when the component becomes degraded.
 */
export async function saveDetection(db: Db, component: string, detection: Detection, round: number, reason?: Bilingual): Promise<boolean> {
  const stateChanged = sql<boolean>`status_detections.state <> excluded.state`
  const result = await db
    .insertInto('status_detections')
    .values({ component, state: detection.state, streak: detection.streak, round, reason_en: reason?.en ?? null, reason_sw: reason?.sw ?? null })
    .onConflict((oc) =>
      oc
        .column('component')
        .doUpdateSet({
          state: (eb) => eb.ref('excluded.state'),
          streak: (eb) => eb.ref('excluded.streak'),
          round: (eb) => eb.ref('excluded.round'),
          reason_en: sql<string | null>`coalesce(excluded.reason_en, status_detections.reason_en)`,
          reason_sw: sql<string | null>`coalesce(excluded.reason_sw, status_detections.reason_sw)`,
          changed_at: sql<Date>`case when ${stateChanged} then now() else status_detections.changed_at end`,
        })
        .where('status_detections.round', '<', (eb) => eb.ref('excluded.round')),
    )
    .executeTakeFirst()
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n
}

/**
 * Opens the draft incident for a component detection found degraded. The unique index on open
 * detected incidents makes this at most one per component however many workers race: the loser (or a
 * component whose earlier incident is still open, published or not) opens nothing and gets undefined.
 */
export async function openDraft(db: Db, draft: { component: string; title: Bilingual; message: Bilingual }): Promise<string | undefined> {
  const row = await db
    .insertInto('status_incidents')
    .values({ impact: 'degraded', title_en: draft.title.en, title_sw: draft.title.sw, status: 'investigating', opened_by: null, draft: true, detected_for: draft.component })
    .onConflict((oc) => oc.column('detected_for').where('resolved_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!row) return undefined
  await db.insertInto('status_incident_components').values({ incident_id: row.id, component: draft.component }).execute()
  await db.insertInto('status_incident_updates').values({ incident_id: row.id, status: 'investigating', message_en: draft.message.en, message_sw: draft.message.sw, posted_by: null }).execute()
  return row.id
}
