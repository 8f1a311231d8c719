import path from 'node:path'
import { formatDefinitionError, loadDefinitions, SERVICES_DIR } from './load-definitions.js'

interface Output {
  out: (text: string) => void
  err: (text: string) => void
}

const STANDARD: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

/**
 * `ecitizen services check [DIR]`: checks every definition as `start` would, prints `file:line: reason`
 * for each problem, and answers 0 when all are valid, 1 when any is not.
 */
export async function checkServicesCommand(dir?: string, output: Output = STANDARD): Promise<number> {
  const folder = dir ? path.resolve(dir) : SERVICES_DIR
  const { definitions, errors } = await loadDefinitions(folder)
  for (const error of errors) output.err(`${formatDefinitionError(error)}\n`)
  const files = new Set(errors.map((error) => error.file))
  const fine = definitions.filter((loaded) => !files.has(loaded.file)).length
  if (errors.length) {
    output.err(`${errors.length} problem(s) in ${files.size} file(s); ${fine} definition(s) OK\n`)
    return 1
  }
  output.out(`${definitions.length} definitions OK\n`)
  return 0
}
