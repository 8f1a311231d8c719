import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from '../../src/platform/db/database.js'
import { migrate } from '../../src/platform/db/migrate.js'

/** The engine tests run on: PGlite in memory, or the PostgreSQL server named by TEST_DATABASE_URL. */
export const TEST_ENGINE = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite'

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/**
 * A database of its own for one test file: PGlite in memory, or a new database on the test server
 * that is dropped again on close. `migrated: false` gives an empty one (for migration tests).
 */
export async function freshDatabase(options: { migrated?: boolean } = {}): Promise<DatabaseHandle> {
  let database: DatabaseHandle
  if (!process.env.TEST_DATABASE_URL) {
    database = await openDatabase({ dataDir: 'memory://' })
  } else {
    const name = `ecitizen_test_${process.pid}_${randomBytes(4).toString('hex')}`
    await admin((client) => client.query(`create database ${name}`))
    const url = new URL(process.env.TEST_DATABASE_URL)
    url.pathname = `/${name}`
    const opened = await openDatabase({ url: url.toString(), poolSize: 10 })
    database = {
      ...opened,
      close: async () => {
        await opened.close()
        await admin((client) => client.query(`drop database if exists ${name} with (force)`))
      },
    }
  }
  if (options.migrated !== false) await migrate(database)
  return database
}
