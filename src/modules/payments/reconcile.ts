import type { Db } from '../../platform/db/database.js'
import type { PromptResult } from './model.js'
import type { MpesaPayments } from './daraja/port.js'
import { toCsv } from '../../platform/csv.js'

/** A prompt without a result this long after it was sent is asked about (the callback may be lost). */
export const RECONCILE_AFTER_MS = 3 * 60_000

export interface ReconcileTally {
  asked: number
  settled: number
  pending: number
  /** Prompts M-Pesa does not know: marked so after a few answers, and no longer asked about. */
  unknown: number
  errors: number
}

/**
 * The Daraja client's STK query: a final result, 'pending' while M-Pesa is still processing, or
 * 'unknown' when M-Pesa has no such prompt.
 */
export type QueryPrompt = (checkoutRequestId: string) => Promise<PromptResult | 'pending' | 'unknown'>

/**
 * Asks M-Pesa about every prompt pending longer than three minutes and settles those with a final
 * answer, as the callback would have. A failure for one prompt is logged and the others go on; the job
 * runs again on its schedule, and settling is idempotent.
 */
export async function reconcile(
  payments: Pick<MpesaPayments, 'pendingPrompts' | 'settlePrompt' | 'noteQueryAnswer'>,
  queryPrompt: QueryPrompt,
  now: Date = new Date(),
  log?: { warn(object: object, message: string): void },
  invoiceId?: string,
): Promise<ReconcileTally> {
  // One invoice ("payment made but not showing"): every pending prompt, however young, is asked at once.
  const olderThan = invoiceId === undefined ? new Date(now.getTime() - RECONCILE_AFTER_MS) : now
  const prompts = await payments.pendingPrompts(olderThan, 200, invoiceId)
  const tally = { asked: prompts.length, settled: 0, pending: 0, unknown: 0, errors: 0 }
  for (const prompt of prompts) {
    try {
      const result = await queryPrompt(prompt.checkoutRequestId)
      if (result === 'pending' || result === 'unknown') {
        tally[result]++
        await payments.noteQueryAnswer(prompt.checkoutRequestId, result)
      } else {
        await payments.settlePrompt(prompt.checkoutRequestId, { ...result, source: 'query' })
        tally.settled++
      }
    } catch (error) {
      tally.errors++
      log?.warn({ checkoutRequestId: prompt.checkoutRequestId, err: error }, 'STK query failed; asking again next run')
    }
  }
  return tally
}

const EAT_OFFSET_MS = 3 * 3_600_000 // Kenya keeps UTC+3 all year (no daylight saving).
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** The instants a Nairobi calendar day starts and ends. */
export function nairobiDay(date: string): { from: Date; to: Date } {
  if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new RangeError(`not a date: ${date}`)
  const from = new Date(Date.parse(`${date}T00:00:00Z`) - EAT_OFFSET_MS)
  return { from, to: new Date(from.getTime() + 86_400_000) }
}

const units = (cents: number) => (cents / 100).toFixed(2)

/**
 * The agency's settlement for one Nairobi day: each payment credited that day with what it brought the
 * agency and the platform (the revenue its ledger entries recognised) and what is held as overpayment.
 */
export async function settlementReport(db: Db, agency: string, date: string): Promise<string> {
  const { from, to } = nairobiDay(date)
  const revenueAccount = `agency-revenue:${agency}`
  const rows = await db
    .selectFrom('payments as p')
    .innerJoin('invoices as i', 'i.id', 'p.invoice_id')
    .innerJoin('applications as a', 'a.id', 'i.application_id')
    .select((eb) => [
      'p.receipt_number', 'p.mpesa_receipt', 'p.source', 'p.paid_at', 'p.amount_cents', 'p.overpaid_cents', 'p.flagged_reason', 'p.currency',
      'i.bill_reference', 'a.reference', 'a.service_slug',
      eb.selectFrom('ledger_lines as l').innerJoin('ledger_entries as e', 'e.id', 'l.entry_id')
        .select((sub) => sub.fn.coalesce(sub.fn.sum<string>('l.credit_cents'), sub.lit(0)).as('s'))
        .whereRef('e.payment_id', '=', 'p.id').where('e.kind', '=', 'revenue-recognised').where('l.account', '=', revenueAccount).as('government_cents'),
      eb.selectFrom('ledger_lines as l').innerJoin('ledger_entries as e', 'e.id', 'l.entry_id')
        .select((sub) => sub.fn.coalesce(sub.fn.sum<string>('l.credit_cents'), sub.lit(0)).as('s'))
        .whereRef('e.payment_id', '=', 'p.id').where('e.kind', '=', 'revenue-recognised').where('l.account', '=', 'platform-convenience-fees').as('convenience_cents'),
    ])
    .where('i.agency_code', '=', agency)
    .where('p.paid_at', '>=', from)
    .where('p.paid_at', '<', to)
    .orderBy('p.paid_at')
    .orderBy('p.id')
    .execute()
  const header = ['receipt_number', 'mpesa_receipt', 'source', 'paid_at', 'bill_reference', 'application', 'service', 'currency', 'amount', 'government_fee', 'convenience_fee', 'overpaid', 'flag']
  const lines = rows.map((row) => [
    row.receipt_number, row.mpesa_receipt, row.source, row.paid_at.toISOString(), row.bill_reference, row.reference, row.service_slug, row.currency,
    units(Number(row.amount_cents)), units(Number(row.government_cents ?? 0)), units(Number(row.convenience_cents ?? 0)), units(Number(row.overpaid_cents)), row.flagged_reason,
  ])
  // The header's names are ours and plain: unquoted, as before.
  return `${header.join(',')}\r\n${lines.length ? toCsv(lines) : ''}`
}
