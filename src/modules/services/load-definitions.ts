import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { checkConvenienceFees, CONVENIENCE_FEE_FILE, type ConvenienceFeeSchedule } from './convenience-fee.js'
import type { ServiceDefinition } from './definition.js'
import { checkAgainstSchema, type Problem } from './schema-check.js'
import { checkSemantics } from './semantic-checks.js'
import { YamlSource } from './yaml-source.js'

/** The services folder of this checkout: `services/<agency>/<slug>.yaml`. */
export const SERVICES_DIR = fileURLToPath(new URL('../../../services/', import.meta.url))

export interface DefinitionError {
  file: string
  line: number
  message: string
}

export interface LoadedDefinition {
  file: string
  definition: ServiceDefinition
}

export interface LoadResult {
  definitions: LoadedDefinition[]
  convenienceFees?: ConvenienceFeeSchedule
  errors: DefinitionError[]
}

export interface LoadOptions {
  /** Agency codes a definition may name; by default the portal's agencies. */
  agencies?: readonly string[]
}

/** `ordinary-passport.yaml` is the current version; `ordinary-passport.v1.yaml` keeps version 1. */
const FILE_NAME = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?:\.v([1-9]\d*))?\.yaml$/

export function formatDefinitionError(error: DefinitionError): string {
  return `${error.file}:${error.line}: ${error.message}`
}

function located(file: string, source: YamlSource, problems: Problem[]): DefinitionError[] {
  return problems.map((problem) => ({ file, line: source.lineOf(problem.path, problem.atKey), message: problem.message }))
}

/** Parses and checks one definition's text; `file` names it in errors. Cross-file rules are not checked here. */
export function checkDefinitionText(text: string, file: string, options: LoadOptions = {}): { definition?: ServiceDefinition; errors: DefinitionError[] } {
  const source = YamlSource.parse(text)
  if (source.syntaxErrors.length) return { errors: source.syntaxErrors.map((problem) => ({ file, ...problem })) }
  const schemaProblems = checkAgainstSchema(source.value)
  if (schemaProblems.length) return { errors: located(file, source, schemaProblems) }
  const definition = source.value as ServiceDefinition
  const agencies = options.agencies ?? DEMO_AGENCIES.map((agency) => agency.code)
  const errors = located(file, source, checkSemantics(definition, agencies))
  return errors.length ? { errors } : { definition, errors }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name)).sort()
}

/**
 * Reads every definition under `dir` and the platform's convenience fee schedule, and checks each file
 * alone and all of them together (file names, versions, unique slugs). Never throws for a bad file:
 * every problem is in `errors`, with the file and line.
 */
export async function loadDefinitions(dir = SERVICES_DIR, options: LoadOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { definitions: [], errors: [] }
  const display = (file: string) => path.relative(process.cwd(), file) || file
  const fail = (file: string, message: string, line = 1) => result.errors.push({ file: display(file), line, message })

  let files: string[]
  try {
    files = await listFiles(dir)
  } catch (error) {
    fail(dir, `cannot read the services folder: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    return result
  }

  const feeFile = path.join(dir, CONVENIENCE_FEE_FILE)
  if (!files.includes(feeFile)) fail(feeFile, 'the convenience fee schedule is missing')

  const versions = new Map<string, { file: string; version: number; current: boolean; agency: string }[]>()
  for (const file of files) {
    const relative = path.relative(dir, file).split(path.sep)
    if (relative[0]?.startsWith('_') || relative[0]?.startsWith('.')) {
      if (file === feeFile) {
        const source = YamlSource.parse(await fs.readFile(file, 'utf8'))
        const problems = source.syntaxErrors.length ? [] : checkConvenienceFees(source.value)
        for (const problem of source.syntaxErrors) fail(file, problem.message, problem.line)
        for (const error of located(display(file), source, problems)) result.errors.push(error)
        if (!source.syntaxErrors.length && !problems.length) result.convenienceFees = source.value as ConvenienceFeeSchedule
      }
      continue
    }
    const name = relative.at(-1) ?? ''
    if (name.endsWith('.yml')) fail(file, 'definition files end in .yaml')
    if (!name.endsWith('.yaml')) continue
    if (relative.length !== 2) {
      fail(file, 'a definition belongs in services/<agency>/<slug>.yaml')
      continue
    }
    const parts = FILE_NAME.exec(name)
    if (!parts) {
      fail(file, 'the file name must be <slug>.yaml or <slug>.v<version>.yaml, the slug in lower case with dashes')
      continue
    }
    const text = await fs.readFile(file, 'utf8')
    const checked = checkDefinitionText(text, display(file), options)
    result.errors.push(...checked.errors)
    const definition = checked.definition
    if (!definition) continue

    const [, slug = '', pinned] = parts
    const source = YamlSource.parse(text)
    const lineOf = (field: string) => source.lineOf([field])
    if (definition.slug !== slug) fail(file, `slug "${definition.slug}" does not match the file name "${slug}"`, lineOf('slug'))
    if (definition.agency !== relative[0]) fail(file, `agency "${definition.agency}" does not match the folder "${relative[0]}"`, lineOf('agency'))
    if (pinned !== undefined && definition.version !== Number(pinned)) {
      fail(file, `version ${definition.version} does not match the file name (v${pinned})`, lineOf('version'))
    }
    const entry = { file, version: definition.version, current: pinned === undefined, agency: definition.agency }
    versions.set(definition.slug, [...(versions.get(definition.slug) ?? []), entry])
    result.definitions.push({ file: display(file), definition })
  }

  for (const [slug, entries] of versions) {
    const current = entries.filter((entry) => entry.current)
    const [head] = current
    if (!head) fail(entries[0]?.file ?? dir, `service "${slug}" has earlier versions but no current file ${slug}.yaml`)
    if (new Set(entries.map((entry) => entry.agency)).size > 1) fail(entries[1]?.file ?? dir, `slug "${slug}" is used by more than one agency`)
    const seen = new Set<number>()
    for (const entry of entries) {
      if (seen.has(entry.version)) fail(entry.file, `version ${entry.version} of "${slug}" is defined twice`)
      seen.add(entry.version)
      if (head && !entry.current && entry.version >= head.version) {
        fail(head.file, `the current version (${head.version}) must be higher than every earlier one (${slug}.v${entry.version}.yaml)`)
      }
    }
  }
  return result
}
