import type { Insertable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { FeedbackTable } from '../../platform/db/schema.js'

/** Saves feedback once per idempotency key: a resubmitted form records nothing new. */
export async function insertFeedback(db: Db, feedback: Insertable<FeedbackTable>): Promise<void> {
  await db.insertInto('feedback').values(feedback).onConflict((oc) => oc.column('idempotency_key').doNothing()).execute()
}

export function countFeedback(db: Db): Promise<{ count: string }> {
  return db.selectFrom('feedback').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow()
}
