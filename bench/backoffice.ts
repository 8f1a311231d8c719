/**
 * Agency back-office scenarios: the queue page of an officer of an agency with a busy queue (the demo
 * DIS officer, over the passport and travel-authorisation applications of the bench people), and the
 * public check of an issued document. The check keeps each number's status in memory for a while, so
 * the scenario cycles through the documents `ecitizen seed --bench --documents D` issued (read before
 * the portal starts, like the drafts) rather than measuring one cached number.
 */
import { sql } from 'kysely'
import { authenticator } from 'otplib'
import { DEMO_ACCOUNTS, DEMO_STAFF_TOTP_SECRET } from '../src/modules/accounts/demo-accounts.js'
import { PAGE_SIZE } from '../src/modules/backoffice/queue.js'
import { openDatabase } from '../src/platform/db/database.js'
import { BROWSER, signIn } from './applications.js'
import type { Scenario } from './scenarios.js'

export const QUEUE_SCENARIO = 'back-office queue page'
export const VERIFY_SCENARIO = 'verify a document (/verify/<number>)'
const QUEUE_OFFICER = 'officer.dis@demo.ecitizen.example'
/** Officers at their desks, each reloading the queue: fewer than the public's connections. */
const QUEUE_CONNECTIONS = 50

/** Up to `limit` numbers of the bench people's documents still standing (read before the portal opens the database). */
export async function benchDocumentNumbersOf(options: { url?: string; dataDir?: string }, limit: number): Promise<string[]> {
  const database = await openDatabase({ url: options.url, dataDir: options.dataDir, poolSize: 1 })
  try {
    const rows = await sql<{ number: string }>`
      select d.number from issued_documents d join applications a on a.id = d.application_id join accounts c on c.id = a.account_id
      where c.email like 'person.%@bench.example' and d.revoked_at is null order by d.number limit ${limit}`.execute(database.db)
    return rows.rows.map((row) => row.number)
  } finally {
    await database.close()
  }
}

/** The first page of the DIS officer's open queue (signs them in with the demo authenticator code). */
export async function queueScenario(base: string): Promise<Scenario> {
  const officer = DEMO_ACCOUNTS.find((account) => account.email === QUEUE_OFFICER)!
  const { cookie } = await signIn(base, officer.email, officer.password, () => authenticator.generate(DEMO_STAFF_TOTP_SECRET))
  const page = await fetch(`${base}/backoffice`, { headers: { cookie } })
  const html = await page.text()
  const rows = new Set(html.match(/href="\/backoffice\/applications\/[^"?#]+"/g) ?? []).size
  if (page.status !== 200 || rows < PAGE_SIZE) throw new Error(`the DIS officer's queue answered ${page.status} with ${rows} cases: was "seed --bench" run on this database?`)
  return {
    name: `${QUEUE_SCENARIO} (DIS officer, ${rows} cases shown, ${QUEUE_CONNECTIONS} connections)`,
    path: '/backoffice',
    headers: { ...BROWSER, cookie },
    connections: QUEUE_CONNECTIONS,
    target: { p99Ms: 100 },
  }
}

/** The public check of the bench documents, each connection taking the next number in turn. */
export function verifyScenario(numbers: readonly string[]): Scenario {
  if (numbers.length < 100) throw new Error(`only ${numbers.length} documents to check: seed more (BENCH_DOCUMENTS)`)
  let turn = 0
  return {
    name: VERIFY_SCENARIO,
    path: '/verify',
    requests: () => [{ setupRequest: (request) => ({ ...request, method: 'GET', path: `/verify/${numbers[turn++ % numbers.length]}`, headers: BROWSER }) }],
    target: { ratio: 0.4 },
  }
}
