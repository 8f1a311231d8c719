import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DatabaseHandle } from './database.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../db/migrations/', import.meta.url))

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/
// Any fixed number: every process that migrates takes the same lock, so two never migrate at once.
const MIGRATION_LOCK = 7_243_001

export interface Migration {
  name: string
  sql: string
  checksum: string
}

export class MigrationError extends Error {}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.sql')).sort()
  return files.map((file) => {
    if (!FILE_NAME.test(file)) throw new MigrationError(`${file}: migration files are named NNNN_words.sql`)
    const text = fs.readFileSync(path.join(dir, file), 'utf8')
    return { name: file.replace(/\.sql$/, ''), sql: text, checksum: createHash('sha256').update(text).digest('hex') }
  })
}

/**
 * Applies every migration not yet recorded, each in its own transaction together with its record, so a
 * failed migration leaves the schema exactly as it was. Returns the names applied.
 */
export async function migrate(database: DatabaseHandle, migrations = readMigrations()): Promise<string[]> {
  return database.withConnection(async (run) => {
    await run(`select pg_advisory_lock(${MIGRATION_LOCK})`)
    try {
      await run(`create table if not exists schema_migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`)
      const rows = await run('select name, checksum from schema_migrations')
      const applied = new Map(rows.map((row) => [String(row.name), String(row.checksum)]))
      const done: string[] = []
      for (const migration of migrations) {
        const checksum = applied.get(migration.name)
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new MigrationError(`${migration.name} was changed after it was applied; add a new migration instead`)
          }
          continue
        }
        // One simple-protocol call is one implicit transaction: the migration and its record, or neither.
        try {
          await run(
            `${migration.sql}\n;\ninsert into schema_migrations (name, checksum) values ('${migration.name}', '${migration.checksum}')`,
          )
        } catch (error) {
          throw new MigrationError(`${migration.name} failed: ${(error as Error).message}`)
        }
        done.push(migration.name)
      }
      return done
    } finally {
      await run(`select pg_advisory_unlock(${MIGRATION_LOCK})`)
    }
  })
}
