import { sql, type Insertable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { Language, Text } from '../services/definition.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { categoriesOf, type Category } from './categories.js'
import type { CatalogueEntriesTable } from './tables.js'

// Each row binds 8 parameters; PostgreSQL allows 65,535 in one statement.
const BATCH = 500

/**
 * Makes catalogue_entries match the loaded definitions: the latest version of each service, with its
 * categories; services whose files were removed leave the catalogue. Rows that did not change are not
 * rewritten, so the many web processes of a deployment can all run this at start-up cheaply.
 */
export async function syncCatalogue(db: Db, catalogue: ServiceCatalogue, categories: readonly Category[]): Promise<{ changed: number; removed: number }> {
  const rows: Insertable<CatalogueEntriesTable>[] = catalogue.list().map((definition) => ({
    slug: definition.slug,
    agency: definition.agency,
    version: definition.version,
    name_en: definition.name.en,
    name_sw: definition.name.sw,
    summary_en: definition.summary.en,
    summary_sw: definition.summary.sw,
    categories: categoriesOf(categories, definition.slug),
  }))
  return db.transaction().execute(async (trx) => {
    let changed = 0
    for (let start = 0; start < rows.length; start += BATCH) {
      const result = await trx
        .insertInto('catalogue_entries')
        .values(rows.slice(start, start + BATCH))
        .onConflict((oc) =>
          oc
            .column('slug')
            .doUpdateSet((eb) => ({
              agency: eb.ref('excluded.agency'),
              version: eb.ref('excluded.version'),
              name_en: eb.ref('excluded.name_en'),
              name_sw: eb.ref('excluded.name_sw'),
              summary_en: eb.ref('excluded.summary_en'),
              summary_sw: eb.ref('excluded.summary_sw'),
              categories: eb.ref('excluded.categories'),
              synced_at: sql<Date>`now()`,
            }))
            .where(
              sql<boolean>`(catalogue_entries.agency, catalogue_entries.version, catalogue_entries.name_en, catalogue_entries.name_sw,
                catalogue_entries.summary_en, catalogue_entries.summary_sw, catalogue_entries.categories)
                is distinct from (excluded.agency, excluded.version, excluded.name_en, excluded.name_sw,
                excluded.summary_en, excluded.summary_sw, excluded.categories)`,
            ),
        )
        .executeTakeFirst()
      changed += Number(result.numInsertedOrUpdatedRows ?? 0)
    }
    const slugs = rows.map((row) => row.slug)
    let removal = trx.deleteFrom('catalogue_entries')
    if (slugs.length) removal = removal.where('slug', 'not in', slugs)
    const removed = await removal.executeTakeFirst()
    return { changed, removed: Number(removed.numDeletedRows) }
  })
}

export interface CatalogueSearch {
  language: Language
  /** What the person typed; blank lists everything that passes the filters. */
  text?: string
  agency?: string
  category?: string
  limit: number
}

export interface CatalogueHit {
  slug: string
  agency: string
  name: Text
  summary: Text
}

interface HitRow {
  slug: string
  agency: string
  name_en: string
  name_sw: string
  summary_en: string
  summary_sw: string
  total: string | number
}

/**
 * Services matching the filters and, when given, the words typed: first those matching in the person's
 * language (ranked, names above summaries), then in the other language (a Kiswahili speaker typing
 * "passport" still finds it), then those whose words merely start with what was typed ("passp").
 * websearch_to_tsquery accepts anything a person types ("quotes", or, -minus) without a syntax error.
 */
export async function searchCatalogue(db: Db, search: CatalogueSearch): Promise<{ hits: CatalogueHit[]; total: number }> {
  const filters = [sql<boolean>`true`]
  if (search.agency) filters.push(sql<boolean>`e.agency = ${search.agency}`)
  if (search.category) filters.push(sql<boolean>`e.categories @> array[${search.category}]::text[]`)
  const where = sql.join(filters, sql` and `)
  const name = sql.ref(search.language === 'sw' ? 'e.name_sw' : 'e.name_en')
  const columns = sql`e.slug, e.agency, e.name_en, e.name_sw, e.summary_en, e.summary_sw, count(*) over () as total`
  const text = search.text?.trim() ?? ''

  let rows: HitRow[]
  if (!text) {
    rows = (await sql<HitRow>`select ${columns} from catalogue_entries e where ${where} order by ${name}, e.slug limit ${search.limit}`.execute(db)).rows
  } else {
    const own = search.language === 'sw' ? { vector: sql.ref('e.search_sw'), config: 'simple' } : { vector: sql.ref('e.search_en'), config: 'english' }
    const other = search.language === 'sw' ? { vector: sql.ref('e.search_en'), config: 'english' } : { vector: sql.ref('e.search_sw'), config: 'simple' }
    const prefix = prefixQuery(text)
    const prefixQ = prefix ? sql`to_tsquery('simple', ${prefix})` : sql`null::tsquery`
    rows = (
      await sql<HitRow>`
        select ${columns},
          case when ${own.vector} @@ q.own then 0 when ${other.vector} @@ q.other then 1 else 2 end as tier,
          case when ${own.vector} @@ q.own then ts_rank(${own.vector}, q.own)
               when ${other.vector} @@ q.other then ts_rank(${other.vector}, q.other)
               else ts_rank(e.search_words, q.prefix) end as rank
        from catalogue_entries e
        cross join (select websearch_to_tsquery(${own.config}::regconfig, ${text}) as own,
                           websearch_to_tsquery(${other.config}::regconfig, ${text}) as other,
                           ${prefixQ} as prefix) q
        where ${where} and (${own.vector} @@ q.own or ${other.vector} @@ q.other or e.search_words @@ q.prefix)
        order by tier, rank desc, ${name}, e.slug
        limit ${search.limit}`.execute(db)
    ).rows
  }
  return {
    total: Number(rows[0]?.total ?? 0),
    hits: rows.map((row) => ({
      slug: row.slug,
      agency: row.agency,
      name: { en: row.name_en, sw: row.name_sw },
      summary: { en: row.summary_en, sw: row.summary_sw },
    })),
  }
}

/**
 * Every word typed (letters and digits only, so nothing in it is tsquery syntax) as a prefix, all of
 * them required: "passp" → `passp:*`, "good cond" → `good:* & cond:*`. One-letter words are dropped:
 * they would match nearly everything. Undefined when nothing is left.
 */
export function prefixQuery(text: string): string | undefined {
  const words = (text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((word) => word.length >= 2)
    .slice(0, 8)
    .map((word) => `${word.slice(0, 40)}:*`)
  return words.length ? words.join(' & ') : undefined
}

export interface AgencyWithServices {
  code: string
  name: Text
  services: number
}

/** The agencies that offer at least one service, with how many; names from the agencies table. */
export async function agenciesWithServices(db: Db): Promise<AgencyWithServices[]> {
  const rows = await db
    .selectFrom('catalogue_entries as e')
    .leftJoin('agencies as a', 'a.code', 'e.agency')
    .select(['e.agency', 'a.name_en', 'a.name_sw'])
    .select((eb) => eb.fn.countAll<string | number>().as('services'))
    .groupBy(['e.agency', 'a.name_en', 'a.name_sw'])
    .orderBy('e.agency')
    .execute()
  return rows.map((row) => ({
    code: row.agency,
    name: { en: row.name_en ?? row.agency, sw: row.name_sw ?? row.agency },
    services: Number(row.services),
  }))
}
