import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { isReachable, type DatabaseHandle } from './database.js'

describe(`database on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  before(async () => {
    database = await freshDatabase()
    await sql`create table probe (id int primary key)`.execute(database.db)
  })
  after(() => database.close())

  it('keeps concurrent work out of an open transaction', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let inserted!: () => void
    const insertedSignal = new Promise<void>((resolve) => (inserted = resolve))

    const rolledBack = database.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('probe' as never).values({ id: 1 } as never).execute()
        inserted()
        await held
        throw new Error('roll back')
      })
      .catch((error: Error) => error.message)

    await insertedSignal
    // Issued while the transaction is open: it must neither see the uncommitted row nor join the
    // transaction (and vanish with its rollback).
    const outside = sql`insert into probe values (2)`.execute(database.db)
    const seen = sql<{ n: string }>`select count(*)::text as n from probe where id = 1`.execute(database.db)
    release()
    assert.equal(await rolledBack, 'roll back')
    await outside
    assert.equal((await seen).rows[0]?.n, '0')
    const rows = await sql<{ id: number }>`select id from probe order by id`.execute(database.db)
    assert.deepEqual(rows.rows.map((r) => r.id), [2])
  })

  it('runs multi-statement scripts and returns the last result', async () => {
    const rows = await database.runScript('create temporary table if not exists t (x int); select 41 + 1 as answer')
    assert.equal(Number(rows[0]?.answer), 42)
  })

  it('reports whether the database answers', async () => {
    assert.equal(await isReachable(database.db), true)
  })
})
