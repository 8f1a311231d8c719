import { sql, type Insertable, type Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { SupportAttachmentsTable, SupportMessagesTable, SupportTicketsTable } from './tables.js'

export type TicketRow = Selectable<SupportTicketsTable>
export type MessageRow = Selectable<SupportMessagesTable>
export type AttachmentRow = Selectable<SupportAttachmentsTable>

/** Inserts a ticket once per idempotency key; undefined when the key was used before. */
export async function insertTicket(db: Db, ticket: Insertable<SupportTicketsTable>): Promise<TicketRow | undefined> {
  return db.insertInto('support_tickets').values(ticket).onConflict((oc) => oc.column('idempotency_key').doNothing()).returningAll().executeTakeFirst()
}

export function findTicketByKey(db: Db, idempotencyKey: string): Promise<TicketRow | undefined> {
  return db.selectFrom('support_tickets').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirst()
}

export function findTicket(db: Db, reference: string): Promise<TicketRow | undefined> {
  return db.selectFrom('support_tickets').selectAll().where('reference', '=', reference).executeTakeFirst()
}

export function insertMessage(db: Db, message: Insertable<SupportMessagesTable>): Promise<MessageRow> {
  return db.insertInto('support_messages').values(message).returningAll().executeTakeFirstOrThrow()
}

export async function insertAttachment(db: Db, attachment: Insertable<SupportAttachmentsTable>): Promise<void> {
  await db.insertInto('support_attachments').values(attachment).execute()
}

/** The conversation, oldest first, each message with its files. */
export async function messagesOf(db: Db, ticketId: string): Promise<(MessageRow & { attachments: AttachmentRow[] })[]> {
  const messages = await db.selectFrom('support_messages').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute()
  const ids = messages.map((m) => m.id)
  const files = ids.length ? await db.selectFrom('support_attachments').selectAll().where('message_id', 'in', ids).orderBy('created_at').execute() : []
  return messages.map((m) => ({ ...m, attachments: files.filter((f) => f.message_id === m.id) }))
}

/** A file of this ticket's conversation; undefined when the id names none of its files. */
export function findAttachment(db: Db, ticketId: string, attachmentId: string): Promise<AttachmentRow | undefined> {
  return db
    .selectFrom('support_attachments as f')
    .innerJoin('support_messages as m', 'm.id', 'f.message_id')
    .selectAll('f')
    .where('m.ticket_id', '=', ticketId)
    .where('f.id', '=', attachmentId)
    .executeTakeFirst()
}

/** The first agent reply meets the SLA; later replies leave the time of the first. */
export async function markAnswered(db: Db, ticketId: string, at: Date): Promise<void> {
  await db.updateTable('support_tickets').set({ first_responded_at: at }).where('id', '=', ticketId).where('first_responded_at', 'is', null).execute()
}

/** Closes an open ticket; false when it was already closed (a second click, another agent). */
export async function closeTicket(db: Db, ticketId: string, closedBy: string): Promise<boolean> {
  const row = await db
    .updateTable('support_tickets')
    .set({ status: 'closed', closed_at: sql<Date>`now()`, closed_by: closedBy })
    .where('id', '=', ticketId)
    .where('status', '=', 'open')
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

export function ticketsOfAccount(db: Db, accountId: string): Promise<TicketRow[]> {
  return db.selectFrom('support_tickets').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').limit(100).execute()
}

/** Open tickets for the console: those still waiting for a first answer first, each group by due time. */
export function openTickets(db: Db, limit = 200) {
  return db
    .selectFrom('support_tickets as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .select(['t.reference', 't.topic', 't.created_at', 't.first_response_due_at', 't.first_responded_at', 'a.first_name', 'a.last_name'])
    // Who spoke last: a person's answer after support replied wants attention again.
    .select((eb) =>
      eb.selectFrom('support_messages as m').select('m.author').whereRef('m.ticket_id', '=', 't.id').orderBy('m.seq', 'desc').limit(1).as('last_author'),
    )
    .where('t.status', '=', 'open')
    .orderBy(sql`t.first_responded_at is not null`)
    .orderBy('t.first_response_due_at')
    .orderBy('t.id')
    .limit(limit)
    .execute()
}

/** The person's applications and invoices, for the "about" choice and the console (newest first). */
export function applicationsOf(db: Db, accountId: string) {
  return db
    .selectFrom('applications')
    .select(['id', 'reference', 'service_slug', 'status', 'created_at'])
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute()
}

export function invoicesOf(db: Db, accountId: string) {
  return db
    .selectFrom('invoices')
    .select(['id', 'bill_reference', 'status', 'currency', 'total_cents', 'paid_cents', 'created_at'])
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute()
}

export function findOwnApplication(db: Db, accountId: string, reference: string) {
  return db.selectFrom('applications').select(['id', 'reference']).where('reference', '=', reference).where('account_id', '=', accountId).executeTakeFirst()
}

export function findOwnInvoice(db: Db, accountId: string, billReference: string) {
  return db.selectFrom('invoices').select(['id', 'bill_reference']).where('bill_reference', '=', billReference).where('account_id', '=', accountId).executeTakeFirst()
}

export async function referencesOf(db: Db, ticket: TicketRow): Promise<{ application?: string; bill?: string }> {
  const application = ticket.application_id ? await db.selectFrom('applications').select('reference').where('id', '=', ticket.application_id).executeTakeFirst() : undefined
  const invoice = ticket.invoice_id ? await db.selectFrom('invoices').select('bill_reference').where('id', '=', ticket.invoice_id).executeTakeFirst() : undefined
  return { application: application?.reference, bill: invoice?.bill_reference }
}

export function accountContact(db: Db, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'first_name', 'last_name', 'email', 'phone', 'id_number', 'passport_number', 'language'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow()
}

export interface LookupKeys {
  idNumber?: string
  phone?: string
  email?: string
  reference?: string
  billReference?: string
}

/** The accounts one identifier names: each key a separate indexed match, at most 20 people. */
export async function accountsMatching(db: Db, keys: LookupKeys): Promise<string[]> {
  const ids = new Set<string>()
  const add = (rows: { id: string }[]) => rows.forEach((row) => ids.add(row.id))
  if (keys.idNumber) add(await db.selectFrom('accounts').select('id').where((eb) => eb.or([eb('id_number', '=', keys.idNumber!), eb('passport_number', '=', keys.idNumber!)])).limit(20).execute())
  if (keys.phone) add(await db.selectFrom('accounts').select('id').where('phone', '=', keys.phone).limit(20).execute())
  if (keys.email) add(await db.selectFrom('accounts').select('id').where(sql`lower(email)`, '=', keys.email).limit(20).execute())
  if (keys.reference) {
    add(await db.selectFrom('applications').select('account_id as id').where('reference', '=', keys.reference).limit(20).execute())
    add(await db.selectFrom('support_tickets').select('account_id as id').where('reference', '=', keys.reference).limit(20).execute())
  }
  if (keys.billReference) add(await db.selectFrom('invoices').select('account_id as id').where('bill_reference', '=', keys.billReference).limit(20).execute())
  return [...ids].slice(0, 20)
}
