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

async function drive(url: string, duration: number, headers: Record<string, string> = {}) {
  return autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration, headers })
}

async function measure(scenario: Scenario, base: string): Promise<Omit<Result, 'ratioToHello'>> {
  const url = `${base}${scenario.path}`
  await drive(url, 2, scenario.headers) // warm-up: JIT, caches, connection pools
  const result = await drive(url, DURATION, scenario.headers)
  return {
    scenario: scenario.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
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
      NODE_ENV: 'production',
      COOKIE_SECRET: 'bench-only-cookie-secret-0123456789abcdef',
      // One client address makes every request: the per-address limit would measure the 429 page.
      RATE_LIMIT_PER_MINUTE: '100000000',
    },
    /eCitizen is running/,
  )
  const results: Result[] = []
  try {
    const baseline = await measure({ name: 'hello-world (bare Fastify)', path: '/' }, `http://127.0.0.1:${HELLO_PORT}`)
    results.push({ ...baseline, ratioToHello: 1 })
    for (const scenario of SCENARIOS) {
      const measured = await measure(scenario, `http://127.0.0.1:${PORTAL_PORT}`)
      results.push({ ...measured, ratioToHello: Number((measured.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)) })
    }
  } finally {
    hello.kill('SIGTERM')
    portal.kill('SIGTERM')
  }

  const header = `| scenario | req/s | p50 ms | p99 ms | errors | ratio to hello-world |`
  const rows = results.map(
    (r) => `| ${r.scenario} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.ratioToHello.toFixed(2)} |`,
  )
  console.log(`\nengine: ${engine}; ${CONNECTIONS} connections, no pipelining, ${DURATION} s each; ${os.cpus().length} cores\n`)
  console.log([header, '| --- | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n'))
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
