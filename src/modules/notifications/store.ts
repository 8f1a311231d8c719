import { sql, type Insertable, type Kysely, type Selectable } from 'kysely'
import type { NotificationsTable, NotificationTables } from './tables.js'

export type NotificationDb = Kysely<NotificationTables>
export type Notification = Selectable<NotificationsTable>

/** Records a message once per idempotency key. True when it is new, false when the key was already used. */
export async function insertNotification(db: NotificationDb, row: Insertable<NotificationsTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('notifications')
    .values(row)
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted !== undefined
}

/** insertNotification for several rows in one statement: the keys of those that are new. */
export async function insertNotifications(db: NotificationDb, rows: readonly Insertable<NotificationsTable>[]): Promise<string[]> {
  if (rows.length === 0) return []
  const inserted = await db
    .insertInto('notifications')
    .values([...rows])
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('idempotency_key')
    .execute()
  return inserted.map((row) => row.idempotency_key)
}

export function findNotification(db: NotificationDb, key: string): Promise<Notification | undefined> {
  return db.selectFrom('notifications').selectAll().where('idempotency_key', '=', key).executeTakeFirst()
}

/** Once sent, a message stays sent: a late duplicate delivery of its job changes nothing. */
export async function markNotificationSent(db: NotificationDb, key: string, providerMessageId: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set({
      status: 'sent',
      attempts: sql`attempts + 1`,
      provider_message_id: providerMessageId,
      last_error: null,
      sent_at: sql`now()`,
    })
    .where('idempotency_key', '=', key)
    .where('status', '<>', 'sent')
    .execute()
}

/** Counts a failed attempt; `final` when no retry will follow. */
export async function markNotificationFailed(db: NotificationDb, key: string, error: string, final: boolean): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ status: final ? 'failed' : 'queued', attempts: sql`attempts + 1`, last_error: error })
    .where('idempotency_key', '=', key)
    .where('status', '<>', 'sent')
    .execute()
}

export function listRecentNotifications(db: NotificationDb, limit: number): Promise<Notification[]> {
  return db.selectFrom('notifications').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}
