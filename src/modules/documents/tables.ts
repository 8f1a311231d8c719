import type { ColumnType, Generated } from 'kysely'
import type { DOCUMENT_KINDS, Text } from '../services/definition.js'

export type DocumentKind = (typeof DOCUMENT_KINDS)[number]

/** Why a document was revoked: the category the public check shows. */
export const REVOCATION_REASONS = ['issued-in-error', 'fraud', 'replaced', 'holder-request', 'other'] as const
export type RevocationReason = (typeof REVOCATION_REASONS)[number]

/** One line of a document as issued: its label and value in both languages (null: not given). */
export interface IssuedField {
  id: string
  label: Text
  value: Text | null
}

export interface IssuedDocumentsTable {
  id: Generated<string>
  number: string
  application_id: string
  agency_code: string
  kind: DocumentKind
  title_en: string
  title_sw: string
  holder_name: string
  /** jsonb: written as a JSON string, read back as the array. */
  fields: ColumnType<IssuedField[], string, never>
  /** Date columns, read back as 'YYYY-MM-DD' text by the store. */
  valid_from: ColumnType<string, string, never>
  valid_until: ColumnType<string | null, string | null, never>
  issued_at: Generated<Date>
  issued_by: string
  signing_key_id: string
  credential: string
  revoked_at: Date | null
  revoked_by: string | null
  revocation_reason: RevocationReason | null
  revocation_note: string | null
}

export interface DocumentSigningKeysTable {
  kid: string
  /** jsonb: written as a JSON string, read back as the JWK. */
  public_jwk: ColumnType<{ kty: string; crv: string; x: string }, string, never>
  source: 'setting' | 'generated'
  private_pkcs8: string | null
  created_at: Generated<Date>
  retired_at: Date | null
}

/** The documents module's tables, merged into the portal's Database. */
export interface DocumentTables {
  issued_documents: IssuedDocumentsTable
  document_signing_keys: DocumentSigningKeysTable
}
