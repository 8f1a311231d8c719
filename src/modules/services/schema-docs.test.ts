import assert from 'node:assert/strict'
import fs from 'node:fs'
import { describe, it } from 'node:test'
import { QUESTION_TYPES } from './definition.js'
import { definitionSchema } from './schema-check.js'

/** Every field name (`properties` keys) and every fixed value (`enum`, `const`) anywhere in the schema. */
function vocabulary(node: unknown, names = new Set<string>(), values = new Set<string>()): { names: Set<string>; values: Set<string> } {
  if (Array.isArray(node)) for (const item of node) vocabulary(item, names, values)
  else if (node && typeof node === 'object') {
    for (const [key, child] of Object.entries(node)) {
      if (key === 'properties') for (const name of Object.keys(child as object)) names.add(name)
      if (key === 'enum') for (const value of child as unknown[]) values.add(String(value))
      if (key === 'const' && typeof child === 'string') values.add(child)
      vocabulary(child, names, values)
    }
  }
  return { names, values }
}

describe('docs/SERVICE-DEFINITIONS.md', () => {
  const docs = fs.readFileSync('docs/SERVICE-DEFINITIONS.md', 'utf8')
  const { names, values } = vocabulary(definitionSchema())

  it('explains every field of the schema', () => {
    const missing = [...names].filter((name) => !docs.includes(`\`${name}\``))
    assert.deepEqual(missing, [])
  })

  it('names every allowed value of the schema', () => {
    const missing = [...values].filter((value) => !new RegExp(`\\b${value}\\b`).test(docs))
    assert.deepEqual(missing, [])
  })

  it('matches the code on the question types', () => {
    const branches = (definitionSchema() as { $defs: { question: { oneOf: { properties: { type: { const?: string; enum?: string[] } } }[] } } }).$defs.question.oneOf
    const types = branches.flatMap((branch) => branch.properties.type.enum ?? [branch.properties.type.const ?? ''])
    assert.deepEqual([...types].sort(), [...QUESTION_TYPES].sort())
  })
})
