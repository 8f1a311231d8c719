import { sql, type Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { SubscriptionChannel, StatusSubscriptionsTable } from './subscriptions-tables.js'

export type Subscription = Selectable<StatusSubscriptionsTable>

/**
 * Starts (or restarts) a pending subscription with a new secret. A confirmed one, or one sent its secret
 * less than a minute ago (someone filling a phone with codes), is left as it was and nothing is
 * returned: the caller answers the same either way.
 */
export async function upsertPendingSubscription(
  db: Db,
  row: { channel: SubscriptionChannel; address: string; language: 'en' | 'sw'; secretHash: string; expiresAt: Date },
): Promise<string | undefined> {
  const inserted = await db
    .insertInto('status_subscriptions')
    .values({ channel: row.channel, address: row.address, language: row.language, secret_hash: row.secretHash, expires_at: row.expiresAt })
    .onConflict((oc) =>
      oc
        .columns(['channel', 'address'])
        .doUpdateSet({ language: row.language, secret_hash: row.secretHash, attempts: 0, expires_at: row.expiresAt, last_sent_at: sql<Date>`now()` })
        .where('status_subscriptions.confirmed_at', 'is', null)
        .where('status_subscriptions.last_sent_at', '<', sql<Date>`now() - interval '1 minute'`),
    )
    .returning('id')
    .executeTakeFirst()
  return inserted?.id
}

export async function replaceSubscriptionComponents(db: Db, subscriptionId: string, components: readonly string[]): Promise<void> {
  await db.deleteFrom('status_subscription_components').where('subscription_id', '=', subscriptionId).execute()
  if (components.length === 0) return
  await db
    .insertInto('status_subscription_components')
    .values(components.map((component) => ({ subscription_id: subscriptionId, component })))
    .execute()
}

/** A pending subscription still open, by its confirmation link's hash. */
export function findPendingBySecret(db: Db, secretHash: string): Promise<Subscription | undefined> {
  return db
    .selectFrom('status_subscriptions')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .where('confirmed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
}

/** A pending subscription still open, by its address. */
export function findPendingByAddress(db: Db, channel: SubscriptionChannel, address: string): Promise<Subscription | undefined> {
  return db
    .selectFrom('status_subscriptions')
    .selectAll()
    .where('channel', '=', channel)
    .where('address', '=', address)
    .where('confirmed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
}

/** Counts a wrong code; returns the count after it. */
export async function countWrongCode(db: Db, subscriptionId: string): Promise<number> {
  const row = await db
    .updateTable('status_subscriptions')
    .set({ attempts: sql<number>`attempts + 1` })
    .where('id', '=', subscriptionId)
    .returning('attempts')
    .executeTakeFirst()
  return row?.attempts ?? 0
}

/** Confirms only with the secret it was checked against, so two confirmations make one. */
export async function confirmSubscription(db: Db, subscriptionId: string, secretHash: string): Promise<boolean> {
  const result = await db
    .updateTable('status_subscriptions')
    .set({ confirmed_at: sql<Date>`now()`, secret_hash: null })
    .where('id', '=', subscriptionId)
    .where('secret_hash', '=', secretHash)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function findSubscriptionByLink(db: Db, tokenHash: string): Promise<Subscription | undefined> {
  return db
    .selectFrom('status_subscription_links as l')
    .innerJoin('status_subscriptions as s', 's.id', 'l.subscription_id')
    .selectAll('s')
    .where('l.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

/** Unsubscribing forgets the subscriber: their components and links go with the row. */
export async function deleteSubscription(db: Db, subscriptionId: string): Promise<boolean> {
  const result = await db.deleteFrom('status_subscriptions').where('id', '=', subscriptionId).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** Pending subscriptions a day past their expiry: never confirmed, so nothing is kept about them. */
export async function deleteExpiredPending(db: Db): Promise<number> {
  const result = await db
    .deleteFrom('status_subscriptions')
    .where('confirmed_at', 'is', null)
    .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function insertUnsubscribeLinks(db: Db, rows: { tokenHash: string; subscriptionId: string }[]): Promise<void> {
  if (rows.length === 0) return
  await db
    .insertInto('status_subscription_links')
    .values(rows.map((row) => ({ token_hash: row.tokenHash, subscription_id: row.subscriptionId })))
    .execute()
}

export type Subscriber = Pick<Subscription, 'id' | 'channel' | 'address' | 'language'>

/**
 * Confirmed subscribers who follow any of these components (or every component), in id order after
 * `after`: the fan-out reads them a batch at a time.
 */
export function confirmedSubscribersFor(db: Db, components: readonly string[], after: string | undefined, limit: number): Promise<Subscriber[]> {
  let query = db
    .selectFrom('status_subscriptions as s')
    .select(['s.id', 's.channel', 's.address', 's.language'])
    .where('s.confirmed_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.not(eb.exists(eb.selectFrom('status_subscription_components as c').select('c.component').whereRef('c.subscription_id', '=', 's.id'))),
        ...(components.length
          ? [eb.exists(eb.selectFrom('status_subscription_components as c').select('c.component').whereRef('c.subscription_id', '=', 's.id').where('c.component', 'in', [...components]))]
          : []),
      ]),
    )
  if (after) query = query.where('s.id', '>', after)
  return query.orderBy('s.id').limit(limit).execute()
}

/** What one published incident update says, and what it names. */
export async function findUpdateForSubscribers(db: Db, updateId: string) {
  const update = await db
    .selectFrom('status_incident_updates as u')
    .innerJoin('status_incidents as i', 'i.id', 'u.incident_id')
    .select(['u.id', 'u.incident_id', 'u.status', 'u.message_en', 'u.message_sw', 'i.title_en', 'i.title_sw'])
    .where('u.id', '=', updateId)
    .executeTakeFirst()
  if (!update) return undefined
  const components = await db.selectFrom('status_incident_components').select('component').where('incident_id', '=', update.incident_id).orderBy('component').execute()
  return { ...update, components: components.map((c) => c.component) }
}

/** The newest update of an incident: the one an "opened" or "updated" event just published. */
export async function newestUpdateId(db: Db, incidentId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('status_incident_updates')
    .select('id')
    .where('incident_id', '=', incidentId)
    .orderBy('posted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.id
}

export async function findMaintenanceForSubscribers(db: Db, maintenanceId: string) {
  const window = await db
    .selectFrom('status_maintenance')
    .select(['id', 'message_en', 'message_sw', 'starts_at', 'ends_at', 'cancelled_at'])
    .where('id', '=', maintenanceId)
    .executeTakeFirst()
  if (!window) return undefined
  const components = await db.selectFrom('status_maintenance_components').select('component').where('maintenance_id', '=', maintenanceId).orderBy('component').execute()
  return { ...window, components: components.map((c) => c.component) }
}
