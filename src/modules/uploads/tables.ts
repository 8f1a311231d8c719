import type { Generated } from 'kysely'

/** One uploaded file: where its bytes are, what they are, and who sent them (migration 0011). */
export interface UploadsTable {
  id: Generated<string>
  application_id: string
  question_id: string
  original_name: string
  safe_name: string
  media_type: 'application/pdf' | 'image/jpeg' | 'image/png'
  size_bytes: number
  sha256: string
  storage_key: string
  uploaded_by: string
  created_at: Generated<Date>
}

/** The uploads module's tables, merged into the portal's Database. */
export interface UploadTables {
  uploads: UploadsTable
}
