/**
 * npm run bench: drives a bare Fastify hello-world and the portal with autocannon in the same run and
 * reports each scenario against the hello-world baseline (ratios, never absolute targets in tests).
 *   BENCH_DURATION=10     seconds per scenario (after a 2-second warm-up)
 *   DATABASE_URL=...      run the portal on PostgreSQL instead of embedded PGlite (a fresh temporary one)
 *   BENCH_SEED=N          first top the database up to N bench applications (`ecitizen seed --bench`);
 *                         default 2,000 on PGlite, 10,000 on PostgreSQL. Already there: nothing is added
 *   BENCH_PEOPLE=M        the people they belong to (default N/10, at least 100)
 *   BENCH_DRAFTS=K        drafts prepared for the submission scenarios (default 4,000 / 30,000)
 *   BENCH_PROMPTS=P       pending M-Pesa prompts prepared for the callback scenarios (default enough for
 *                         600 / 3,000 callbacks a second over the warm-up and the run, and one more)
 *   BENCH_DOCUMENTS=D     signed documents the public check scenario cycles through, issued first if
 *                         missing (default 5,000, or a quarter of BENCH_SEED if less; only when that
 *                         scenario runs)
 *   BENCH_ONLY=regex      only the scenarios whose name matches (the hello-world always runs)
 *   BENCH_PAIRED=1        measure the hello-world again right before each scenario and take the ratio to
 *                         that (twice as long; steadier ratios on a machine that is busy with other work)
 *   BENCH_COMPARE=10000,1000000
 *                         instead: the dashboard scenario at each database size in turn (topping up in
 *                         between, so start from a fresh database) and the ratio of its p99s
 *   BENCH_REPEAT=3        runs of the dashboard per size in BENCH_COMPARE (the median is kept)
 *   BENCH_PROFILE=dir     the portal runs under node --cpu-prof and writes its profile into dir
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { accountScenarios } from './accounts.js'
import { benchDocumentNumbersOf, QUEUE_SCENARIO, queueScenario, VERIFY_SCENARIO, verifyScenario } from './backoffice.js'
import { benchApplicationCount, CATALOGUE_SCENARIOS, dashboardScenario, draftIdsOf, draftScenarios, type DraftPool } from './applications.js'
import { CALLBACK_SCENARIO, CallbackBench, benchPromptsOf, judgePayments, printPayments } from './payments.js'
import { mergeInto } from './results-file.js'
import { SCENARIOS, type Result, type Scenario } from './scenarios.js'

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = 100
const HELLO_PORT = 3998
const PORTAL_PORT = 3997
const ENGINE = process.env.DATABASE_URL ? 'postgres' : 'pglite'
const count = (name: string, fallback: number) => {
  const raw = process.env[name]
  const value = raw === undefined || raw === '' ? fallback : Number(raw.replace(/_/g, ''))
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number`)
  return value
}
const SEED = count('BENCH_SEED', ENGINE === 'postgres' ? 10_000 : 2_000)
const peopleFor = (applications: number) => count('BENCH_PEOPLE', Math.max(100, Math.round(applications / 10)))
const DRAFTS = count('BENCH_DRAFTS', ENGINE === 'postgres' ? 30_000 : 4_000)
const WARM_UP = 2
const PROMPTS = count('BENCH_PROMPTS', (ENGINE === 'postgres' ? 3_000 : 600) * (DURATION + WARM_UP) + 1)
// About two in five bench applications end issued: a small database cannot hold 5,000 documents.
const DOCUMENTS = count('BENCH_DOCUMENTS', Math.min(5_000, Math.floor(SEED / 4)))
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined
const PAIRED = process.env.BENCH_PAIRED === '1'
const PROFILE = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : undefined

const children: ChildProcess[] = []
// Whatever happens, no server is left running after the bench.
process.on('exit', () => children.forEach((child) => child.kill('SIGTERM')))

function startProcess(args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(child)
    let seen = ''
    const onData = (chunk: Buffer) => {
      seen += chunk.toString()
      if (ready.test(seen)) {
        // From here on its output is drained and dropped (the portal logs every request).
        seen = ''
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(child)
      }
    }
    child.stdout?.on('data', onData)
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)))
  })
}

/** SIGTERM, then waits for the exit (a CPU profile is written on the way out). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000).unref())])
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecitizen-bench-'))
const databaseOptions = { url: process.env.DATABASE_URL, dataDir }

const portalEnv = {
  PORT: String(PORTAL_PORT),
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  // Development only so the account scenarios can read the sign-in code from /dev/outbox.
  NODE_ENV: 'development',
  COOKIE_SECRET: 'bench-only-cookie-secret-0123456789abcdef',
  // One client address makes every request: the per-address limits would measure the 429 page.
  RATE_LIMIT_PER_MINUTE: '1000000000',
  SIGN_IN_LIMIT_PER_10_MINUTES: '1000000000',
}

function startPortal(): Promise<ChildProcess> {
  const flags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []
  return startProcess([...flags, 'bin/ecitizen.js', 'start'], portalEnv, /eCitizen is running/)
}

/** `ecitizen seed --bench`, its progress bars on this terminal; the seconds it took. */
async function seed(applications: number, people: number, drafts: number, prompts = 0, documents = 0): Promise<number> {
  const args = ['bin/ecitizen.js', 'seed', '--bench', '--applications', String(applications), '--people', String(people), '--drafts', String(drafts)]
  if (prompts) args.push('--prompts', String(prompts))
  if (documents) args.push('--documents', String(documents))
  console.error(`ecitizen ${args.slice(1).join(' ')} (${ENGINE})`)
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...portalEnv, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed --bench exited with ${code}`))))
  })
  return Math.round((performance.now() - started) / 100) / 10
}

async function drive(url: string, duration: number, scenario: Scenario) {
  return autocannon({
    url,
    connections: scenario.connections ?? CONNECTIONS,
    pipelining: 1,
    duration,
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    body: scenario.body,
    requests: scenario.requests?.(),
  })
}

async function measure(scenario: Scenario, base: string): Promise<Omit<Result, 'ratioToHello'>> {
  const url = `${base}${scenario.path}`
  await drive(url, WARM_UP, scenario) // warm-up: JIT, caches, connection pools
  const result = await drive(url, DURATION, scenario)
  // Anything but the expected statuses (any 2xx by default) counts as an error.
  const stats = (result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats ?? {}
  const unexpected = Object.entries(stats)
    .filter(([status]) => (scenario.expect ? !scenario.expect.includes(Number(status)) : !status.startsWith('2')))
    .reduce((sum, [, stat]) => sum + stat.count, 0)
  const requestsPerSecond = Math.round(result.requests.average)
  const statuses = Object.fromEntries(Object.entries(stats).map(([status, stat]) => [status, stat.count]))
  if (unexpected || result.errors || result.timeouts) {
    console.error(`${scenario.name}: statuses ${JSON.stringify(statuses)}, ${result.errors} errors, ${result.timeouts} timeouts`)
  }
  return {
    scenario: scenario.name,
    requestsPerSecond,
    ...(scenario.unit ? { unit: scenario.unit.name, unitsPerSecond: Math.round(requestsPerSecond / scenario.unit.requests) } : {}),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + unexpected,
    ...(scenario.connections ? { connections: scenario.connections } : {}),
    ...(scenario.ceiling ? { ratioToCeiling: Number((requestsPerSecond / scenario.ceiling).toFixed(2)) } : {}),
  }
}

/** The issue's target for a scenario, in words, and whether the run met it. */
function judge(scenario: Scenario, result: Omit<Result, 'target' | 'met'>): Pick<Result, 'target' | 'met'> {
  const target = scenario.target
  if (!target) return {}
  const words: string[] = []
  let met = true
  if (target.ratio !== undefined) {
    words.push(`≥ ${target.ratio.toFixed(2)} × hello`)
    met &&= result.ratioToHello >= target.ratio
  }
  if (target.perSecond !== undefined) {
    words.push(`≥ ${target.perSecond} ${result.unit ?? 'requests'}/s`)
    met &&= (result.unitsPerSecond ?? result.requestsPerSecond) >= target.perSecond
  }
  if (target.p99Ms !== undefined) {
    words.push(`p99 ≤ ${target.p99Ms} ms`)
    met &&= result.p99Ms <= target.p99Ms
  }
  met &&= result.errors === 0
  return { target: words.join(', '), met }
}

function table(results: Result[]): string {
  const header = '| scenario | req/s | units/s | p50 ms | p99 ms | errors | ratio to hello-world | ratio to ceiling | target | met |'
  const ratio = (r: Result) => `${r.ratioToHello.toFixed(2)}${r.helloRequestsPerSecond ? ` (of ${r.helloRequestsPerSecond})` : ''}`
  const rows = results.map(
    (r) =>
      `| ${r.scenario} | ${r.requestsPerSecond} | ${r.unitsPerSecond !== undefined ? `${r.unitsPerSecond} ${r.unit}` : ''} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${ratio(r)} | ${r.ratioToCeiling?.toFixed(2) ?? ''} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'NO'} |`,
  )
  return [header, '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |', ...rows].join('\n')
}

/** Other work on the machine skews every number: say how busy it was. */
const load = () => os.loadavg()[0]!.toFixed(2)

async function benchmark() {
  const loadBefore = load()
  const wantPayments = !ONLY || ONLY.test(CALLBACK_SCENARIO)
  const wantDocuments = !ONLY || ONLY.test(VERIFY_SCENARIO)
  const seedSeconds = await seed(SEED, peopleFor(SEED), DRAFTS, wantPayments ? PROMPTS : 0, wantDocuments ? DOCUMENTS : 0)
  const draftIds = await draftIdsOf(databaseOptions)
  const documentNumbers = wantDocuments ? await benchDocumentNumbersOf(databaseOptions, DOCUMENTS) : []
  const callbacks = wantPayments ? new CallbackBench(await benchPromptsOf(databaseOptions)) : undefined
  const applications = await benchApplicationCount(databaseOptions)
  const hello = await startProcess(['--import', 'tsx', 'bench/hello.ts'], { PORT: String(HELLO_PORT) }, /listening/)
  const portal = await startPortal()
  const results: Result[] = []
  let pool: DraftPool | undefined
  try {
    const hello = { name: 'hello-world (bare Fastify)', path: '/' }
    const helloBase = `http://127.0.0.1:${HELLO_PORT}`
    const baseline = await measure(hello, helloBase)
    results.push({ ...baseline, ratioToHello: 1 })
    const portalBase = `http://127.0.0.1:${PORTAL_PORT}`
    // Sign-ins read their codes from the outbox one after the other, before any scenario floods it.
    const accounts = await accountScenarios(portalBase)
    const dashboard = await dashboardScenario(portalBase)
    // Signing the submitter in needs their drafts; skipped when BENCH_ONLY leaves no draft scenario.
    const wantDrafts = !ONLY || ['draft page save', 'submission', 'draft save + submission'].some((name) => ONLY.test(name))
    const drafts = wantDrafts ? await draftScenarios(portalBase, draftIds) : { scenarios: [], pool: undefined }
    pool = drafts.pool
    const [signedInPage, signInPost] = accounts
    const payments = callbacks ? [callbacks.scenario()] : []
    // The officer signs in only when the queue is measured; the documents are there only for the check.
    const backoffice = [...(!ONLY || ONLY.test(QUEUE_SCENARIO) ? [await queueScenario(portalBase)] : []), ...(wantDocuments ? [verifyScenario(documentNumbers)] : [])]
    const scenarios = [...SCENARIOS, ...CATALOGUE_SCENARIOS, dashboard, signedInPage!, ...backoffice, ...drafts.scenarios, ...payments, signInPost!].filter(
      (scenario) => !ONLY || ONLY.test(scenario.name),
    )
    for (const scenario of scenarios) {
      // On a shared machine the baseline drifts: BENCH_PAIRED measures it again right before each scenario.
      const reference = PAIRED ? await measure(hello, helloBase) : baseline
      const measured = await measure(scenario, portalBase)
      const result = {
        ...measured,
        ratioToHello: Number((measured.requestsPerSecond / reference.requestsPerSecond).toFixed(2)),
        ...(PAIRED ? { helloRequestsPerSecond: reference.requestsPerSecond } : {}),
      }
      results.push({ ...result, ...judge(scenario, result) })
      console.error(`${scenario.name}: ${result.requestsPerSecond} req/s, p99 ${result.p99Ms} ms`)
      // Right after the callbacks, while the portal is as busy as they left it.
      if (scenario.name === CALLBACK_SCENARIO) {
        await callbacks!.sendIdentical(portalBase)
        await callbacks!.waitProcessed(databaseOptions)
      }
    }
  } finally {
    await Promise.all([stop(hello), stop(portal)])
  }
  const checks = callbacks && (await callbacks.check(databaseOptions))
  if (checks) judgePayments(results, checks, callbacks.pool.exhausted)

  console.log(
    `\nengine: ${ENGINE}; ${applications.toLocaleString('en-GB')} bench applications (seed step ${seedSeconds} s); ` +
      `${CONNECTIONS} connections (unless a row names another number), no pipelining, ${DURATION} s each; ${os.cpus().length} cores; load ${loadBefore} before, ${load()} after\n`,
  )
  console.log(table(results))
  if (pool?.exhausted) console.log(`\n${pool.exhausted} requests found no draft left: raise BENCH_DRAFTS`)
  if (checks) printPayments(checks, callbacks!)
  const out = {
    date: new Date().toISOString(),
    engine: ENGINE,
    node: process.version,
    cores: os.cpus().length,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    benchApplications: applications,
    seedSeconds,
    drafts: { prepared: draftIds.length, left: pool?.left, exhausted: pool?.exhausted },
    ...(callbacks ? { prompts: { prepared: callbacks.prepared, left: callbacks.pool.left, exhausted: callbacks.pool.exhausted }, payments: checks } : {}),
    results,
  }
  const file = path.join('bench', 'results.json')
  fs.writeFileSync(file, `${JSON.stringify(ONLY ? mergeInto(file, out) : out, null, 2)}\n`)
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The dashboard of the 50-application person at each database size: its p99 should not grow with the table. */
async function compareSizes(sizes: number[]) {
  const repeat = count('BENCH_REPEAT', 3)
  const rows: { size: number; applications: number; seedSeconds: number; rps: number; p50: number; p99: number; p99s: number[]; load: string }[] = []
  for (const size of sizes) {
    const seedSeconds = await seed(size, peopleFor(size), 0)
    const applications = await benchApplicationCount(databaseOptions)
    if (applications > size * 1.01) {
      throw new Error(`the database already holds ${applications} bench applications, more than ${size}: compare on a fresh database`)
    }
    const portal = await startPortal()
    const loadBefore = load()
    try {
      const scenario = await dashboardScenario(`http://127.0.0.1:${PORTAL_PORT}`)
      const runs = []
      for (let i = 0; i < repeat; i++) runs.push(await measure(scenario, `http://127.0.0.1:${PORTAL_PORT}`))
      const errors = runs.reduce((sum, run) => sum + run.errors, 0)
      if (errors) throw new Error(`${errors} errors on the dashboard at ${size} applications`)
      rows.push({
        size,
        applications,
        seedSeconds,
        rps: median(runs.map((run) => run.requestsPerSecond)),
        p50: median(runs.map((run) => run.p50Ms)),
        p99: median(runs.map((run) => run.p99Ms)),
        p99s: runs.map((run) => run.p99Ms),
        load: `${loadBefore} → ${load()}`,
      })
      console.error(`${applications} applications: p99 ${runs.map((run) => run.p99Ms).join(', ')} ms`)
    } finally {
      await stop(portal)
    }
  }
  const ratio = rows.at(-1)!.p99 / rows[0]!.p99
  console.log(`\nengine: ${ENGINE}; dashboard of the person with 50 applications; ${CONNECTIONS} connections, ${DURATION} s, median of ${repeat} runs; ${os.cpus().length} cores\n`)
  console.log('| bench applications | seed step s | req/s | p50 ms | p99 ms (median) | p99 of each run | load average |')
  console.log('| ---: | ---: | ---: | ---: | ---: | --- | --- |')
  for (const row of rows) {
    console.log(`| ${row.applications.toLocaleString('en-GB')} | ${row.seedSeconds} | ${row.rps} | ${row.p50} | ${row.p99} | ${row.p99s.join(', ')} | ${row.load} |`)
  }
  console.log(`\np99 ratio, largest to smallest: ${ratio.toFixed(2)} (target ≤ 1.20: ${ratio <= 1.2 ? 'met' : 'NOT met'})`)
  fs.writeFileSync(
    path.join('bench', 'results-sizes.json'),
    `${JSON.stringify({ date: new Date().toISOString(), engine: ENGINE, node: process.version, cores: os.cpus().length, connections: CONNECTIONS, durationSeconds: DURATION, repeat, rows, p99Ratio: Number(ratio.toFixed(2)) }, null, 2)}\n`,
  )
}

const compare = process.env.BENCH_COMPARE?.split(',').map((size) => Number(size.replace(/_/g, '')))
;(compare ? compareSizes(compare) : benchmark())
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => fs.rmSync(dataDir, { recursive: true, force: true }))
