import { pinnedDefinition } from '../applications/status.js'
import type { Application } from '../applications/store.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { Answers } from '../services/answers.js'
import { newReference, normaliseReference } from '../services/reference.js'
import type { Invoice } from './model.js'
import { findInvoice, type Executor } from './store.js'

/** How long an invoice stays payable. A placeholder: no gazette or directive found; eCitizen shows a due date. */
export const INVOICE_DAYS = 30

/**
 * A bill reference: the payer types it as the paybill account number, so it is short (Daraja's
 * AccountReference takes 12 characters) and checked. It is an application-style reference in compact
 * form (`DIS7K4M9QX3`): the same 31-character alphabet and weighted check character (reference.ts), so
 * every single mistyped character and every swap of neighbours is caught. Agency codes of five letters
 * keep four, to stay within 12.
 */
export function newBillReference(agency: string, random?: (max: number) => number): string {
  return newReference(agency.slice(0, 4), random).replace(/-/g, '')
}

/** The bill reference however typed (lower case, spaces, dashes), or undefined when it cannot be one. */
export function normaliseBillReference(text: string): string | undefined {
  return normaliseReference(text)?.replace(/-/g, '')
}

/**
 * Raises the invoice for an application that is to be paid, in the caller's transaction, from the fees
 * of its pinned definition for its answers: the government fees, then the convenience fee, as lines.
 * Idempotent: an application has one invoice, and a second call returns it.
 */
export async function raiseInvoiceFor(
  trx: Executor,
  catalogue: ServiceCatalogue,
  application: Pick<Application, 'id' | 'account_id' | 'agency_code' | 'service_slug' | 'definition_version' | 'answers'>,
  now: Date = new Date(),
): Promise<Invoice> {
  const existing = await findInvoice(trx, { applicationId: application.id })
  if (existing) return existing
  const definition = pinnedDefinition(catalogue, application)
  const quote = catalogue.feesFor(definition, application.answers as Answers)
  // Every definition charges in one currency; KES first should one ever mix them (M-Pesa takes KES only).
  const currency = quote.totals.KES ? 'KES' : 'USD'
  const total = quote.totals[currency]
  if (!total) throw new Error(`application ${application.id} owes nothing: no invoice to raise`)
  const lines = quote.lines.filter((line) => line.currency === currency)
  for (let attempt = 0; ; attempt++) {
    // `on conflict do nothing`: a clash of random references must not abort the caller's transaction.
    const row = await trx
      .insertInto('invoices')
      .values({
        application_id: application.id,
        account_id: application.account_id,
        agency_code: application.agency_code,
        bill_reference: newBillReference(application.agency_code),
        currency,
        total_cents: total,
        due_at: new Date(now.getTime() + INVOICE_DAYS * 86_400_000),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst()
    if (row) {
      await trx
        .insertInto('invoice_lines')
        .values(lines.map((line, position) => ({
          invoice_id: row.id,
          position,
          kind: line.kind,
          fee_id: line.id,
          label_en: line.label.en,
          label_sw: line.label.sw,
          amount_cents: line.amount,
        })))
        .execute()
      return (await findInvoice(trx, { id: row.id }))!
    }
    const raced = await findInvoice(trx, { applicationId: application.id })
    if (raced) return raced
    if (attempt >= 5) throw new Error('could not draw a free bill reference')
  }
}
