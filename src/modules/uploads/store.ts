import type { Insertable, Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { UploadsTable } from './tables.js'

export type UploadRow = Selectable<UploadsTable>

export async function insertUpload(db: Db, upload: Insertable<UploadsTable>): Promise<UploadRow> {
  return db.insertInto('uploads').values(upload).returningAll().executeTakeFirstOrThrow()
}

export function findUpload(db: Db, id: string): Promise<UploadRow | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst()
}

export function uploadsOfApplication(db: Db, applicationId: string): Promise<UploadRow[]> {
  return db.selectFrom('uploads').selectAll().where('application_id', '=', applicationId).orderBy('created_at').orderBy('id').execute()
}

export async function deleteUpload(db: Db, id: string): Promise<UploadRow | undefined> {
  return db.deleteFrom('uploads').where('id', '=', id).returningAll().executeTakeFirst()
}

/** The agency that handles an application (migration 0010's table), which decides whose staff may read its files. */
export async function agencyOfApplication(db: Db, applicationId: string): Promise<string | undefined> {
  const row = await db.selectFrom('applications').select('agency_code').where('id', '=', applicationId).executeTakeFirst()
  return row?.agency_code
}
