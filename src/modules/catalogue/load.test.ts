import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, it } from 'node:test'
import { lineOf, SAMPLE_DEFINITION, servicesFolder } from '../../../test/helpers/service-definitions.js'
import { loadCatalogue, ServiceDefinitionsError } from '../services/catalogue.js'
import type { ServiceDefinition } from '../services/definition.js'
import { CATEGORIES_FILE } from './categories.js'
import { feeTable } from './fee-table.js'
import { loadServicesOrExplain } from './load.js'

const CATEGORIES = `categories:
  - id: tests
    name: { en: Tests, sw: Majaribio }
    description: { en: For tests, sw: Kwa majaribio }
    services: [sample-service, missing-service]
  - id: tests
    name: { en: Again, sw: Tena }
    services: [sample-service]
`

async function refusal(files: Record<string, string>): Promise<ServiceDefinitionsError> {
  const dir = servicesFolder(files)
  try {
    await loadServicesOrExplain(dir)
  } catch (error) {
    assert.ok(error instanceof ServiceDefinitionsError, String(error))
    return error
  }
  assert.fail('the services loaded')
}

describe('loading the services for start-up', () => {
  it('loads the portal’s own definitions and categories, every category naming real services', async () => {
    const { catalogue, categories } = await loadServicesOrExplain()
    assert.ok(categories.length >= 5)
    for (const category of categories) {
      for (const slug of category.services) assert.ok(catalogue.latest(slug), `${category.id}: ${slug}`)
    }
    assert.deepEqual(categories.find((category) => category.id === 'travel')?.services, ['ordinary-passport', 'electronic-travel-authorisation'])
  })

  it('refuses a category naming a missing service, or listed twice, saying file:line: reason', async () => {
    const error = await refusal({ 'DIS/sample-service.yaml': SAMPLE_DEFINITION, [CATEGORIES_FILE]: CATEGORIES })
    assert.ok(error.errors.every((problem) => problem.file.endsWith(path.join('_platform', 'categories.yaml'))))
    // The shape comes first: the second category has no description.
    assert.match(error.message, new RegExp(`categories\\.yaml:${lineOf(CATEGORIES, '  - id: tests\n    name: { en: Again')}: categories\\[1\\]: missing required field "description"`))

    const shapely = CATEGORIES.replace('services: [sample-service]\n', 'description: { en: Again, sw: Tena }\n    services: [sample-service]\n')
    const second = await refusal({ 'DIS/sample-service.yaml': SAMPLE_DEFINITION, [CATEGORIES_FILE]: shapely })
    assert.deepEqual(
      second.errors.map((problem) => [problem.line, problem.message]),
      [
        [lineOf(shapely, 'missing-service'), 'category "tests": no service has the slug "missing-service"'],
        [lineOf(shapely, '  - id: tests\n    name: { en: Again'), 'category "tests" is listed twice'],
      ],
    )
    assert.match(second.message, /^2 problem\(s\) in the service definitions:\n {2}\S+categories\.yaml:\d+: /)
  })

  it('reports a broken definition and a broken categories file together', async () => {
    const broken = SAMPLE_DEFINITION.replace('version: 2', 'version: two')
    const error = await refusal({ 'DIS/sample-service.yaml': broken, [CATEGORIES_FILE]: 'categories: [' })
    assert.match(error.message, new RegExp(`sample-service\\.yaml:${lineOf(broken, 'version: two')}: version: must be a whole number`))
    assert.match(error.message, /categories\.yaml:\d+: YAML: /)
    // The slugs are not checked while definitions are broken: every one would look missing.
    const quiet = await refusal({ 'DIS/sample-service.yaml': broken, [CATEGORIES_FILE]: CATEGORIES.replace(/ {2}- id: tests\n {4}name: \{ en: Again[\s\S]*$/, '') })
    assert.doesNotMatch(quiet.message, /missing-service/)
  })

  it('needs no categories file at all', async () => {
    const { categories } = await loadServicesOrExplain(servicesFolder({ 'DIS/sample-service.yaml': SAMPLE_DEFINITION }))
    assert.deepEqual(categories, [])
  })
})

describe('the fee table of a service page', async () => {
  const catalogue = await loadCatalogue()
  const table = (definition: ServiceDefinition) => {
    const result = feeTable(definition, catalogue.convenienceFees)
    return { ...result, rows: result.rows.map((row) => [row.parts.map((part) => part.choice?.value ?? part.label.en).join('+'), row.currency, row.government, row.convenience, row.total]) }
  }

  it('prices each number of pages and the replacement, with the convenience fee', () => {
    const passport = table(catalogue.latest('ordinary-passport') as ServiceDefinition)
    assert.deepEqual(passport.rows, [
      ['34', 'KES', 750_000, 5_000, 755_000],
      ['50', 'KES', 950_000, 5_000, 955_000],
      ['66', 'KES', 1_250_000, 5_000, 1_255_000],
      ['Replacement of a lost or damaged passport', 'KES', 2_000_000, 5_000, 2_005_000],
    ])
    assert.deepEqual(passport.ranges, [{ currency: 'KES', min: 755_000, max: 2_005_000 }])
    assert.equal(passport.someFree, false)
  })

  it('charges dollars with the dollar convenience fee', () => {
    assert.deepEqual(table(catalogue.latest('electronic-travel-authorisation') as ServiceDefinition).rows, [['Electronic travel authorisation', 'USD', 3000, 100, 3100]])
  })

  it('tells when some answers cost nothing, and follows answers on pages shown only for some', async () => {
    const text = SAMPLE_DEFINITION.replace('amounts: { a: 100, b: 200 }', 'amounts: { a: 0, b: 200 }')
      .replace(
        '        label: { en: Note, sw: Dokezo }\n',
        `        label: { en: Note, sw: Dokezo }
      - id: speed
        type: radio
        label: { en: Speed, sw: Kasi }
        options:
          - { value: normal, label: { en: Normal, sw: Kawaida } }
          - { value: express, label: { en: Express, sw: Haraka } }
`,
      )
      .replace(
        'byAnswer: { question: kind, amounts: { a: 0, b: 200 } }\n',
        `byAnswer: { question: kind, amounts: { a: 0, b: 200 } }
    - { id: express, label: { en: Express, sw: Haraka }, currency: KES, amount: 1000, when: { question: speed, equals: express } }
`,
      )
    const sample = await loadCatalogue(servicesFolder({ 'DIS/sample-service.yaml': text }))
    // The express question is on a page shown only for kind b: kind a never pays for it.
    const result = table(sample.latest('sample-service') as ServiceDefinition)
    assert.deepEqual(result.rows, [
      ['b', 'KES', 20_000, 1_000, 21_000],
      ['b+Express', 'KES', 120_000, 5_000, 125_000],
    ])
    assert.equal(result.someFree, true)
  })
})
