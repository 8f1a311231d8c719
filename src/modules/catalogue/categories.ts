import fs from 'node:fs/promises'
import path from 'node:path'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import type { Text } from '../services/definition.js'
import type { DefinitionError } from '../services/load-definitions.js'
import { checkAgainstSchema, createValidator, type Problem } from '../services/schema-check.js'
import { YamlSource } from '../services/yaml-source.js'

/**
 * Categories and life events ("Travel and immigration", "Births and family") that group services on
 * /services. Definitions carry no category yet, so the grouping lives in one reviewed data file beside
 * the convenience fee schedule; a `categories` field on each definition would be the better home.
 */
export const CATEGORIES_FILE = '_platform/categories.yaml'

export interface Category {
  id: string
  name: Text
  description: Text
  /** Slugs of the services in it, in the order they are listed. */
  services: string[]
}

// Named as in the definition schema, so that problems read the same ("must be lower-case letters…").
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['categories'],
  $defs: {
    kebab: { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 60 },
    line: { type: 'string', minLength: 1, maxLength: 300, pattern: '\\S' },
    text: { type: 'object', additionalProperties: false, required: ['en', 'sw'], properties: { en: { $ref: '#/$defs/line' }, sw: { $ref: '#/$defs/line' } } },
  },
  properties: {
    categories: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'description', 'services'],
        properties: {
          id: { $ref: '#/$defs/kebab' },
          name: { $ref: '#/$defs/text' },
          description: { $ref: '#/$defs/text' },
          services: { type: 'array', minItems: 1, items: { $ref: '#/$defs/kebab' } },
        },
      },
    },
  },
}

let validator: ValidateFunction | undefined

/**
 * Problems with the file's content: its shape, ids used twice, and (when `slugs` is given) services
 * that do not exist. `slugs` is left out when the definitions themselves failed to load, since every
 * slug would then look unknown.
 */
export function checkCategories(value: unknown, slugs?: ReadonlySet<string>): Problem[] {
  const problems = checkAgainstSchema(value, (validator ??= createValidator(SCHEMA)))
  if (problems.length) return problems
  const categories = (value as { categories: Category[] }).categories
  const ids = new Set<string>()
  categories.forEach((category, index) => {
    if (ids.has(category.id)) problems.push({ path: ['categories', index, 'id'], message: `category "${category.id}" is listed twice` })
    ids.add(category.id)
    const seen = new Set<string>()
    category.services.forEach((slug, position) => {
      const where = ['categories', index, 'services', position]
      if (seen.has(slug)) problems.push({ path: where, message: `category "${category.id}" lists "${slug}" twice` })
      seen.add(slug)
      if (slugs && !slugs.has(slug)) problems.push({ path: where, message: `category "${category.id}": no service has the slug "${slug}"` })
    })
  })
  return problems
}

/** Reads and checks `<dir>/_platform/categories.yaml`. A services folder without one has no categories. */
export async function loadCategories(dir: string, slugs?: ReadonlySet<string>): Promise<{ categories: Category[]; errors: DefinitionError[] }> {
  const file = path.join(dir, CATEGORIES_FILE)
  const display = path.relative(process.cwd(), file) || file
  let content: string
  try {
    content = await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { categories: [], errors: [] }
    throw error
  }
  const source = YamlSource.parse(content)
  if (source.syntaxErrors.length) return { categories: [], errors: source.syntaxErrors.map((problem) => ({ file: display, ...problem })) }
  const problems = checkCategories(source.value, slugs)
  const errors = problems.map((problem) => ({ file: display, line: source.lineOf(problem.path, problem.atKey), message: problem.message }))
  return { categories: errors.length ? [] : (source.value as { categories: Category[] }).categories, errors }
}

/** The categories a service is in, by id. */
export function categoriesOf(categories: readonly Category[], slug: string): string[] {
  return categories.filter((category) => category.services.includes(slug)).map((category) => category.id)
}
