import fs from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Database } from './schema.js'
import { SerialPGliteDialect } from './pglite-dialect.js'

export type Db = Kysely<Database>
export type Engine = 'pglite' | 'postgres'
export type Rows = Record<string, unknown>[]

export interface DatabaseHandle {
  db: Db
  engine: Engine
  /**
   * Runs SQL text that may hold several statements (migrations, pg-boss's schema scripts) on one pinned
   * connection, returning the rows of the last statement. Parameterised queries go through `db`.
   */
  runScript(script: string): Promise<Rows>
  /**
   * Holds one connection for `work`, which runs scripts on it through `run`. Inside, use only `run`:
   * on PGlite the held connection is the only one, so a query through `db` would wait for ever.
   */
  withConnection<T>(work: (run: (script: string) => Promise<Rows>) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** A PostgreSQL connection string; without one, PGlite. */
  url?: string
  /** PGlite's directory; `memory://` keeps it in memory (tests). */
  dataDir?: string
  poolSize?: number
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options.dataDir ?? 'memory://')
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  if (!dataDir.startsWith('memory://')) fs.mkdirSync(path.resolve(dataDir), { recursive: true })
  const pglite = await PGlite.create(dataDir)
  const db = new Kysely<Database>({ dialect: new SerialPGliteDialect(pglite) })
  const exec = async (script: string): Promise<Rows> => (await pglite.exec(script)).at(-1)?.rows ?? []
  return handle(db, 'pglite', (work) => db.connection().execute(() => work(exec)))
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  // A client losing its server must not take the process down, idle or checked out (the pool listens
  // only to idle ones): the query in flight fails, and the pool drops the client when it is released.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return handle(db, 'postgres', async (work) => {
    const client = await pool.connect()
    try {
      // No parameters: pg uses the simple protocol, which runs several statements in one call and
      // answers with one result per statement.
      return await work(async (script) => {
        const result = (await client.query(script)) as pg.QueryResult | pg.QueryResult[]
        return ((Array.isArray(result) ? result.at(-1)?.rows : result.rows) ?? []) as Rows
      })
    } finally {
      client.release()
    }
  })
}

function handle(db: Db, engine: Engine, pinned: DatabaseHandle['withConnection']): DatabaseHandle {
  const withConnection: DatabaseHandle['withConnection'] = (work) =>
    pinned((run) =>
      work(async (script) => {
        try {
          return await run(script)
        } catch (error) {
          // A script with its own BEGIN leaves the session in a failed transaction: end it before the
          // connection is reused. Outside a transaction this is a harmless warning.
          await run('ROLLBACK').catch(() => {})
          throw error
        }
      }),
    )
  return {
    db,
    engine,
    withConnection,
    runScript: (script) => withConnection((run) => run(script)),
    close: () => db.destroy(),
  }
}

/** True when the database answers a trivial query within `timeoutMs`. */
export async function isReachable(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  try {
    return await Promise.race([sql`select 1`.execute(db).then(() => true, () => false), timeout])
  } finally {
    clearTimeout(timer)
  }
}
