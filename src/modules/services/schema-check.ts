import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import ajv2020, { type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import { QUESTION_TYPES } from './definition.js'
import { describePath, pointerToPath, type Path } from './yaml-source.js'

/** The published JSON Schema of a service definition (docs/SERVICE-DEFINITIONS.md links to this file). */
export const DEFINITION_SCHEMA_FILE = fileURLToPath(new URL('./definition-schema.json', import.meta.url))

// ajv is CommonJS: imported from ESM, its class is the module's `default`.
const Ajv2020 = ajv2020.default

export interface Problem {
  path: Path
  /** Report at the key of the last step (an unknown field) rather than at its value. */
  atKey?: boolean
  message: string
}

export function createValidator(schema: AnySchema): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: true, strictRequired: false })
  return ajv.compile(schema)
}

let definitionValidator: ValidateFunction | undefined

export function definitionSchema(): AnySchema {
  return JSON.parse(fs.readFileSync(DEFINITION_SCHEMA_FILE, 'utf8')) as AnySchema
}

/** Problems with `value` against the definition schema, as paths and plain reasons. */
export function checkAgainstSchema(value: unknown, validate?: ValidateFunction): Problem[] {
  const check = validate ?? (definitionValidator ??= createValidator(definitionSchema()))
  if (check(value)) return []
  return simplify(check.errors ?? []).map(explain)
}

/** What each named pattern in the schema asks for, in words. */
const PATTERNS: Record<string, string> = {
  kebab: 'lower-case letters, digits and single dashes, like "ordinary-passport"',
  camel: 'a camelCase name of letters and digits, like "dateOfBirth"',
  optionValue: 'letters, digits, ".", "_" or "-", like "34" or "first-issue"',
  dateBound: '"today", "today-18y", "today+6m", "today+90d" or a date like "2024-03-01"',
}

function explain(error: ErrorObject): Problem {
  const path = pointerToPath(error.instancePath)
  const where = describePath(path)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { path, message: `${where}: missing required field "${String(params.missingProperty)}"` }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = String(params.additionalProperty ?? params.unevaluatedProperty)
      return { path: [...path, field], atKey: true, message: `${where}: unknown field "${field}"` }
    }
    case 'enum':
      return { path, message: `${where}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` }
    case 'const':
      return { path, message: `${where}: must be ${JSON.stringify(params.allowedValue)}` }
    case 'discriminator':
      return { path: [...path, 'type'], message: `${describePath([...path, 'type'])}: unknown question type; use one of ${QUESTION_TYPES.join(', ')}` }
    case 'type':
      return { path, message: `${where}: must be ${article(String(params.type))}` }
    case 'pattern': {
      const name = /\$defs\/(\w+)\/pattern$/.exec(error.schemaPath)?.[1] ?? ''
      if (name === 'line' || name === 'paragraphs' || name === 'answerParagraphs') return { path, message: `${where}: must not be blank` }
      const wanted = PATTERNS[name] ?? (path.at(-1) === 'agency' ? 'two to five capital letters, like "DIS"' : `the form ${String(params.pattern)}`)
      return { path, message: `${where}: must be ${wanted}` }
    }
    case 'minItems':
      return { path, message: `${where}: needs at least ${String(params.limit)} ${params.limit === 1 ? 'entry' : 'entries'}` }
    case 'maxItems':
      return { path, message: `${where}: at most ${String(params.limit)} entries are allowed` }
    case 'maxLength':
      return { path, message: `${where}: must be at most ${String(params.limit)} characters long` }
    case 'minProperties':
    case 'maxProperties':
      if (path.at(-1) === 'when') return { path, message: `${where}: needs "question" and exactly one of equals, in, notIn or includes` }
      if (/period/.test(error.schemaPath)) return { path, message: `${where}: needs exactly one of days, months or years` }
      return { path, message: `${where}: ${error.message ?? 'invalid'}` }
    default:
      return { path, message: `${where}: ${error.message ?? 'invalid'}` }
  }
}

function article(type: string): string {
  return type === 'integer' ? 'a whole number' : type === 'array' ? 'a list' : type === 'object' ? 'a mapping of fields' : `a ${type}`
}

/**
 * ajv with allErrors reports every branch of a oneOf and the oneOf itself; keep the errors a person can
 * act on: drop the summary keywords, and identical reports of one place.
 */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const useful = errors.filter((error) => !['oneOf', 'anyOf', 'if', 'allOf'].includes(error.keyword))
  const seen = new Set<string>()
  return (useful.length ? useful : errors).filter((error) => {
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
