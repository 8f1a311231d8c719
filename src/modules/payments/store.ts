import type { Kysely, Selectable } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import type { Database } from '../../platform/db/schema.js'
import type { Invoice, InvoiceLine, Payment, Prompt } from './model.js'
import type { InvoiceLinesTable, InvoicesTable, MpesaPromptsTable, PaymentsTable } from './tables.js'

/** A database or a transaction on it. */
export type Executor = Kysely<Database>

const money = (value: string | number): number => Number(value)

function toInvoice(row: Selectable<InvoicesTable>, lines: InvoiceLine[]): Invoice {
  return {
    id: row.id,
    applicationId: row.application_id,
    accountId: row.account_id,
    agencyCode: row.agency_code,
    billReference: row.bill_reference,
    currency: row.currency,
    totalCents: money(row.total_cents),
    paidCents: money(row.paid_cents),
    refundedCents: money(row.refunded_cents),
    status: row.status,
    dueAt: row.due_at,
    paidAt: row.paid_at,
    createdAt: row.created_at,
    lines,
  }
}

export function toPrompt(row: Selectable<MpesaPromptsTable>): Prompt {
  return {
    checkoutRequestId: row.checkout_request_id,
    merchantRequestId: row.merchant_request_id,
    invoiceId: row.invoice_id,
    phone: row.phone,
    amountCents: money(row.amount_cents),
    status: row.status,
    resultCode: row.result_code,
    resultDesc: row.result_desc,
    createdAt: row.created_at,
    settledAt: row.settled_at,
  }
}

export function toPayment(row: Omit<Selectable<PaymentsTable>, 'raw' | 'inbox_id'>): Payment {
  return {
    id: row.id,
    invoiceId: row.invoice_id,
    source: row.source,
    mpesaReceipt: row.mpesa_receipt,
    amountCents: money(row.amount_cents),
    currency: row.currency,
    phone: row.phone,
    paidAt: row.paid_at,
    receiptNumber: row.receipt_number,
    overpaidCents: money(row.overpaid_cents),
    flaggedReason: row.flagged_reason,
  }
}

type LineRow = Pick<Selectable<InvoiceLinesTable>, 'kind' | 'fee_id' | 'label_en' | 'label_sw' | 'amount_cents'>
const toLine = (row: LineRow): InvoiceLine => ({ kind: row.kind, feeId: row.fee_id, label: { en: row.label_en, sw: row.label_sw }, amountCents: money(row.amount_cents) })

export async function invoiceLines(db: Executor, invoiceId: string): Promise<InvoiceLine[]> {
  const rows = await db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', invoiceId).orderBy('position').execute()
  return rows.map(toLine)
}

/** One invoice by a column; `lock` takes the row for the caller's transaction (`select … for update`). */
export async function findInvoice(
  db: Executor,
  by: { id: string } | { billReference: string } | { applicationId: string },
  lock = false,
): Promise<Invoice | undefined> {
  let query = db.selectFrom('invoices').selectAll()
  if ('id' in by) {
    if (!isUuid(by.id)) return undefined
    query = query.where('id', '=', by.id)
  } else if ('billReference' in by) query = query.where('bill_reference', '=', by.billReference)
  else {
    if (!isUuid(by.applicationId)) return undefined
    query = query.where('application_id', '=', by.applicationId)
  }
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst()
  return row && toInvoice(row, await invoiceLines(db, row.id))
}

/** What crediting a claim needs, read in one statement: see lockCreditTarget. */
export interface CreditTarget {
  invoice: Invoice
  /** Who the invoice is for: the receipt goes to them. */
  payer: { email: string; phone: string; language: 'en' | 'sw' }
  /** The prompt, when the claim is a prompt's result. */
  prompt?: Pick<Prompt, 'amountCents' | 'phone' | 'status'>
}

/**
 * The invoice a claim credits, locked for the caller's transaction (`for update`: claims for one invoice
 * take turns), with its lines and the payer's contact; by its STK prompt (also locked, `for no key
 * update` as settling a failed prompt does) or by its bill reference. One round trip for what the
 * credit reads before it writes.
 */
export async function lockCreditTarget(db: Executor, by: { checkoutRequestId: string } | { billReference: string }): Promise<CreditTarget | undefined> {
  const base = db
    .selectFrom('invoices as i')
    .innerJoin('accounts as c', 'c.id', 'i.account_id')
    .selectAll('i')
    .select(['c.email as payer_email', 'c.phone as payer_phone', 'c.language as payer_language'])
    .select((eb) =>
      jsonArrayFrom(
        eb.selectFrom('invoice_lines as l').select(['l.kind', 'l.fee_id', 'l.label_en', 'l.label_sw', 'l.amount_cents']).whereRef('l.invoice_id', '=', 'i.id').orderBy('l.position'),
      ).as('lines'),
    )
  let row
  let prompt: CreditTarget['prompt']
  if ('checkoutRequestId' in by) {
    const found = await base
      .innerJoin('mpesa_prompts as p', 'p.invoice_id', 'i.id')
      .select(['p.amount_cents as prompt_amount_cents', 'p.phone as prompt_phone', 'p.status as prompt_status'])
      .where('p.checkout_request_id', '=', by.checkoutRequestId)
      .forNoKeyUpdate(['p'])
      .forUpdate(['i'])
      .executeTakeFirst()
    row = found
    prompt = found && { amountCents: money(found.prompt_amount_cents), phone: found.prompt_phone, status: found.prompt_status }
  } else {
    row = await base.where('i.bill_reference', '=', by.billReference).forUpdate(['i']).executeTakeFirst()
  }
  if (!row) return undefined
  const { payer_email: email, payer_phone: phone, payer_language: language, lines, ...invoice } = row
  return { invoice: toInvoice(invoice, (lines as LineRow[]).map(toLine)), payer: { email, phone, language }, prompt }
}

export async function findPrompt(db: Executor, checkoutRequestId: string, lock = false): Promise<Prompt | undefined> {
  const query = db.selectFrom('mpesa_prompts').selectAll().where('checkout_request_id', '=', checkoutRequestId)
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst()
  return row && toPrompt(row)
}

const PAYMENT_COLUMNS = [
  'id', 'invoice_id', 'source', 'mpesa_receipt', 'amount_cents', 'currency', 'phone', 'paid_at', 'checkout_request_id',
  'bill_reference', 'receipt_number', 'overpaid_cents', 'flagged_reason', 'created_at',
] as const

export async function findPayment(db: Executor, by: { id: string } | { receiptNumber: string } | { mpesaReceipt: string }): Promise<Payment | undefined> {
  let query = db.selectFrom('payments').select(PAYMENT_COLUMNS)
  if ('id' in by) {
    if (!isUuid(by.id)) return undefined
    query = query.where('id', '=', by.id)
  } else if ('receiptNumber' in by) query = query.where('receipt_number', '=', by.receiptNumber)
  else query = query.where('mpesa_receipt', '=', by.mpesaReceipt)
  const row = await query.executeTakeFirst()
  return row && toPayment(row)
}

export async function paymentsFor(db: Executor, invoiceId: string): Promise<Payment[]> {
  const rows = await db.selectFrom('payments').select(PAYMENT_COLUMNS).where('invoice_id', '=', invoiceId).orderBy('paid_at').orderBy('id').execute()
  return rows.map(toPayment)
}

/** The balance (debits − credits) of each ledger account for one invoice. */
export async function ledgerBalances(db: Executor, invoiceId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('ledger_lines')
    .innerJoin('ledger_entries', 'ledger_entries.id', 'ledger_lines.entry_id')
    .select(['ledger_lines.account', (eb) => eb.fn.sum<string>('debit_cents').as('debit'), (eb) => eb.fn.sum<string>('credit_cents').as('credit')])
    .where('ledger_entries.invoice_id', '=', invoiceId)
    .groupBy('ledger_lines.account')
    .execute()
  return new Map(rows.map((row) => [row.account, Number(row.debit) - Number(row.credit)]))
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/** A unique violation of the named constraint (pg carries `constraint`; PGlite may only name it in the message). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined
  return e?.code === '23505' && (e.constraint === constraint || Boolean(e.message?.includes(constraint)))
}

/**
 * An application that ended (withdrawn, rejected) owes nothing: its invoice, if nothing was paid on it,
 * is cancelled in the same transaction, so the paybill refuses it and no prompt can be sent for it.
 * Money that arrives for it anyway is held and flagged for refund (see credit.ts).
 */
export async function cancelUnpaidInvoiceOf(db: Executor, applicationId: string): Promise<boolean> {
  const cancelled = await db
    .updateTable('invoices')
    .set({ status: 'cancelled' })
    .where('application_id', '=', applicationId)
    .where('status', '=', 'pending')
    .where('paid_cents', '=', 0)
    .executeTakeFirst()
  return Number(cancelled.numUpdatedRows) > 0
}
