/**
 * What crediting from the M-Pesa inbox costs, on its own: N success results for the bench's pending
 * prompts are written to the inbox as if acknowledged, then one process's InboxProcessor credits them
 * (sweeping, as a worker does after a crash). Reports credits a second and the CPU milliseconds per credit
 * of this process and of PostgreSQL's backends (from /proc), with no other load and no delivery workers.
 *
 *   DATABASE_URL=postgres://…/bench-db BENCH_CREDITS=2000 node --import tsx bench/inbox-credits.ts
 *
 * The database must have been seeded for the callback scenario (`ecitizen seed --bench --prompts P`).
 */
import fs from 'node:fs'
import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { buildApp } from '../src/app.js'
import { defineJobs } from '../src/jobs.js'
import { createSenders } from '../src/modules/notifications/senders.js'
import { readNotificationSettings } from '../src/modules/notifications/settings.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/platform/db/database.js'
import { JobQueue } from '../src/platform/jobs/queue.js'
import { dueUnprocessed } from '../src/modules/payments/inbox/store.js'
import { benchPromptsOf, CALLBACK_PATH, successCallback } from './payments.js'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL: a PostgreSQL bench database')
const count = Number(process.env.BENCH_CREDITS ?? 2000)

/** CPU time (ms) of every process whose command line names postgres, from /proc. */
function postgresCpuMs(): number {
  const tick = 1000 / 100 // USER_HZ is 100 on Linux
  let total = 0
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) continue
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      total += (Number(fields[11]) + Number(fields[12])) * tick
    } catch {
      // The process ended meanwhile.
    }
  }
  return total
}

const prompts = (await benchPromptsOf({ url })).slice(0, count)
if (prompts.length < count) throw new Error(`only ${prompts.length} pending prompts: seed more (--prompts)`)
const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' })
const database = await openDatabase({ url, poolSize: 10 })
const logger = pino({ level: 'warn' })
const jobs = new JobQueue(database, logger, { pollSeconds: 60, worker: false })
const app = await buildApp({ config, database, jobs, logger })
// The jobs are defined (notices enqueue deliveries) but this process runs none: delivery is not measured.
defineJobs(jobs, { db: database.db, senders: createSenders(readNotificationSettings({})), modules: app.modules, log: logger })
await jobs.start()
const { writer, processor } = app.modules.mpesa.inbox
const run = randomBytes(3).toString('hex').toUpperCase()
await Promise.all(prompts.map((prompt, i) => writer.write({ kind: 'stk-result', path: CALLBACK_PATH, sourceIp: '127.0.0.1', body: JSON.parse(successCallback(prompt, `C${run}${String(i).padStart(6, '0')}`)) })))

const cpuBefore = process.cpuUsage()
const pgBefore = postgresCpuMs()
const started = performance.now()
// Several lanes of 25, as the processor's own kicks run them.
const ids = await dueUnprocessed(database.db, new Date(Date.now() + 60_000), count)
const batches = Array.from({ length: Math.ceil(ids.length / 25) }, (_, i) => ids.slice(i * 25, i * 25 + 25))
await Promise.all(Array.from({ length: processor.concurrency }, async () => {
  for (let batch = batches.shift(); batch; batch = batches.shift()) await processor.processMany(batch)
}))
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
const pgMs = postgresCpuMs() - pgBefore
const credited = Number((await database.db.selectFrom('payments').select((eb) => eb.fn.countAll<string>().as('n')).where('mpesa_receipt', 'like', `C${run}%`).executeTakeFirstOrThrow()).n)
console.log(JSON.stringify({ credits: credited, seconds: Number(seconds.toFixed(2)), creditsPerSecond: Math.round(credited / seconds), portalCpuMsPerCredit: Number(((cpu.user + cpu.system) / 1000 / credited).toFixed(2)), postgresCpuMsPerCredit: Number((pgMs / credited).toFixed(2)), lanes: processor.concurrency }))
await app.close()
await jobs.stop(1000)
await database.close()
