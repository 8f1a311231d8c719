import assert from 'node:assert/strict'
import { createAccount } from '../../../test/helpers/accounts.js'
import type { Role } from '../../platform/db/schema.js'
import { Client } from '../applications/test-support.js'
import { holdInSuspense, SUSPENSE_ACCOUNT, type SuspenseItem } from './suspense.js'
import type { PaymentsTestApp } from './test-support.js'

/** Tests only: suspense items, reviewers and what the suspense pages show. */
export const PAGE = '/admin/payments/suspense'
let receipts = 0

/** A suspense item straight from holdInSuspense, as the M-Pesa inbox leaves one. */
export async function suspenseItem(t: PaymentsTestApp, item: Partial<SuspenseItem> = {}): Promise<{ id: string; receipt: string }> {
  const receipt = item.receipt ?? `RSUS${process.pid % 1000}X${++receipts}`.toUpperCase()
  const held = item.held ?? true
  const outcome = await t.database.db.transaction().execute((trx) =>
    holdInSuspense(trx, { reason: 'unknown-reference', held, amountCents: 105000, receipt: held ? receipt : null, phone: '+254712345678', billReference: 'NOSUCHBILL', ...item }),
  )
  assert.equal(outcome.outcome, 'suspense')
  return { id: (outcome as { suspenseId: string }).suspenseId, receipt }
}

export async function staffClient(t: PaymentsTestApp, role: Role, agencyCode?: string): Promise<Client> {
  return Client.signedIn(t, (await createAccount(t.database.db, { role, agencyCode, secondFactor: role === 'citizen' ? 'sms' : 'totp' })).id)
}

export const tokenOn = (html: string) => /name="proposal" value="([^"]+)"/.exec(html)?.[1] ?? ''

/** The item's balance on the suspense account (debits − credits): 0 once matched or refunded. */
export async function suspenseBalance(t: PaymentsTestApp, id: string): Promise<number> {
  const row = await t.database.db
    .selectFrom('ledger_lines')
    .innerJoin('ledger_entries', 'ledger_entries.id', 'ledger_lines.entry_id')
    .select((eb) => [eb.fn.coalesce(eb.fn.sum<string>('debit_cents'), eb.lit(0)).as('debit'), eb.fn.coalesce(eb.fn.sum<string>('credit_cents'), eb.lit(0)).as('credit')])
    .where('ledger_entries.suspense_id', '=', id)
    .where('ledger_lines.account', '=', SUSPENSE_ACCOUNT)
    .executeTakeFirstOrThrow()
  return Number(row.debit) - Number(row.credit)
}

export const statusOf = async (t: PaymentsTestApp, id: string) => (await t.database.db.selectFrom('payment_suspense').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
