import type { Insertable, Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { AgenciesTable } from '../../platform/db/schema.js'

export type Agency = Selectable<AgenciesTable>

export function listAgencies(db: Db): Promise<Agency[]> {
  return db.selectFrom('agencies').selectAll().orderBy('code').execute()
}

export async function countAgencies(db: Db): Promise<number> {
  const row = await db.selectFrom('agencies').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Inserts or refreshes agencies by code; running it twice changes nothing the second time. */
export async function upsertAgencies(db: Db, agencies: Insertable<AgenciesTable>[]): Promise<void> {
  if (agencies.length === 0) return
  await db
    .insertInto('agencies')
    .values(agencies)
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name_en: eb.ref('excluded.name_en'),
        name_sw: eb.ref('excluded.name_sw'),
        summary_en: eb.ref('excluded.summary_en'),
        summary_sw: eb.ref('excluded.summary_sw'),
      })),
    )
    .execute()
}
