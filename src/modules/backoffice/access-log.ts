import { sql } from 'kysely'
import { STAFF_ROLES } from '../../platform/access/access.js'
import type { Translate } from '../../platform/i18n/i18n.js'
import type { Executor } from '../applications/store.js'
import type { Language } from '../services/definition.js'

/** One look at (or action on) an application by staff, as its applicant is told: which agency, what role, when. */
export interface StaffAccess {
  agency: string
  role: string
  at: Date
}

export const ACCESSES_SHOWN = 50

/**
 * Who at an agency has opened this application, its files, or acted on it: read from the audit log
 * (every back-office look and action is written there with the application as subject, and each staff
 * download of its files with the file as subject). Staff are named by agency and role only: the
 * applicant learns that their agency looked, never which officer.
 */
export async function staffAccesses(db: Executor, applicationId: string, language: Language, t: Translate): Promise<StaffAccess[]> {
  const uploads = await db.selectFrom('uploads').select('id').where('application_id', '=', applicationId).execute()
  const rows = await db
    .selectFrom('audit_log')
    .select(['occurred_at', 'actor_id', 'actor_role', sql<string | null>`details->>'agency'`.as('agency')])
    .where((eb) =>
      eb.or([
        eb.and([eb('subject_type', '=', 'application'), eb('subject_id', '=', applicationId)]),
        ...(uploads.length ? [eb.and([eb('subject_type', '=', 'upload'), eb('subject_id', 'in', uploads.map((upload) => upload.id))])] : []),
      ]),
    )
    .where('actor_role', 'in', [...STAFF_ROLES])
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(ACCESSES_SHOWN)
    .execute()
  // A download names no agency: the member of staff's own says which.
  const unnamed = [...new Set(rows.filter((row) => !row.agency && row.actor_id).map((row) => row.actor_id!))]
  const staff = unnamed.length ? await db.selectFrom('accounts').select(['id', 'agency_code']).where('id', 'in', unnamed).execute() : []
  const agencyOf = new Map(staff.map((row) => [row.id, row.agency_code]))
  const codes = [...new Set(rows.map((row) => row.agency ?? agencyOf.get(row.actor_id ?? '') ?? null).filter((code): code is string => Boolean(code)))]
  const agencies = codes.length ? await db.selectFrom('agencies').select(['code', 'name_en', 'name_sw']).where('code', 'in', codes).execute() : []
  const names = new Map(agencies.map((agency) => [agency.code, language === 'sw' ? agency.name_sw : agency.name_en]))
  return rows.map((row) => {
    const code = row.agency ?? agencyOf.get(row.actor_id ?? '') ?? null
    return { agency: code ? (names.get(code) ?? code) : t('backoffice.access.portal'), role: t(`backoffice.roles.${row.actor_role}`), at: row.occurred_at }
  })
}
