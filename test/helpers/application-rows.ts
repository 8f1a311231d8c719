import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../../src/platform/db/database.js'

/**
 * An application row straight into the table (migration 0010), submitted and in the agency's workflow:
 * for tests of what hangs off an application (uploads, appointments), not of applying.
 */
export async function insertApplicationRow(db: Db, row: { accountId: string; agency: string; slug: string; partyName?: string }): Promise<{ id: string; reference: string }> {
  const reference = `${row.agency}-${randomBytes(4).toString('hex').toUpperCase()}`
  const result = await sql<{ id: string }>`
    insert into applications (reference, account_id, party_kind, party_name, service_slug, agency_code, definition_version,
      status, stage, declaration_accepted_at, submitted_at)
    values (${reference}, ${row.accountId}, 'self', ${row.partyName ?? 'Achieng Otieno'}, ${row.slug}, ${row.agency}, 1,
      'in-progress', 'biometrics', now(), now())
    returning id`.execute(db)
  return { id: result.rows[0]!.id, reference }
}
