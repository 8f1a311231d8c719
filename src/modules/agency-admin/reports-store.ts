import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import { ACCOUNTS } from '../payments/ledger.js'

/** Instants [from, to): the start of the first Kenyan day of a report and the end of its last. */
export interface Period {
  from: Date
  to: Date
}

/**
 * The Kenyan calendar day of an instant, as 'YYYY-MM-DD' text. Kenya keeps UTC+3 all year, and a fixed
 * offset needs no time-zone data in the database (the embedded one carries none).
 */
function kenyaDay(column: string): RawBuilder<string> {
  return sql<string>`to_char((${sql.ref(column)} at time zone 'UTC') + interval '3 hours', 'YYYY-MM-DD')`
}

/** Counts come back as text (bigint) from PostgreSQL; every row's numbers are read through Number(). */
type Count = string | number

export interface StageCountRow {
  service_slug: string
  definition_version: number
  stage: string | null
  status: string
  outcome: string | null
  n: Count
}

/** Applications the agency received in the period, by service, pinned version, stage and outcome. */
export async function applicationCounts(db: Db, agency: string, period: Period): Promise<StageCountRow[]> {
  const result = await sql<StageCountRow>`
    select service_slug, definition_version, stage, status, outcome, count(*) as n
    from applications
    where agency_code = ${agency} and submitted_at >= ${period.from} and submitted_at < ${period.to}
    group by service_slug, definition_version, stage, status, outcome`.execute(db)
  return result.rows
}

export interface SlaRow {
  service_slug: string
  moves: Count
  on_time: Count
}

/**
 * Moves out of a stage with a deadline in the period (sla_moves, written as they happen), and how many
 * were made on or before that deadline's Kenyan day. A withdrawal is the applicant's move, not the agency's.
 */
export async function slaMoves(db: Db, agency: string, period: Period): Promise<SlaRow[]> {
  const result = await sql<SlaRow>`
    select service_slug, count(*) as moves,
      count(*) filter (where ((moved_at at time zone 'UTC') + interval '3 hours')::date <= expected_by) as on_time
    from sla_moves
    where agency_code = ${agency} and moved_at >= ${period.from} and moved_at < ${period.to}
      and outcome is distinct from 'withdrawn'
    group by service_slug`.execute(db)
  return result.rows
}

/** Open applications past the date the agency should have moved them on (applications.expected_by). */
export async function overdueNow(db: Db, agency: string, today: string): Promise<{ service_slug: string; n: Count }[]> {
  const result = await sql<{ service_slug: string; n: Count }>`
    select service_slug, count(*) as n
    from applications
    where agency_code = ${agency} and status = 'in-progress' and expected_by < cast(${today} as date)
    group by service_slug`.execute(db)
  return result.rows
}

export interface DecisionRow {
  service_slug: string
  submitted_day: string
  decided_day: string
  n: Count
}

/** Applications issued or rejected in the period (their last event moved them there): submitted and decided days. */
export async function decisions(db: Db, agency: string, period: Period): Promise<DecisionRow[]> {
  const result = await sql<DecisionRow>`
    select a.service_slug, ${kenyaDay('a.submitted_at')} as submitted_day, ${kenyaDay('e.at')} as decided_day, count(*) as n
    from application_events e
    join applications a on a.id = e.application_id
    where a.agency_code = ${agency} and e.at >= ${period.from} and e.at < ${period.to}
      and a.outcome in ('issued', 'rejected') and e.stage_to = a.stage
      and not exists (select 1 from application_events later where later.application_id = e.application_id and later.at > e.at)
    group by 1, 2, 3`.execute(db)
  return result.rows
}

export interface RevenueRow {
  service_slug: string
  currency: 'KES' | 'USD'
  credit: Count
  debit: Count
}

/** The agency's revenue account in the ledger: what entries of the period credited (fees) and debited (refunds). */
export async function revenue(db: Db, agency: string, period: Period): Promise<RevenueRow[]> {
  const result = await sql<RevenueRow>`
    select a.service_slug, l.currency, sum(l.credit_cents) as credit, sum(l.debit_cents) as debit
    from ledger_lines l
    join ledger_entries e on e.id = l.entry_id
    join invoices i on i.id = e.invoice_id
    join applications a on a.id = i.application_id
    where l.account = ${ACCOUNTS.agencyRevenue(agency)} and e.created_at >= ${period.from} and e.created_at < ${period.to}
    group by 1, 2`.execute(db)
  return result.rows
}

export interface SettlementDayRow {
  day: string
  currency: 'KES' | 'USD'
  payments: Count
  amount: Count
  government: Count
  convenience: Count
  overpaid: Count
}

/**
 * Per Kenyan day and currency, the agency's payments as the settlement file lists them: what was paid,
 * what the ledger recognised for the agency and for the platform, and what is held as overpayment.
 */
export async function settlementDays(db: Db, agency: string, period: Period): Promise<SettlementDayRow[]> {
  const result = await sql<SettlementDayRow>`
    select ${kenyaDay('p.paid_at')} as day, p.currency, count(*) as payments, sum(p.amount_cents) as amount,
      coalesce(sum(r.government), 0) as government, coalesce(sum(r.convenience), 0) as convenience, sum(p.overpaid_cents) as overpaid
    from payments p
    join invoices i on i.id = p.invoice_id
    cross join lateral (
      select sum(l.credit_cents) filter (where l.account = ${ACCOUNTS.agencyRevenue(agency)}) as government,
        sum(l.credit_cents) filter (where l.account = ${ACCOUNTS.convenience}) as convenience
      from ledger_entries e join ledger_lines l on l.entry_id = e.id
      where e.payment_id = p.id and e.kind = 'revenue-recognised'
    ) r
    where i.agency_code = ${agency} and p.paid_at >= ${period.from} and p.paid_at < ${period.to}
    group by 1, 2
    order by 1 desc, 2`.execute(db)
  return result.rows
}
