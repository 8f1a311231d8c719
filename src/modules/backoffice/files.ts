import { roleMay } from '../../platform/access/access.js'
import type { Db } from '../../platform/db/database.js'
import type { MayDownload } from '../uploads/service.js'

/** The statuses in which an application is the agency's to read: submitted to it (drafts and unpaid ones are not yet). */
const SUBMITTED = new Set(['in-progress', 'action-needed', 'completed'])

/**
 * Who may fetch an uploaded file: the person who sent it, and staff whose role opens the agency's
 * queue, for an application of their own agency once it has been submitted to them. Everyone else is
 * told the file does not exist. Each staff download is audited by the uploads module.
 */
export function caseFileAccess(db: Db): MayDownload {
  return async (session, upload) => {
    if (upload.uploadedBy === session.accountId) return true
    if (!session.agencyCode || !roleMay(session.role, 'backoffice.queue')) return false
    const row = await db.selectFrom('applications').select(['agency_code', 'status']).where('id', '=', upload.applicationId).executeTakeFirst()
    return row?.agency_code === session.agencyCode && SUBMITTED.has(row.status)
  }
}
