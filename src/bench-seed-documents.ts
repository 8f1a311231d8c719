import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { loadConfig } from './config.js'
import type { DatabaseHandle, Db } from './platform/db/database.js'
import { loadMessages, Translator } from './platform/i18n/i18n.js'
import { Progress, type ProgressStream } from './platform/progress.js'
import { hashPassword } from './modules/accounts/password.js'
import { findApplication } from './modules/applications/store.js'
import { DocumentsService } from './modules/documents/service.js'
import { SigningKeys } from './modules/documents/signing.js'
import { openRegistries } from './modules/registry/registries.js'
import type { ServiceCatalogue } from './modules/services/catalogue.js'

/**
 * The documents the public check (/verify/<number>) is measured on: issued for bench applications that
 * ended issued, by the documents module itself (its contents, its numbers, the credential signed with
 * the portal's signing key), so /verify reads exactly what an agency's decision would have written.
 * Each agency's documents are issued by a bench officer of that agency who cannot sign in (a random
 * password nobody knows).
 */
export interface DocumentSeed {
  database: DatabaseHandle
  catalogue: ServiceCatalogue
  /** The numbered people's address pattern: their applications get the documents. */
  people: string
  /** Documents wanted: only the missing ones are added. */
  wanted: number
  stream: ProgressStream
}

/** Issued documents of the numbered people's applications: what the verify scenario cycles through. */
export async function benchDocumentCount(db: Db, people: string): Promise<number> {
  const result = await sql<{ n: string }>`
    select count(*) as n from issued_documents d join applications a on a.id = d.application_id join accounts c on c.id = a.account_id
    where c.email like ${people}`.execute(db)
  return Number(result.rows[0]?.n ?? 0)
}

/** The issuing service as the portal wires it, on the embedded registries (bench people are in none). */
export function benchIssuer(db: Db, catalogue: ServiceCatalogue): DocumentsService {
  const config = loadConfig()
  // Issuing writes the document only: no notice goes out, and nobody's right to act is asked.
  const refuse = () => {
    throw new Error('seed --bench only issues documents')
  }
  return new DocumentsService({
    db,
    jobs: { enqueue: refuse, enqueueMany: refuse },
    catalogue,
    registriesOn: (executor) => openRegistries(executor),
    parties: { mayActFor: refuse },
    keys: new SigningKeys(db, config.documentSigningKey),
    translator: new Translator(loadMessages()),
    publicUrl: config.publicUrl,
  })
}

/** One officer per agency (`issuer.<agency>@bench.example`), made once; their ids by agency code. */
async function benchOfficers(db: Db, agencies: string[]): Promise<Map<string, string>> {
  const passwordHash = await hashPassword(randomBytes(24).toString('base64url'))
  const officers = new Map<string, string>()
  for (const [index, agency] of agencies.entries()) {
    const email = `issuer.${agency.toLowerCase()}@bench.example`
    await db
      .insertInto('accounts')
      .values({
        kind: 'staff',
        role: 'agency_officer',
        agency_code: agency,
        first_name: 'Bench',
        last_name: `Issuer ${agency}`,
        email,
        phone: `+2547899${String(index).padStart(5, '0')}`,
        password_hash: passwordHash,
        second_factor: 'totp',
        totp_secret: randomBytes(20).toString('hex').toUpperCase().slice(0, 32),
        email_verified_at: new Date(),
        phone_verified_at: new Date(),
      })
      .onConflict((oc) => oc.doNothing())
      .execute()
    const row = await db.selectFrom('accounts').select('id').where(sql<boolean>`lower(email) = ${email}`).executeTakeFirstOrThrow()
    officers.set(agency, row.id)
  }
  return officers
}

/** Tops the bench people's issued documents up to `wanted`; returns how many were added. */
export async function seedBenchDocuments(seed: DocumentSeed): Promise<number> {
  const { database, catalogue } = seed
  const db = database.db
  const need = seed.wanted - (await benchDocumentCount(db, seed.people))
  if (need <= 0) return 0
  // Applications that ended issued and have no document yet, in no particular order (any will do).
  const ids = (
    await sql<{ id: string }>`
      select a.id from applications a join accounts c on c.id = a.account_id
      where c.email like ${seed.people} and a.outcome = 'issued'
        and not exists (select 1 from issued_documents d where d.application_id = a.id)
      limit ${need}`.execute(db)
  ).rows.map((row) => row.id)
  if (ids.length < need) throw new Error(`only ${ids.length} more bench applications ended issued: seed more applications for ${seed.wanted} documents`)
  const issuer = benchIssuer(db, catalogue)
  const officers = await benchOfficers(db, [...new Set(catalogue.list().map((definition) => definition.agency))])
  // The signing key first (made now on a database that has none), so the parallel chunks below find it.
  await issuer.deps.keys.current(db)
  const progress = new Progress('documents   ', need, seed.stream)
  // A few chunks at once on PostgreSQL (one transaction each, as a decision is); PGlite has one connection.
  const chunks = Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) => ids.slice(i * 100, (i + 1) * 100))
  let added = 0
  const work = async () => {
    for (let next = chunks.shift(); next; next = chunks.shift()) {
      await db.transaction().execute(async (trx) => {
        for (const id of next) {
          const application = (await findApplication(trx, id))!
          const definition = catalogue.version(application.service_slug, application.definition_version)
          if (!definition) throw new Error(`no definition ${application.service_slug} v${application.definition_version}`)
          // What the officer would type into the decision form: the agency's own record number.
          const officerFields = Object.fromEntries(
            definition.issuedDocument.fields.filter((field) => field.from === 'officer').map((field) => [field.id, `${application.agency_code}-${application.reference}`]),
          )
          await issuer.issue(trx, { application, definition, officerFields, issuedBy: officers.get(application.agency_code)! })
        }
      })
      added += next.length
      progress.add(next.length)
    }
  }
  await Promise.all(Array.from({ length: database.engine === 'postgres' ? 8 : 1 }, work))
  progress.finish()
  return added
}
