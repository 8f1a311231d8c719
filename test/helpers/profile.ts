import assert from 'node:assert/strict'
import { sql } from 'kysely'
import type { Account } from '../../src/modules/accounts/store.js'
import type { Db } from '../../src/platform/db/database.js'
import { Browser, codeIn, lastMessageTo, TEST_PASSWORD } from './accounts.js'
import { testApp, type TestApp } from './app.js'

/** The app on a fresh database (kept for the profile tests' readability). */
export async function profileTestApp(): Promise<TestApp> {
  return testApp()
}

/** Signs in with password and SMS code, as a person would. */
export async function signIn(t: TestApp, browser: Browser, account: Pick<Account, 'email' | 'phone'>, password = TEST_PASSWORD): Promise<void> {
  const first = await browser.submit('/sign-in', '/sign-in', { name: account.email, password })
  assert.equal(first.headers.location, '/sign-in/code')
  const done = await browser.submit('/sign-in/code', '/sign-in/code', { code: codeIn(await lastMessageTo(t.database.db, account.phone)) })
  assert.equal(done.headers.location, '/dashboard')
}

/** Makes the account's sessions look as if the password was last typed 11 minutes ago. */
export async function makeStale(db: Db, accountId: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ reauthenticated_at: sql<Date>`now() - interval '11 minutes'` })
    .where('account_id', '=', accountId)
    .execute()
}

/** Gives a test account the ID number of a person in the register (one account per person per file). */
export async function becomePerson(db: Db, account: Account, idNumber: string): Promise<Account> {
  return db.updateTable('accounts').set({ id_number: idNumber }).where('id', '=', account.id).returningAll().executeTakeFirstOrThrow()
}
