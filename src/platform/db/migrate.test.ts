import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from './database.js'
import { migrate, MigrationError, readMigrations } from './migrate.js'

async function tableExists(database: DatabaseHandle, name: string): Promise<boolean> {
  const result = await sql<{ found: boolean }>`select to_regclass(${name}) is not null as found`.execute(database.db)
  return result.rows[0]?.found === true
}

describe(`migrations on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  before(async () => {
    database = await freshDatabase({ migrated: false })
  })
  after(() => database.close())

  it('applies every migration to a fresh database, in order, and records each', async () => {
    const all = readMigrations().map((m) => m.name)
    assert.ok(all.length >= 2)
    assert.deepEqual(await migrate(database), all)
    const recorded = await database.db.selectFrom('schema_migrations').select('name').orderBy('name').execute()
    assert.deepEqual(recorded.map((r) => r.name), all)
    assert.ok(await tableExists(database, 'agencies'))
  })

  it('never applies a migration twice', async () => {
    assert.deepEqual(await migrate(database), [])
  })

  it('refuses a migration that was edited after it was applied', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'different' } : m))
    await assert.rejects(migrate(database, edited), /was changed after it was applied/)
  })

  it('leaves the schema as it was when a migration fails', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'))
    for (const migration of readMigrations()) fs.writeFileSync(path.join(dir, `${migration.name}.sql`), migration.sql)
    fs.writeFileSync(
      path.join(dir, '9001_half_done.sql'),
      'create table half_done (id int);\ninsert into half_done values (1);\nselect no_such_function();',
    )
    await assert.rejects(migrate(database, readMigrations(dir)), (error: Error) => {
      assert.ok(error instanceof MigrationError)
      assert.match(error.message, /9001_half_done failed/)
      return true
    })
    assert.equal(await tableExists(database, 'half_done'), false)
    const recorded = await database.db.selectFrom('schema_migrations').select('name').execute()
    assert.ok(!recorded.some((r) => r.name === '9001_half_done'))
    // The connection that ran the failed script is healthy again.
    assert.equal((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows[0]?.one, 1)
  })

  it('rejects a badly named migration file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'))
    fs.writeFileSync(path.join(dir, 'add stuff.sql'), 'select 1')
    assert.throws(() => readMigrations(dir), /named NNNN_words.sql/)
  })
})
