/**
 * npm run bench: drives a bare Fastify hello-world and the portal with autocannon in the same run and
 * reports each scenario against the hello-world baseline (ratios, never absolute targets in tests).
 *   BENCH_DURATION=10   seconds per scenario (after a 2-second warm-up)
 *   DATABASE_URL=...    run the portal on PostgreSQL instead of embedded PGlite
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { accountScenarios } from './accounts.js'
import { SCENARIOS, type Scenario } from './scenarios.js'

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = 100
const HELLO_PORT = 3998
const PORTAL_PORT = 3997

interface Result {
  scenario: string
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
  ratioToHello: number
  /** For scenarios bounded by design (password hashing): the share of that bound reached. */
  ratioToCeiling?: number
}

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

async function drive(url: string, duration: number, scenario: Scenario) {
  return autocannon({
    url,
    connections: CONNECTIONS,
    pipelining: 1,
    duration,
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    body: scenario.body,
  })
}

async function measure(scenario: Scenario, base: string): Promise<Omit<Result, 'ratioToHello'>> {
  const url = `${base}${scenario.path}`
  await drive(url, 2, scenario) // warm-up: JIT, caches, connection pools
  const result = await drive(url, DURATION, scenario)
  // Anything but the expected statuses (any 2xx by default) counts as an error.
  const stats = (result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats ?? {}
  const unexpected = Object.entries(stats)
    .filter(([status]) => (scenario.expect ? !scenario.expect.includes(Number(status)) : !status.startsWith('2')))
    .reduce((sum, [, stat]) => sum + stat.count, 0)
  const requestsPerSecond = Math.round(result.requests.average)
  return {
    scenario: scenario.name,
    requestsPerSecond,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + unexpected,
    ...(scenario.ceiling ? { ratioToCeiling: Number((requestsPerSecond / scenario.ceiling).toFixed(2)) } : {}),
  }
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecitizen-bench-'))
  const engine = process.env.DATABASE_URL ? 'postgres' : 'pglite'
  const hello = await startProcess(['--import', 'tsx', 'bench/hello.ts'], { PORT: String(HELLO_PORT) }, /listening/)
  const portal = await startProcess(
    ['bin/ecitizen.js', 'start'],
    {
      PORT: String(PORTAL_PORT),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      // Development only so the account scenarios can read the sign-in code from /dev/outbox.
      NODE_ENV: 'development',
      COOKIE_SECRET: 'bench-only-cookie-secret-0123456789abcdef',
      // One client address makes every request: the per-address limits would measure the 429 page.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      SIGN_IN_LIMIT_PER_10_MINUTES: '1000000000',
    },
    /eCitizen is running/,
  )
  const results: Result[] = []
  try {
    const baseline = await measure({ name: 'hello-world (bare Fastify)', path: '/' }, `http://127.0.0.1:${HELLO_PORT}`)
    results.push({ ...baseline, ratioToHello: 1 })
    const portalBase = `http://127.0.0.1:${PORTAL_PORT}`
    for (const scenario of [...SCENARIOS, ...(await accountScenarios(portalBase))]) {
      const measured = await measure(scenario, `http://127.0.0.1:${PORTAL_PORT}`)
      results.push({ ...measured, ratioToHello: Number((measured.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)) })
    }
  } finally {
    hello.kill('SIGTERM')
    portal.kill('SIGTERM')
  }

  const header = `| scenario | req/s | p50 ms | p99 ms | errors | ratio to hello-world | ratio to ceiling |`
  const rows = results.map(
    (r) =>
      `| ${r.scenario} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.ratioToHello.toFixed(2)} | ${r.ratioToCeiling?.toFixed(2) ?? ''} |`,
  )
  console.log(`\nengine: ${engine}; ${CONNECTIONS} connections, no pipelining, ${DURATION} s each; ${os.cpus().length} cores\n`)
  console.log([header, '| --- | ---: | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n'))
  const out = {
    date: new Date().toISOString(),
    engine,
    node: process.version,
    cores: os.cpus().length,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    results,
  }
  fs.writeFileSync(path.join('bench', 'results.json'), `${JSON.stringify(out, null, 2)}\n`)
  fs.rmSync(dataDir, { recursive: true, force: true })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
