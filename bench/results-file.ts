import fs from 'node:fs'
import type { Result } from './scenarios.js'

/**
 * A run of some scenarios only (BENCH_ONLY) replaces their rows in the last full run's file of the same
 * engine and keeps the rest of it. Each replaced row says when it was measured, on how many bench
 * applications and against which hello-world, since the file's other figures are the full run's.
 */
export function mergeInto(file: string, partial: { date: string; engine: string; benchApplications: number; results: Result[] } & Record<string, unknown>): object {
  let previous: { engine?: string; results?: Result[] } & Record<string, unknown>
  try {
    previous = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof previous
  } catch {
    return partial
  }
  if (previous.engine !== partial.engine || !previous.results?.length) return partial
  const [hello, ...measured] = partial.results
  const rows = measured.map((row) => ({
    ...row,
    measuredAt: partial.date,
    benchApplications: partial.benchApplications,
    helloRequestsPerSecond: row.helloRequestsPerSecond ?? hello!.requestsPerSecond,
  }))
  const names = new Set(rows.map((row) => row.scenario))
  const payments = partial.payments ? { prompts: partial.prompts, payments: partial.payments } : {}
  return { ...previous, ...payments, results: [...previous.results.filter((row) => !names.has(row.scenario)), ...rows] }
}
