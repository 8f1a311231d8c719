import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { unbalancedEntries } from './ledger.js'
import { reconcileStatement, type ReconcileResult } from './statement-reconcile.js'
import { paymentsCommand } from './statement-command.js'
import { StatementError } from './statement.js'
import { SUSPENSE_ACCOUNT } from './suspense.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from './test-support.js'

const HEADER = 'Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.'
const line = (receipt: string, time: string, paidIn: string, account: string, options: { withdrawn?: string; status?: string } = {}) =>
  `${receipt},${time},${time},Pay Bill,${options.status ?? 'Completed'},"${paidIn}","${options.withdrawn ?? ''}",,true,Pay Bill Online,"254712345678 - ACHIENG OTIENO",,${account}`
const DAY = '2026-12-07'
const at = (time: string) => new Date(`${DAY}T${time}+03:00`)

describe(`reconciling the M-Pesa statement on ${TEST_ENGINE}`, () => {
  let t: PaymentsTestApp
  let csv: string
  let first: ReconcileResult
  const ids: Record<string, string> = {}
  const bills: Record<string, string> = {}

  /** An invoice of KES 1,050 and its bill reference. */
  const invoice = async (name: string) => {
    const { invoice } = await awaitingPayment(t)
    bills[name] = invoice.billReference
    return invoice
  }
  /** A payment Daraja's query confirmed: receipt null, or (as crediting once wrote it) the prompt's id. */
  const toFollow = async (name: string, legacy: boolean) => {
    const { id: invoiceId } = await invoice(name)
    const checkout = `ws_CO_${name}`
    await t.payments.recordPrompt(invoiceId, { checkoutRequestId: checkout, merchantRequestId: 'm', phone: '0712345678', amountCents: 105000 })
    const row = await t.database.db
      .insertInto('payments')
      .values({
        invoice_id: invoiceId, source: 'query', mpesa_receipt: legacy ? checkout : null, amount_cents: 105000, currency: 'KES', phone: '+254712345678', paid_at: at('10:05:00'),
        checkout_request_id: checkout, bill_reference: null, raw: '{}', receipt_number: `RCPT-TEST-${name}`, overpaid_cents: 0, flagged_reason: null, inbox_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    ids[name] = row.id
  }
  const credit = async (name: string, receipt: string, paidAt: Date, source: 'c2b' | 'stk' = 'c2b') => {
    const { billReference } = await invoice(name)
    const outcome = await t.payments.creditPayment({ source, receipt, amountCents: 105000, currency: 'KES', phone: '+254712345678', paidAt, billReference, raw: {} })
    assert.equal(outcome.outcome, 'credited')
    ids[name] = (outcome as { paymentId: string }).paymentId
  }
  const suspense = async (name: string, receipt: string, held: boolean, amountCents: number) => {
    const row = await t.database.db
      .insertInto('payment_suspense')
      .values({ reason: held ? 'unknown-reference' : 'unconfirmed-claim', held, amount_cents: amountCents, mpesa_receipt: receipt, paid_at: at('12:00:00') })
      .returning('id')
      .executeTakeFirstOrThrow()
    ids[name] = row.id
  }
  const count = async (table: 'payment_suspense' | 'ledger_entries' | 'mpesa_receipts' | 'mpesa_statement_imports') =>
    Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)

  before(async () => {
    t = await paymentsTestApp()
    await credit('matched', 'SLA0000001', at('09:00:00'))
    await credit('differs', 'SLA0000002', at('09:10:00'))
    await credit('missing', 'SLA0000003', at('09:20:00'), 'stk')
    await credit('yesterday', 'SLA0000010', new Date('2026-12-06T12:00:00+03:00'))
    await invoice('unpaid')
    await toFollow('follow', false)
    await toFollow('legacy', true)
    await toFollow('twice', false)
    await suspense('held', 'SLA0000008', true, 100000)
    await suspense('claim', 'SLA0000009', false, 0)
    csv = [
      'Account Name,"ECITIZEN COLLECTIONS"', 'Time Period,"07-12-2026"', '', HEADER,
      line('SLA0000001', '2026-12-07 08:59:58', '1,050.00', bills.matched!),
      line('SLA0000002', '2026-12-07 09:09:58', '1,000.00', bills.differs!),
      line('SLA0000004', '2026-12-07 11:00:00', '500.00', bills.unpaid!),
      line('SLA0000005', '2026-12-07 11:30:00', '250.00', 'NOSUCHREF'),
      line('SLA0000006', '07-12-2026 10:01:00', '1,050.00', bills.follow!),
      line('SLA0000007', '07/12/2026 10:02:00', '1,050.00', bills.legacy!.toLowerCase()),
      line('SLA0000011', '2026-12-07 10:03:00', '1,050.00', bills.twice!),
      line('SLA0000012', '2026-12-07 10:04:00', '1,050.00', bills.twice!),
      line('SLA0000009', '2026-12-07 12:00:00', '2,000.00', 'XYZ'),
      line('SLA0000013', '2026-12-07 13:00:00', '', '', { withdrawn: '-35.00' }),
      line('SLA0000014', '2026-12-07 13:30:00', '900.00', 'XYZ', { status: 'Failed' }),
      line('SLA0000015', '2026-12-08 00:30:00', '700.00', 'XYZ'),
    ].join('\r\n')
    first = await reconcileStatement(t.database.db, { csv, fileName: 'statement-07.csv' })
  })
  after(() => t.close())

  it('reads the day most rows fall on, and counts what it skipped, paid out and left for another day', () => {
    assert.equal(first.day, DAY)
    assert.equal(first.rowsRead, 12)
    assert.equal(first.skipped, 1)
    assert.equal(first.paidIn, 9)
    assert.equal(first.otherDays, 1)
    assert.deepEqual(first.withdrawals.map((row) => [row.receipt, row.amountCents]), [['SLA0000013', 3500]])
  })

  it('reports every difference, both ways', () => {
    const found = first.differences.map((d) => [d.kind, d.receipt, d.statementAmountCents, d.creditedAmountCents])
    assert.deepEqual(found.sort(), [
      ['amount-differs', 'SLA0000002', 100000, 105000],
      ['amount-differs', 'SLA0000009', 200000, 0],
      ['not-credited', 'SLA0000004', 50000, null],
      ['not-credited', 'SLA0000005', 25000, null],
      ['not-credited', 'SLA0000011', 105000, null],
      ['not-credited', 'SLA0000012', 105000, null],
      ['not-in-statement', 'SLA0000003', null, 105000],
      ['not-in-statement', 'SLA0000008', null, 100000],
      ['not-in-statement', null, null, 105000],
      ['receipt-completed', 'SLA0000006', 105000, 105000],
      ['receipt-completed', 'SLA0000007', 105000, 105000],
    ].sort())
    const of = (receipt: string | null, kind?: string) => first.differences.find((d) => d.receipt === receipt && (!kind || d.kind === kind))!
    assert.equal(of('SLA0000002').paymentId, ids.differs)
    assert.equal(of('SLA0000003').paymentId, ids.missing)
    assert.equal(of('SLA0000008').suspenseId, ids.held)
    assert.equal(of('SLA0000009').suspenseId, ids.claim)
    assert.equal(of('SLA0000009').details.held, false)
    // Two rows fit the one payment whose receipt is to follow: neither is guessed, neither goes to suspense.
    for (const receipt of ['SLA0000011', 'SLA0000012']) assert.deepEqual([of(receipt).paymentId, of(receipt).suspenseId, of(receipt).details.ambiguous], [ids.twice, null, true])
    assert.equal(of(null).paymentId, ids.twice)
    assert.equal(of(null).details.receiptToFollow, true)
  })

  it('puts money nobody credited in suspense, held, with its receipt and a balanced ledger entry', async () => {
    const db = t.database.db
    const items = await db.selectFrom('payment_suspense').selectAll().where('mpesa_receipt', 'in', ['SLA0000004', 'SLA0000005']).orderBy('mpesa_receipt').execute()
    assert.deepEqual(
      items.map((item) => [item.reason, item.held, Number(item.amount_cents), item.phone, item.payer_name, item.bill_reference, item.paid_at?.toISOString(), item.status]),
      [
        ['unknown-reference', true, 50000, '+254712345678', 'ACHIENG OTIENO', bills.unpaid, '2026-12-07T08:00:00.000Z', 'open'],
        ['unknown-reference', true, 25000, '+254712345678', 'ACHIENG OTIENO', 'NOSUCHREF', '2026-12-07T08:30:00.000Z', 'open'],
      ],
    )
    const unpaid = await db.selectFrom('invoices').select(['id', 'agency_code']).where('bill_reference', '=', bills.unpaid!).executeTakeFirstOrThrow()
    assert.deepEqual([items[0]!.invoice_id, items[0]!.agency_code, items[1]!.invoice_id], [unpaid.id, unpaid.agency_code, null])
    for (const item of items) {
      assert.deepEqual(first.differences.find((d) => d.receipt === item.mpesa_receipt)!.suspenseId, item.id)
      const receipt = await db.selectFrom('mpesa_receipts').selectAll().where('receipt', '=', item.mpesa_receipt!).executeTakeFirstOrThrow()
      assert.deepEqual([receipt.suspense_id, receipt.payment_id, Number(receipt.amount_cents)], [item.id, null, Number(item.amount_cents)])
      const lines = await db
        .selectFrom('ledger_lines as l')
        .innerJoin('ledger_entries as e', 'e.id', 'l.entry_id')
        .select(['e.kind', 'e.invoice_id', 'l.account', 'l.debit_cents', 'l.credit_cents'])
        .where('e.suspense_id', '=', item.id)
        .orderBy('l.account')
        .execute()
      const amount = Number(item.amount_cents)
      assert.deepEqual(
        lines.map((l) => [l.kind, l.invoice_id, l.account, Number(l.debit_cents), Number(l.credit_cents)]),
        [['suspense-received', null, 'mpesa-paybill', amount, 0], ['suspense-received', null, SUSPENSE_ACCOUNT, 0, amount]],
      )
    }
    assert.deepEqual(await unbalancedEntries(db), [])
  })

  it('gives a receipt-to-follow payment its receipt from the one row with its bill reference and amount', async () => {
    for (const [name, receipt] of [['follow', 'SLA0000006'], ['legacy', 'SLA0000007']] as const) {
      const payment = await t.database.db.selectFrom('payments').select('mpesa_receipt').where('id', '=', ids[name]!).executeTakeFirstOrThrow()
      assert.equal(payment.mpesa_receipt, receipt)
      const recorded = await t.database.db.selectFrom('mpesa_receipts').select(['payment_id', 'amount_cents']).where('receipt', '=', receipt).executeTakeFirstOrThrow()
      assert.deepEqual([recorded.payment_id, Number(recorded.amount_cents)], [ids[name], 105000])
      assert.equal(first.differences.find((d) => d.receipt === receipt)!.paymentId, ids[name])
    }
  })

  it('records the import, its differences and an audit entry', async () => {
    const db = t.database.db
    const row = await db.selectFrom('mpesa_statement_imports').selectAll().where('id', '=', first.importId).executeTakeFirstOrThrow()
    assert.deepEqual([row.file_name, row.rows_read, row.differences, row.imported_by], ['statement-07.csv', 12, 11, null])
    const stored = await db.selectFrom('mpesa_statement_differences').select(['kind', 'receipt']).where('import_id', '=', first.importId).execute()
    assert.equal(stored.length, 11)
    const entry = await db.selectFrom('audit_log').selectAll().where('subject_id', '=', first.importId).executeTakeFirstOrThrow()
    assert.equal(entry.action, 'payments.statement-import')
    assert.equal(entry.actor_role, 'command-line')
    assert.equal((entry.details as Record<string, unknown>).notCredited, 4)
    assert.equal((entry.details as Record<string, unknown>).skipped, 1)
  })

  it('adds nothing when the same file is imported again: no second suspense item, ledger entry or completion', async () => {
    const before = { suspense: await count('payment_suspense'), entries: await count('ledger_entries'), receipts: await count('mpesa_receipts') }
    const again = await reconcileStatement(t.database.db, { csv, fileName: 'statement-07.csv' })
    assert.notEqual(again.importId, first.importId)
    assert.deepEqual({ suspense: await count('payment_suspense'), entries: await count('ledger_entries'), receipts: await count('mpesa_receipts') }, before)
    const kinds = again.differences.map((d) => `${d.kind} ${d.receipt}`).sort()
    // What is still different stays reported; what the first import settled is no longer a difference.
    assert.deepEqual(kinds, [
      'amount-differs SLA0000002', 'amount-differs SLA0000009', 'not-credited SLA0000011', 'not-credited SLA0000012',
      'not-in-statement SLA0000003', 'not-in-statement SLA0000008', 'not-in-statement null',
    ])
    assert.deepEqual(await unbalancedEntries(t.database.db), [])
  })

  it('refuses a wrong day or a statement with nothing completed and no day, and audits the refusal', async () => {
    await assert.rejects(reconcileStatement(t.database.db, { csv, fileName: 'x.csv', day: '07/12/2026' }), (error: StatementError) => error.problems[0]!.key === 'dayFormat')
    await assert.rejects(reconcileStatement(t.database.db, { csv: HEADER, fileName: 'x.csv' }), (error: StatementError) => error.problems[0]!.key === 'dayNeeded')
    const refused = await t.database.db.selectFrom('audit_log').select('outcome').where('action', '=', 'payments.statement-import').where('outcome', '=', 'failure').execute()
    assert.equal(refused.length, 2)
  })

  it('runs from the command line: 1 with differences, 0 without, 2 for an unreadable file or wrong options', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statement-'))
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text)
      return path.join(dir, name)
    }
    const lines: string[] = []
    const run = (argv: string[]) => paymentsCommand(t.database.db, argv, (text) => lines.push(text))
    assert.equal(await run(['reconcile', '--statement', file('day.csv', csv)]), 1)
    assert.match(lines.join('\n'), /Differences: 7/)
    assert.match(lines.join('\n'), /Amount differs\s+SLA0000002\s+1,000\.00\s+1,050\.00\s+payment RCPT-/)
    assert.match(lines.join('\n'), /SLA0000013\s+2026-12-07 13:00:00\s+35\.00/, 'what was paid out is listed')
    lines.length = 0
    assert.equal(await run(['reconcile', '--statement', file('quiet.csv', [HEADER, line('SLA0000001', '2026-12-07 08:59:58', '1,050.00', bills.matched!)].join('\n')), '--day', '2026-11-30']), 0)
    assert.match(lines.join('\n'), /No differences/)
    lines.length = 0
    assert.equal(await run(['reconcile', '--statement', file('bad.csv', `${HEADER}\nSLA0000001,yesterday,,,Completed,1.00,,,,,,,X`)]), 2)
    assert.match(lines.join('\n'), /Line 2: “yesterday” is not a completion time/)
    assert.equal(await run(['reconcile', '--statement', path.join(dir, 'absent.csv')]), 2)
    assert.equal(await run(['reconcile']), 2)
    assert.equal(await run(['reconcile', '--help']), 0)
    fs.rmSync(dir, { recursive: true })
  })

  it('answers `ecitizen payments reconcile --help` with exit status 0, without a database', () => {
    const child = spawnSync(process.execPath, ['bin/ecitizen.js', 'payments', 'reconcile', '--help'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } })
    assert.equal(child.status, 0, child.stderr)
    assert.match(child.stdout, /ecitizen payments reconcile --statement FILE \[--day YYYY-MM-DD\]/)
  })
})
