/**
 * The payments scenarios, on the prompts `ecitizen seed --bench --prompts K` prepares: applications of
 * the submitter waiting for payment, each with its invoice and a pending M-Pesa prompt. Each callback
 * is Daraja's success result for a different prompt, with its amount and a receipt of its own, so each
 * one credits an invoice. Then 1,000 copies of one callback at once must credit exactly one payment.
 * What was credited is counted in the database after the portal stops (PGlite is one process's).
 */
import { randomBytes } from 'node:crypto'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import { BENCH_SUBMITTER_EMAIL } from '../src/bench-seed.js'
import { openDatabase } from '../src/platform/db/database.js'
import { darajaTimestamp } from '../src/modules/payments/daraja/protocol.js'
import { mpesaPaths } from '../src/modules/payments/daraja/client.js'
import { DEVELOPMENT_CALLBACK_SECRET } from '../src/modules/payments/settings.js'
import { DraftPool } from './applications.js'
import type { Result, Scenario } from './scenarios.js'

export const CALLBACK_SCENARIO = 'M-Pesa prompt callback (success)'
/** The portal runs outside production in the bench: its callbacks carry the development secret segment. */
export const CALLBACK_PATH = mpesaPaths(DEVELOPMENT_CALLBACK_SECRET).callback
export const IDENTICAL_COPIES = 1000

export interface BenchPrompt {
  checkoutRequestId: string
  merchantRequestId: string
  amountCents: number
  phone: string
}

type DatabaseOptions = { url?: string; dataDir?: string }

/** The pending prompts on the submitter's open invoices, oldest first (read before the portal opens the database). */
export async function benchPromptsOf(options: DatabaseOptions): Promise<BenchPrompt[]> {
  const database = await openDatabase({ url: options.url, dataDir: options.dataDir, poolSize: 1 })
  try {
    const rows = await sql<{ checkout_request_id: string; merchant_request_id: string; amount_cents: string; phone: string }>`
      select p.checkout_request_id, p.merchant_request_id, p.amount_cents, p.phone
      from mpesa_prompts p join invoices i on i.id = p.invoice_id join accounts c on c.id = i.account_id
      where lower(c.email) = ${BENCH_SUBMITTER_EMAIL} and i.status = 'pending' and p.status = 'pending'
      order by p.created_at, p.checkout_request_id`.execute(database.db)
    return rows.rows.map((row) => ({
      checkoutRequestId: row.checkout_request_id,
      merchantRequestId: row.merchant_request_id,
      amountCents: Number(row.amount_cents),
      phone: row.phone,
    }))
  } finally {
    await database.close()
  }
}

/** Daraja's STK result for a paid prompt, exactly as it posts it to the CallBackURL. */
export function successCallback(prompt: BenchPrompt, receipt: string, paidAt = new Date()): string {
  return JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: prompt.merchantRequestId,
        CheckoutRequestID: prompt.checkoutRequestId,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: prompt.amountCents / 100 },
            { Name: 'MpesaReceiptNumber', Value: receipt },
            { Name: 'Balance' },
            { Name: 'TransactionDate', Value: Number(darajaTimestamp(paidAt)) },
            { Name: 'PhoneNumber', Value: Number(prompt.phone.replace(/^\+/, '')) },
          ],
        },
      },
    },
  })
}

const isAck = (body: string) => {
  try {
    return (JSON.parse(body) as { ResultCode?: unknown }).ResultCode === 0
  } catch {
    return false
  }
}

const EXHAUSTED = '/bench/no-prompts-left'
const JSON_HEADERS = { 'content-type': 'application/json' }

export interface PaymentChecks {
  /**
   * Callbacks sent; those acknowledged as Daraja expects, and those answered otherwise. The rest were
   * still being answered when a run ended (autocannon stops without waiting for them): the portal
   * finished them before it stopped, so every callback sent must be credited.
   */
  sent: number
  acked: number
  refused: number
  credited: number
  submitted: number
  ledgerEntries: number
  notices: number
  identical?: { sent: number; acked: number; statuses: Record<string, number>; credited: number; ledgerEntries: number; seconds: number; p50Ms: number; p99Ms: number }
  /**
   * Processing from the inbox after the acknowledgement: messages processed, credits a second from the
   * first message received to the last processed, and the lag from received to processed.
   */
  processing?: { processed: number; unprocessed: number; creditsPerSecond: number; lagP50Ms: number; lagP99Ms: number; seconds: number }
}

/** The callback scenario and the identical-callbacks check, over one set of prompts. */
export class CallbackBench {
  readonly pool: DraftPool<BenchPrompt>
  /** Kept aside, fresh, for the identical callbacks. */
  private readonly reserved: BenchPrompt | undefined
  private readonly run = randomBytes(3).readUIntBE(0, 3).toString(36).toUpperCase().padStart(5, '0')
  private counter = 0
  acked = 0
  refused = 0
  identical?: { receipt: string; prompt: BenchPrompt; acked: number; statuses: Record<string, number>; seconds: number; p50Ms: number; p99Ms: number }

  readonly prepared: number

  constructor(prompts: readonly BenchPrompt[]) {
    this.prepared = prompts.length
    this.reserved = prompts.at(-1)
    this.pool = new DraftPool(prompts.slice(0, -1))
  }

  /** M-Pesa-like receipts (letters and digits), unique per request and per run. */
  private receipt(): string {
    return `B${this.run}${(this.counter++).toString(36).toUpperCase().padStart(6, '0')}`
  }

  scenario(): Scenario {
    return {
      name: CALLBACK_SCENARIO,
      path: CALLBACK_PATH,
      requests: () => [
        {
          setupRequest: (request) => {
            const prompt = this.pool.take()
            if (!prompt) return { ...request, method: 'POST', path: EXHAUSTED, headers: JSON_HEADERS, body: '{}' }
            return { ...request, method: 'POST', path: CALLBACK_PATH, headers: JSON_HEADERS, body: successCallback(prompt, this.receipt()) }
          },
          onResponse: (status, body) => {
            if (status === 200 && isAck(body)) this.acked++
            else this.refused++
          },
        },
      ],
      target: { perSecond: 2000 },
    }
  }

  /** 1,000 copies of one success callback for one fresh prompt, all sent at once, each on a connection of its own. */
  async sendIdentical(base: string): Promise<void> {
    const prompt = this.reserved
    if (!prompt) throw new Error('no prompt left for the identical callbacks: seed more (BENCH_PROMPTS)')
    const receipt = this.receipt()
    let acked = 0
    const started = performance.now()
    const result = await autocannon({
      url: `${base}${CALLBACK_PATH}`,
      connections: IDENTICAL_COPIES,
      amount: IDENTICAL_COPIES,
      timeout: 60,
      requests: [
        {
          method: 'POST',
          headers: JSON_HEADERS,
          body: successCallback(prompt, receipt),
          onResponse: (status, body) => {
            if (status === 200 && isAck(body)) acked++
          },
        },
      ],
    })
    const seconds = (performance.now() - started) / 1000
    const stats = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}
    const statuses = Object.fromEntries(Object.entries(stats).map(([status, stat]) => [status, stat.count]))
    this.identical = { receipt, prompt, acked, statuses, seconds, p50Ms: result.latency.p50, p99Ms: result.latency.p99 }
  }

  /**
   * Waits (PostgreSQL only: PGlite belongs to the portal's process) until the portal has processed every
   * message it acknowledged, so the credits counted are all there is.
   */
  async waitProcessed(options: DatabaseOptions, timeoutMs = 180_000): Promise<void> {
    if (!options.url) return
    const database = await openDatabase({ url: options.url, poolSize: 1 })
    try {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const left = await sql<{ n: string }>`select count(*) as n from mpesa_inbox where processed_at is null`.execute(database.db)
        if (Number(left.rows[0]?.n ?? 0) === 0) return
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    } finally {
      await database.close()
    }
  }

  /** What the callbacks did, counted in the database: payments, submissions, ledger entries, notices. */
  async check(options: DatabaseOptions): Promise<PaymentChecks> {
    const database = await openDatabase({ url: options.url, dataDir: options.dataDir, poolSize: 1 })
    const count = async (query: ReturnType<typeof sql<{ n: string }>>) => Number((await query.execute(database.db)).rows[0]?.n ?? 0)
    try {
      const ids = this.pool.taken.map((prompt) => prompt.checkoutRequestId)
      const paid = sql`select id, invoice_id, receipt_number from payments where checkout_request_id = any(${ids}::text[])`
      const checks: PaymentChecks = {
        sent: ids.length,
        acked: this.acked,
        refused: this.refused,
        credited: await count(sql`select count(*) as n from (${paid}) p`),
        submitted: await count(sql`
          select count(*) as n from (${paid}) p join invoices i on i.id = p.invoice_id join applications a on a.id = i.application_id
          where i.status = 'paid' and a.status <> 'awaiting-payment' and a.submitted_at is not null`),
        ledgerEntries: await count(sql`select count(*) as n from ledger_entries e where e.payment_id in (select id from (${paid}) p)`),
        notices: await count(sql`
          select count(*) as n from notifications m join (${paid}) p
            on m.idempotency_key in ('payment:' || p.receipt_number || ':email', 'payment:' || p.receipt_number || ':sms')`),
      }
      const inbox = await sql<{ processed: string; unprocessed: string; seconds: string | null; p50: string | null; p99: string | null }>`
        select count(processed_at) as processed, count(*) - count(processed_at) as unprocessed,
          extract(epoch from max(processed_at) - min(received_at)) as seconds,
          percentile_cont(0.5) within group (order by extract(epoch from processed_at - received_at)) as p50,
          percentile_cont(0.99) within group (order by extract(epoch from processed_at - received_at)) as p99
        from mpesa_inbox where kind = 'stk-result' and body->'Body'->'stkCallback'->>'CheckoutRequestID' = any(${ids}::text[])`.execute(database.db)
      const row = inbox.rows[0]
      if (row) {
        const seconds = Number(row.seconds ?? 0)
        checks.processing = {
          processed: Number(row.processed),
          unprocessed: Number(row.unprocessed),
          seconds: Number(seconds.toFixed(2)),
          creditsPerSecond: seconds > 0 ? Math.round(checks.credited / seconds) : 0,
          lagP50Ms: Math.round(Number(row.p50 ?? 0) * 1000),
          lagP99Ms: Math.round(Number(row.p99 ?? 0) * 1000),
        }
      }
      const identical = this.identical
      if (identical) {
        const id = identical.prompt.checkoutRequestId
        checks.identical = {
          sent: IDENTICAL_COPIES,
          acked: identical.acked,
          statuses: identical.statuses,
          credited: await count(sql`select count(*) as n from payments where checkout_request_id = ${id} or mpesa_receipt = ${identical.receipt}`),
          ledgerEntries: await count(sql`
            select count(*) as n from ledger_entries e join mpesa_prompts p on p.invoice_id = e.invoice_id
            where p.checkout_request_id = ${id} and e.kind = 'payment-received'`),
          seconds: Number(identical.seconds.toFixed(2)),
          p50Ms: identical.p50Ms,
          p99Ms: identical.p99Ms,
        }
      }
      return checks
    } finally {
      await database.close()
    }
  }
}

/**
 * The callback row (acknowledgements) is met when none was refused at the target rate; the processing
 * row when every callback sent was credited once and its application submitted, at 500 a second; the
 * identical callbacks become a row of their own, met when exactly one payment was credited.
 */
export function judgePayments(results: Result[], checks: PaymentChecks, exhausted: number): void {
  const row = results.find((result) => result.scenario === CALLBACK_SCENARIO)
  if (row) {
    row.checked = `${checks.sent} sent, ${checks.acked} acknowledged in time, ${checks.credited} credited, ${checks.submitted} submitted`
    // The acknowledgement is the inbox insert: judged by its rate; crediting is the processing row's.
    row.met = Boolean(row.met) && checks.refused === 0 && exhausted === 0
  }
  const processing = checks.processing
  if (processing) {
    results.push({
      scenario: 'M-Pesa credits processed from the inbox (lag as p50/p99)',
      requestsPerSecond: processing.creditsPerSecond,
      unitsPerSecond: processing.creditsPerSecond,
      unit: 'credits',
      p50Ms: processing.lagP50Ms,
      p99Ms: processing.lagP99Ms,
      errors: processing.unprocessed,
      ratioToHello: Number((processing.creditsPerSecond / results[0]!.requestsPerSecond).toFixed(2)),
      target: '≥ 500 credits/s',
      checked: `${processing.processed} processed in ${processing.seconds} s, ${processing.unprocessed} left`,
      met: processing.creditsPerSecond >= 500 && processing.unprocessed === 0 && checks.credited === checks.sent && checks.submitted === checks.sent,
    })
  }
  const identical = checks.identical
  if (!identical) return
  results.push({
    scenario: `${IDENTICAL_COPIES.toLocaleString('en-GB')} identical callbacks at once (one prompt)`,
    requestsPerSecond: Math.round(identical.sent / identical.seconds),
    p50Ms: identical.p50Ms,
    p99Ms: identical.p99Ms,
    errors: identical.sent - identical.acked,
    ratioToHello: Number((identical.sent / identical.seconds / results[0]!.requestsPerSecond).toFixed(2)),
    target: 'exactly 1 payment credited',
    checked: `${identical.acked} acknowledged, ${identical.credited} credited`,
    met: identical.acked === identical.sent && identical.credited === 1 && identical.ledgerEntries === 1,
  })
}

export function printPayments(checks: PaymentChecks, callbacks: CallbackBench): void {
  console.log(
    `\nM-Pesa callbacks: ${checks.sent} sent, ${checks.acked} acknowledged before their run ended, ${checks.refused} answered otherwise; ` +
      `in the database ${checks.credited} payments credited, ` +
      `${checks.submitted} applications submitted, ${checks.ledgerEntries} ledger entries, ${checks.notices} payment notices`,
  )
  const identical = checks.identical
  if (identical) {
    console.log(
      `${identical.sent} identical callbacks at once: ${identical.acked} acknowledged in ${identical.seconds} s (statuses ${JSON.stringify(identical.statuses)}); ` +
        `${identical.credited} payment credited (${identical.ledgerEntries} ledger entry): ${identical.credited === 1 ? 'exactly once' : 'NOT exactly once'}`,
    )
  }
  if (callbacks.pool.exhausted) console.log(`${callbacks.pool.exhausted} callbacks found no prompt left: raise BENCH_PROMPTS`)
}
