#!/usr/bin/env node
// Runs the suite with node's test runner on the TypeScript sources.
//   node scripts/test.mjs            every test: unit, route and browser
//   node scripts/test.mjs --unit     unit and route tests (src/**/*.test.ts, test/**/*.test.ts but e2e)
//   node scripts/test.mjs --e2e      browser journeys (test/e2e)
// TEST_DATABASE_URL=postgres://... runs the database-backed tests on that server instead of PGlite.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const mode = process.argv.includes('--e2e') ? 'e2e' : process.argv.includes('--unit') ? 'unit' : 'all'

function find(dir) {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : find(full)
    return entry.name.endsWith('.test.ts') ? [full] : []
  })
}

const all = [...find(path.join(root, 'src')), ...find(path.join(root, 'test'))].sort()
const isE2e = (file) => file.includes(`${path.sep}e2e${path.sep}`)
const files = all.filter((file) => (mode === 'all' ? true : mode === 'e2e' ? isE2e(file) : !isE2e(file)))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files.map((f) => path.relative(root, f))],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
)
process.exit(result.status ?? 1)
