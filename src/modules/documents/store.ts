import { sql, type Insertable } from 'kysely'
import type { Executor } from '../applications/store.js'
import type { IssuedDocumentsTable, IssuedField, RevocationReason } from './tables.js'

/** A document as the public check reads it: one row by its unique number, nothing personal beyond the name. */
export interface DocumentStatusRow {
  number: string
  agency_code: string
  kind: IssuedDocumentsTable['kind']
  title_en: string
  title_sw: string
  holder_name: string
  valid_from: string
  valid_until: string | null
  issued_at: Date
  signing_key_id: string
  revoked_at: Date | null
  revocation_reason: RevocationReason | null
}

/** A document in full: the PDF, the back-office. */
export interface DocumentRow extends DocumentStatusRow {
  id: string
  application_id: string
  fields: IssuedField[]
  credential: string
  revocation_note: string | null
}

// Dates as the text they are: a Date would shift with the server's time zone.
const validFrom = sql<string>`to_char(valid_from, 'YYYY-MM-DD')`.as('valid_from')
const validUntil = sql<string | null>`to_char(valid_until, 'YYYY-MM-DD')`.as('valid_until')
const STATUS_COLUMNS = ['number', 'agency_code', 'kind', 'title_en', 'title_sw', 'holder_name', 'issued_at', 'signing_key_id', 'revoked_at', 'revocation_reason'] as const
const FULL_COLUMNS = [...STATUS_COLUMNS, 'id', 'application_id', 'fields', 'credential', 'revocation_note'] as const

/**
 * Writes a document unless its application has one, or its number is taken: `undefined` then, and the
 * caller finds out which (no unique violation, so the caller's transaction carries on).
 */
export async function insertDocument(db: Executor, values: Insertable<IssuedDocumentsTable>): Promise<string | undefined> {
  const row = await db.insertInto('issued_documents').values(values).onConflict((oc) => oc.doNothing()).returning('number').executeTakeFirst()
  return row?.number
}

export async function numberForApplication(db: Executor, applicationId: string): Promise<string | undefined> {
  return (await db.selectFrom('issued_documents').select('number').where('application_id', '=', applicationId).executeTakeFirst())?.number
}

export function findDocumentStatus(db: Executor, number: string): Promise<DocumentStatusRow | undefined> {
  return db.selectFrom('issued_documents').select(STATUS_COLUMNS).select([validFrom, validUntil]).where('number', '=', number).executeTakeFirst()
}

export function findDocument(db: Executor, number: string): Promise<DocumentRow | undefined> {
  return db.selectFrom('issued_documents').select(FULL_COLUMNS).select([validFrom, validUntil]).where('number', '=', number).executeTakeFirst()
}

/** The document of an application the account made (for itself, a dependant or a business), by reference. */
export function findApplicantDocument(db: Executor, accountId: string, reference: string) {
  return db
    .selectFrom('issued_documents as d')
    .innerJoin('applications as a', 'a.id', 'd.application_id')
    .select(FULL_COLUMNS.map((column) => `d.${column}` as const))
    .select([sql<string>`to_char(d.valid_from, 'YYYY-MM-DD')`.as('valid_from'), sql<string | null>`to_char(d.valid_until, 'YYYY-MM-DD')`.as('valid_until')])
    .select(['a.party_kind', 'a.party_id', 'a.reference'])
    .where('a.reference', '=', reference)
    .where('a.account_id', '=', accountId)
    .executeTakeFirst()
}

/** Documents of these applications (one indexed read each): the dashboard and application page link them. */
export function documentsOf(db: Executor, applicationIds: string[]) {
  return db
    .selectFrom('issued_documents')
    .select(['application_id', 'number', 'title_en', 'title_sw', 'revoked_at'])
    .where('application_id', 'in', applicationIds)
    .execute()
}

/** Revokes a live document of the agency; undefined when there is none (another agency's, or revoked already). */
export async function revokeDocument(
  db: Executor,
  where: { number: string; agencyCode: string },
  revocation: { by: string; reason: RevocationReason; note: string },
): Promise<DocumentRow | undefined> {
  return db
    .updateTable('issued_documents')
    .set({ revoked_at: sql<Date>`now()`, revoked_by: revocation.by, revocation_reason: revocation.reason, revocation_note: revocation.note })
    .where('number', '=', where.number)
    .where('agency_code', '=', where.agencyCode)
    .where('revoked_at', 'is', null)
    .returning(FULL_COLUMNS)
    .returning([validFrom, validUntil])
    .executeTakeFirst()
}

export interface ListedDocument {
  number: string
  kind: IssuedDocumentsTable['kind']
  title_en: string
  title_sw: string
  holder_name: string
  issued_at: Date
  valid_until: string | null
  revoked_at: Date | null
  /** issued_at as the database's exact text (microseconds), for the next page's cursor. */
  cursor_at: string
  id: string
}

/** One page of an agency's documents, newest first: one range of issued_documents_agency from the cursor on. */
export function agencyDocuments(db: Executor, agencyCode: string, limit: number, after?: { at: string; id: string }): Promise<ListedDocument[]> {
  let query = db
    .selectFrom('issued_documents')
    .select(['id', 'number', 'kind', 'title_en', 'title_sw', 'holder_name', 'issued_at', 'revoked_at'])
    .select([validUntil, sql<string>`issued_at::text`.as('cursor_at')])
    .where('agency_code', '=', agencyCode)
  if (after) query = query.where(sql<boolean>`(issued_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`)
  return query.orderBy('issued_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}
