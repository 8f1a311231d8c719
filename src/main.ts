import { loadConfig, ConfigError, type Config } from './config.js'
import { createLogger } from './platform/log.js'
import type { Role } from './runtime.js'
import type { Db } from './platform/db/database.js'

// The database, web and job modules load only for commands that use them, so `help` and a bad setting
// answer at once.
const runtime = () => import('./runtime.js')

const HELP = `Usage: ecitizen <command>

Commands:
  start     Run everything in one process: migrate the database, add the demo data if it is
            empty, serve the portal and run background jobs. The newcomer's default.
  web       Serve the portal (HTML and JSON API) only. Run as many as you need behind a load
            balancer. Refuses to start while migrations are pending.
  worker    Run background jobs only (notifications, reconciliation, timers). Run one or more.
  migrate   Apply pending database migrations, then exit.
  seed      Apply pending migrations and add or refresh the demo data, then exit.
  seed --bench [--applications N] [--people M] [--drafts K] [--prompts P] [--documents D]
            Then add load-test data: M fictional citizens (default 100,000) with N
            applications between them (default 1,000,000), a person with exactly 50
            (bench.person@bench.example), and K drafts ready to submit and P applications
            waiting for payment, each with its invoice and a pending M-Pesa prompt, for
            another (bench.submitter@bench.example), and D signed documents issued for
            applications that ended issued. All share the password "bench passphrase
            for everyone". Run again, it tops up to the numbers asked. Never in
            production.
  user      Create staff accounts and change roles ("ecitizen user" for details).
  maintenance on --message-en TEXT --message-sw TEXT | off | status
            Maintenance mode: sign-in, dashboards, the status page and downloads keep
            working; new submissions and payments are refused with the message; drafts
            are kept.
  documents rotate-key [--out FILE]
            Make a new key to sign issued documents; documents signed with earlier keys
            keep verifying ("ecitizen documents" for details).
  payments reconcile --statement FILE [--day YYYY-MM-DD]
            Compare an M-Pesa organisation statement (CSV) with what was credited for a
            day; record each difference and put money nobody credited in suspense. Exit 0
            with no differences, 1 with some, 2 for a file that cannot be read
            ("ecitizen payments --help" for details).
  services check [DIR]
            Check every service definition (default: ./services); print file:line: reason
            for each problem and exit 1 if there are any.
  help      Show this text.

Settings come from environment variables; the README lists each with its default.
Without DATABASE_URL the database is embedded (PGlite) under DATA_DIR (./data).`

function fail(message: string, code: number): never {
  process.stderr.write(`ecitizen: ${message}\n`)
  process.exit(code)
}

async function oneShot(config: Config, command: 'migrate' | 'seed', argv: string[] = []): Promise<void> {
  const logger = createLogger(config.logLevel)
  // Checked before anything is opened: a mistyped option changes nothing.
  let bench: import('./bench-seed.js').BenchArgs | undefined
  if (command === 'seed' && argv.length) {
    const { parseBenchArgs } = await import('./bench-seed.js')
    if (argv[0] !== '--bench') fail(`unknown option "${argv[0]}"; run "ecitizen help"`, 2)
    if (config.environment === 'production') fail('seed --bench adds thousands of fictional accounts: never in production', 2)
    try {
      bench = parseBenchArgs(argv.slice(1))
    } catch (error) {
      fail((error as Error).message, 2)
    }
  }
  const { openConfiguredDatabase } = await runtime()
  const { migrate } = await import('./platform/db/migrate.js')
  const { seedDemoData } = await import('./seed.js')
  const database = await openConfiguredDatabase(config)
  try {
    const applied = await migrate(database)
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database already up to date')
    if (command === 'seed') await seedDemoData(database, logger)
    if (bench) {
      const { seedBenchData } = await import('./bench-seed.js')
      const { loadServicesOrExplain } = await import('./modules/catalogue/load.js')
      const { catalogue } = await loadServicesOrExplain()
      const report = await seedBenchData(database, catalogue, bench)
      logger.info({ ...report, engine: database.engine }, 'bench data seeded')
    }
  } finally {
    await database.close()
  }
}

/** A command that works on the migrated database and prints lines: `user`, `documents`. */
async function withDatabase(config: Config, command: (db: Db, out: (line: string) => void) => Promise<number>): Promise<void> {
  const { openConfiguredDatabase } = await runtime()
  const { migrate } = await import('./platform/db/migrate.js')
  const database = await openConfiguredDatabase(config)
  let code: number
  try {
    await migrate(database)
    code = await command(database.db, (line) => process.stdout.write(`${line}\n`))
  } finally {
    await database.close()
  }
  process.exitCode = code
}

async function user(config: Config, argv: string[]): Promise<void> {
  const { userCommand } = await import('./modules/accounts/user-command.js')
  await withDatabase(config, (db, out) => userCommand(db, argv, out))
}

async function maintenance(config: Config, argv: string[]): Promise<void> {
  const { maintenanceCommand } = await import('./modules/status/maintenance-mode.js')
  await withDatabase(config, (db, out) => maintenanceCommand(db, argv, out))
}

async function documents(config: Config, argv: string[]): Promise<void> {
  const { documentsCommand } = await import('./modules/documents/key-command.js')
  await withDatabase(config, (db, out) => documentsCommand(db, { documentSigningKey: config.documentSigningKey }, argv, out))
}

async function payments(config: Config, argv: string[]): Promise<void> {
  const { paymentsCommand } = await import('./modules/payments/statement-command.js')
  await withDatabase(config, (db, out) => paymentsCommand(db, argv, out))
}

async function serve(config: Config, role: Role): Promise<void> {
  const logger = createLogger(config.logLevel)
  const { run } = await runtime()
  const running = await run(role, config, logger)
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down: finishing requests and jobs in flight')
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting anyway')
      process.exit(1)
    }, config.shutdownTimeoutMs + 2000)
    timer.unref()
    running.stop().then(
      () => {
        logger.info('stopped')
        process.exit(0)
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

export async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'help'
  if (['help', '--help', '-h'].includes(command)) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  if (command === 'services') {
    if (argv[1] !== 'check') fail('usage: ecitizen services check [DIR]', 2)
    const { checkServicesCommand } = await import('./modules/services/check-command.js')
    process.exitCode = await checkServicesCommand(argv[2])
    return
  }
  // Its help needs no settings and no database.
  if (command === 'payments' && argv.slice(1).some((arg) => arg === '--help' || arg === '-h')) {
    const { PAYMENTS_HELP } = await import('./modules/payments/statement-command.js')
    process.stdout.write(`${PAYMENTS_HELP}\n`)
    return
  }
  if (!['start', 'web', 'worker', 'migrate', 'seed', 'user', 'documents', 'maintenance', 'payments'].includes(command)) {
    fail(`unknown command "${command}"; run "ecitizen help"`, 2)
  }
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2)
    throw error
  }
  try {
    if (command === 'migrate' || command === 'seed') await oneShot(config, command, argv.slice(1))
    else if (command === 'user') await user(config, argv.slice(1))
    else if (command === 'documents') await documents(config, argv.slice(1))
    else if (command === 'maintenance') await maintenance(config, argv.slice(1))
    else if (command === 'payments') await payments(config, argv.slice(1))
    else await serve(config, command as Role)
  } catch (error) {
    const { StartupError } = await runtime()
    const { MigrationError } = await import('./platform/db/migrate.js')
    if (error instanceof MigrationError || error instanceof StartupError) fail(error.message, 1)
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') fail(`port ${config.port} is already in use; set PORT to another`, 1)
    if (code === 'ECONNREFUSED') fail('cannot reach the database at DATABASE_URL', 1)
    throw error
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`ecitizen: failed: ${(error as Error).message}\n`)
  process.exit(1)
})
