import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { DatabaseHandle } from './platform/db/database.js'
import { Progress, type ProgressStream } from './platform/progress.js'
import type { Application } from './modules/applications/store.js'
import { raiseInvoiceFor } from './modules/payments/invoices.js'
import { PaymentsService } from './modules/payments/service.js'
import type { ServiceCatalogue } from './modules/services/catalogue.js'
import { ApplicationFactory, Columns, DAY, type Person } from './bench-seed-rows.js'

/**
 * The payer of the M-Pesa callback scenarios: applications of the submitter waiting for payment, each
 * with its invoice raised by the payments code (real bill references and fee lines) and one pending
 * STK prompt, as if the person had just been asked for the PIN. Each callback credits one of them.
 */
export interface PromptSeed {
  database: DatabaseHandle
  catalogue: ServiceCatalogue
  factory: ApplicationFactory
  payer: Person & { phone: string }
  service: string
  /** Pending prompts wanted: only the missing ones are added. */
  wanted: number
  /** Writes application rows and their timelines (bench-seed.ts); returns how many were inserted. */
  write: (rows: Columns) => Promise<number>
  batch: number
  stream: ProgressStream
}

type Waiting = Pick<Application, 'id' | 'account_id' | 'agency_code' | 'service_slug' | 'definition_version' | 'answers'>

/** Prompts still to be answered on open invoices of the payer: what the callback scenarios use up. */
export async function pendingBenchPrompts(database: DatabaseHandle, accountId: string): Promise<number> {
  const result = await sql<{ n: string }>`
    select count(*) as n from mpesa_prompts p join invoices i on i.id = p.invoice_id
    where i.account_id = ${accountId} and i.status = 'pending' and p.status = 'pending'`.execute(database.db)
  return Number(result.rows[0]?.n ?? 0)
}

/** The payer's applications waiting for payment with no prompt out yet (a submission scenario's leave some). */
async function waitingWithoutPrompt(database: DatabaseHandle, accountId: string, limit: number): Promise<Waiting[]> {
  const result = await sql<Waiting>`
    select a.id, a.account_id, a.agency_code, a.service_slug, a.definition_version, a.answers
    from applications a left join invoices i on i.application_id = a.id
    where a.account_id = ${accountId} and a.status = 'awaiting-payment'
      and (i.id is null or (i.status = 'pending' and not exists (select 1 from mpesa_prompts p where p.invoice_id = i.id)))
    order by a.created_at, a.id
    limit ${limit}`.execute(database.db)
  return result.rows
}

/** Daraja's identifiers have these shapes (`ws_CO_…`, `12345-67890123-1`); unique by their random part. */
const checkoutRequestId = () => `ws_CO_${randomBytes(12).toString('hex')}`
const merchantRequestId = () => `${randomBytes(2).readUInt16BE() + 10_000}-${randomBytes(4).readUInt32BE() % 100_000_000}-1`

/** Tops the pending prompts up to `wanted`; returns how many were added. */
export async function seedBenchPrompts(seed: PromptSeed): Promise<number> {
  const { database, payer } = seed
  const need = seed.wanted - (await pendingBenchPrompts(database, payer.id))
  if (need <= 0) return 0
  const progress = new Progress('prompts     ', need, seed.stream)
  // The seed raises invoices and records prompts only: nothing here credits, moves an application or sends.
  const refuse = () => {
    throw new Error('seed --bench credits nothing')
  }
  const payments = new PaymentsService({ db: database.db, catalogue: seed.catalogue, publicUrl: 'http://localhost', recordStatusChange: refuse, jobs: { enqueue: refuse, enqueueMany: refuse } })
  const plan = seed.factory.plan(seed.service)
  let added = 0
  // A few chunks at once on PostgreSQL (one transaction each); PGlite has one connection.
  const parallel = database.engine === 'postgres' ? 8 : 1
  const chunk = 250
  while (added < need) {
    let waiting = await waitingWithoutPrompt(database, payer.id, need - added)
    if (waiting.length < need - added) {
      // The applications in bulk, as submitted ones look: answered, declared, waiting for payment.
      for (let missing = need - added - waiting.length; missing > 0; ) {
        const rows = new Columns()
        for (let i = 0; i < Math.min(seed.batch, missing); i++) seed.factory.add(rows, payer, { status: 'awaiting-payment', plan, within: DAY })
        missing -= await seed.write(rows)
      }
      waiting = await waitingWithoutPrompt(database, payer.id, need - added)
    }
    const chunks = Array.from({ length: Math.ceil(waiting.length / chunk) }, (_, i) => waiting.slice(i * chunk, (i + 1) * chunk))
    const work = async () => {
      for (let next = chunks.shift(); next; next = chunks.shift()) {
        const invoices = await database.db.transaction().execute(async (trx) => {
          const raised = []
          for (const application of next) raised.push(await raiseInvoiceFor(trx, seed.catalogue, application))
          return raised
        })
        for (const invoice of invoices) {
          // The prompt asks for what the invoice still owes, in shillings (M-Pesa takes KES only).
          if (invoice.currency !== 'KES') throw new Error(`${seed.service} charges ${invoice.currency}: M-Pesa prompts need KES`)
          await payments.recordPrompt(invoice.id, {
            checkoutRequestId: checkoutRequestId(),
            merchantRequestId: merchantRequestId(),
            phone: payer.phone,
            amountCents: invoice.totalCents - invoice.paidCents,
          })
        }
        added += invoices.length
        progress.add(invoices.length)
      }
    }
    await Promise.all(Array.from({ length: parallel }, work))
  }
  progress.finish()
  return added
}
