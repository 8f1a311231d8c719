/**
 * The M-Pesa inbox's queries: every message M-Pesa sends is one row, written before it is acknowledged
 * and processed exactly once (the row is locked and marked processed in the transaction of its effect).
 */
import type { Executor } from '../store.js'
import type { InboxKind } from '../inbox-tables.js'

export interface InboxMessage {
  kind: InboxKind
  /** The path it came to, with the secret segment masked. */
  path: string
  sourceIp: string
  body: unknown
  /** Refused at the door: recorded as processed, never acted on. */
  refusedReason?: string
  /** Handled at once (a C2B validation answer): recorded as processed with this outcome. */
  outcome?: string
}

export interface InboxRow {
  id: string
  kind: InboxKind
  body: unknown
  sourceIp: string
  receivedAt: Date
  attempts: number
}

/** Many messages in one statement (the writer batches concurrent callbacks); ids in the order given. */
export async function insertMessages(db: Executor, messages: InboxMessage[]): Promise<string[]> {
  if (messages.length === 0) return []
  const now = new Date()
  const rows = await db
    .insertInto('mpesa_inbox')
    .values(
      messages.map((message) => {
        const done = message.refusedReason !== undefined || message.outcome !== undefined
        return {
          kind: message.kind,
          path: message.path.slice(0, 300),
          source_ip: message.sourceIp.slice(0, 64),
          body: JSON.stringify(message.body ?? null),
          refused_reason: message.refusedReason?.slice(0, 200) ?? null,
          processed_at: done ? now : null,
          outcome: message.refusedReason !== undefined ? 'refused' : (message.outcome?.slice(0, 60) ?? null),
        }
      }),
    )
    .returning('id')
    .execute()
  return rows.map((row) => String(row.id))
}

type Selected = { id: string | number; kind: InboxKind; body: unknown; source_ip: string; received_at: Date; attempts: number }
const toRow = (row: Selected): InboxRow => ({ id: String(row.id), kind: row.kind, body: row.body, sourceIp: row.source_ip, receivedAt: row.received_at, attempts: row.attempts })

/** The row, if still to be processed (read without a lock: verification may ask Daraja first). */
export async function findUnprocessed(db: Executor, id: string): Promise<InboxRow | undefined> {
  const row = await db
    .selectFrom('mpesa_inbox')
    .select(['id', 'kind', 'body', 'source_ip', 'received_at', 'attempts'])
    .where('id', '=', id)
    .where('processed_at', 'is', null)
    .executeTakeFirst()
  return row && toRow(row as Selected)
}

/**
 * Takes the row for the caller's transaction if nobody has processed it or is processing it: the one
 * who gets it applies its effect and marks it processed before commit. Undefined: done, or taken.
 */
export async function lockUnprocessed(trx: Executor, id: string): Promise<boolean> {
  const row = await trx.selectFrom('mpesa_inbox').select('id').where('id', '=', id).where('processed_at', 'is', null).forUpdate().skipLocked().executeTakeFirst()
  return row !== undefined
}

export async function markProcessed(trx: Executor, id: string, outcome: string): Promise<void> {
  await trx.updateTable('mpesa_inbox').set({ processed_at: new Date(), outcome: outcome.slice(0, 60) }).where('id', '=', id).execute()
}

/** No outcome yet (Daraja's answer is still to come): asked again after `delayMs`. */
export async function retryLater(db: Executor, id: string, delayMs: number, note: string): Promise<void> {
  await db
    .updateTable('mpesa_inbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: new Date(Date.now() + delayMs), outcome: note.slice(0, 60) }))
    .where('id', '=', id)
    .where('processed_at', 'is', null)
    .execute()
}

/** Rows left unprocessed (a process died after the ack, or a retry is due), oldest first. */
export async function dueUnprocessed(db: Executor, olderThan: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('mpesa_inbox')
    .select('id')
    .where('processed_at', 'is', null)
    .where('received_at', '<', olderThan)
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', new Date())]))
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((row) => String(row.id))
}
