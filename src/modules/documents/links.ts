import type { Executor } from '../applications/store.js'
import type { Language } from '../services/definition.js'
import { documentsOf } from './store.js'

/** What the applicant's pages say of an issued document: a link to its PDF, or when it was revoked. */
export interface DocumentLink {
  number: string
  title: string
  href: string
  revokedAt: Date | null
}

/**
 * The documents of these applications, by application id, for the application page and the dashboard.
 * Only applications that ended `issued` can have one, so the others cost nothing.
 */
export async function documentLinks(
  db: Executor,
  applications: { id: string; reference: string; outcome: string | null }[],
  language: Language,
): Promise<Map<string, DocumentLink>> {
  const issued = applications.filter((application) => application.outcome === 'issued')
  if (issued.length === 0) return new Map()
  const references = new Map(issued.map((application) => [application.id, application.reference]))
  const rows = await documentsOf(db, [...references.keys()])
  return new Map(
    rows.map((row) => [
      row.application_id,
      {
        number: row.number,
        title: language === 'sw' ? row.title_sw : row.title_en,
        href: `/applications/${references.get(row.application_id)}/document`,
        revokedAt: row.revoked_at,
      },
    ]),
  )
}
