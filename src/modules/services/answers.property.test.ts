import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { acceptable, bound, TODAY } from '../../../test/helpers/answer-oracle.js'
import { KENYA_COUNTIES } from '../registry/counties.js'
import { validateApplication, validatePage, visibleQuestions, type ApplicationResult, type PageResult } from './answers.js'
import { loadCatalogue } from './catalogue.js'
import type { Question, ServiceDefinition } from './definition.js'
import { TamperedForm } from './errors.js'
import { checkValue } from './field-rules.js'
import { sampleAnswers } from './sample-answers.js'
import { visiblePages } from './visibility.js'

const catalogue = await loadCatalogue()

const DIGITS = '0123456789'
const chars = (set: string, minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...set), minLength, maxLength })

const typed = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('\t', '\n', '\r', ' ', 'a', '7', '\u0000', '\u007f', '\u00a0', '\u2028', '\u0301'), maxLength: 12 }),
  chars('0123456789 +,.-/', 0, 14),
  fc.tuple(fc.constantFrom('A', 'a', 'P', 'p'), chars(DIGITS, 8, 10), fc.constantFrom('', 'Z', 'z', '5')).map((p) => p.join('')),
  fc.constantFrom('', ' ', '\n', 'yes', 'no', 'YES', 'Nairobi', 'nairobi', "Murang'a", '34', '50', 'first', 'renewal', 'B', 'other'),
  fc.constantFrom('0712345678', '+254712345678', '254112345678', '0812345678', '+14155550100', '12345678', '1234567', '123456789'),
  fc.constantFrom('2024-02-29', '2023-02-29', '1990-03-07', '31/12/1999', '7 3 1990', '0000-00-00', '2025-06-16', '1e5', '-0', 'NaN', 'Infinity'),
  fc.constantFrom('a@b.co', 'Name@Example.COM', '@x.co', 'a@b', 'a b@c.de', 'A123456789Z', 'P051234567X', 'A1234567', 'BRS-24XM-RZDM', '__proto__'),
)
const file = fc.record(
  {
    name: fc.oneof(fc.constantFrom('id.pdf', 'photo.JPG', 'scan.png', 'virus.exe', 'noextension', ''), fc.string({ maxLength: 10 })),
    type: fc.constantFrom('application/pdf', 'image/jpeg', 'image/png', 'IMAGE/PNG', 'text/html', '', 'image/jpg'),
    size: fc.oneof(fc.integer({ min: -1, max: 30_000_000 }), fc.double(), fc.constant(0)),
  },
  { requiredKeys: [] },
)
const parts = fc.dictionary(fc.constantFrom('day', 'month', 'year', 'line1', 'line2', 'town', 'postalCode', 'name', 'x'), typed, { maxKeys: 5 })
const anyValue = fc.oneof(
  { weight: 6, arbitrary: typed },
  { weight: 2, arbitrary: fc.array(typed, { maxLength: 4 }) },
  { weight: 2, arbitrary: file },
  { weight: 1, arbitrary: parts },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined)) },
)

const PARTS: Partial<Record<string, readonly string[]>> = { date: ['day', 'month', 'year'], address: ['line1', 'line2', 'town', 'postalCode'] }
const isoOf = (date: Date) => date.toISOString().slice(0, 10)

/** Values close to valid for a question, so that acceptance is exercised as often as refusal. */
function nearValid(question: Question): fc.Arbitrary<unknown> {
  switch (question.type) {
    case 'text': {
      const max = question.maxLength ?? (question.multiline ? 2000 : 200)
      const example = question.example ?? 'Kenyatta'
      return fc.oneof(
        fc.constantFrom(example, ` ${example} `, example.toUpperCase(), `${example}!`, example.slice(1), `${example}\n${example}`),
        fc.string({ minLength: Math.max(0, max - 2), maxLength: max + 2, unit: fc.constantFrom('a', 'B', ' ', '\n') }),
      )
    }
    case 'number':
      return fc.oneof(fc.integer({ min: -10, max: 1000 }), fc.integer({ min: -10, max: 1000 }).map(String), fc.double().map(String))
    case 'date': {
      // Around today, and a day either side of each bound, where mistakes hide.
      const edges = [question.min, question.max].filter((edge) => edge !== undefined).map((edge) => Date.parse(`${bound(edge)}T00:00:00Z`))
      const near = fc.constantFrom(...edges.flatMap((edge) => [edge - 86_400_000, edge, edge + 86_400_000]), Date.parse(`${TODAY}T00:00:00Z`))
      const around = fc.integer({ min: -45_000, max: 10_000 }).map((days) => Date.parse(`${TODAY}T00:00:00Z`) + days * 86_400_000)
      return fc.oneof(near, around).chain((time) => {
        const date = new Date(time)
        return fc.constantFrom(isoOf(date), isoOf(date).split('-').reverse().join('/'), isoOf(date).replace(/-0/g, '-'))
      })
    }
    case 'select':
    case 'radio':
      return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...question.options.map((option) => option.value)) }, { weight: 1, arbitrary: fc.constant('nope') })
    case 'checkboxes':
      return fc.array(fc.constantFrom(...question.options.map((option) => option.value)), { maxLength: question.options.length + 1 })
    case 'yesno':
      return fc.oneof({ weight: 9, arbitrary: fc.constantFrom('yes', 'no', '') }, { weight: 1, arbitrary: fc.constant('Yes') })
    case 'county':
      return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...KENYA_COUNTIES) }, { weight: 1, arbitrary: fc.constantFrom('nairobi', 'Nairobi ') })
    case 'national-id':
      return fc.oneof(chars(DIGITS, 6, 9), fc.tuple(chars(DIGITS, 4, 4), fc.constantFrom('', ' '), chars(DIGITS, 3, 4)).map((p) => p.join('')))
    case 'phone':
      return fc.oneof(
        fc.tuple(fc.constantFrom('', '+254', '254', '0'), chars(DIGITS, 8, 10)).map((p) => p.join('')),
        chars(DIGITS, 6, 16).map((digits) => `+${digits}`),
        fc.tuple(chars(DIGITS, 2, 2), chars(DIGITS, 3, 3), chars(DIGITS, 3, 3)).map(([a, b, c]) => `07${a} ${b} ${c}`),
      )
    case 'email':
      return fc.oneof(fc.emailAddress(), fc.emailAddress().map((email) => email.toUpperCase()), fc.emailAddress().map((email) => ` ${email}.`))
    case 'kra-pin':
      return fc
        .tuple(fc.constantFrom('A', 'P', 'X', 'a', 'p'), fc.oneof(chars(DIGITS, 9, 9), chars(DIGITS, 8, 10)), fc.constantFrom('Z', 'z', '7', 'Q', '-Q'))
        .map((p) => p.join(''))
    case 'address':
      return fc.record({ line1: fc.constantFrom('Moi Avenue', '', ' x '), town: fc.constantFrom('Nairobi', ''), postalCode: chars(DIGITS, 4, 6) }, { requiredKeys: [] })
    case 'file':
      return fc.record({
        name: fc.constantFrom('id.pdf', 'photo.jpg', 'scan.png', 'scan.PNG', 'anim.gif', 'noextension'),
        type: fc.constantFrom('application/pdf', 'image/jpeg', 'image/png', 'image/jpg', 'image/gif'),
        size: fc.integer({ min: 0, max: 6 * 1024 * 1024 }),
      })
  }
}

function partValue(part: string): fc.Arbitrary<unknown> {
  const number = (min: number, max: number) => fc.integer({ min, max }).map(String)
  if (part === 'day') return fc.oneof({ weight: 4, arbitrary: number(1, 28) }, number(-1, 33), typed)
  if (part === 'month') return fc.oneof({ weight: 4, arbitrary: number(1, 12) }, number(0, 13), typed)
  if (part === 'year') return fc.oneof({ weight: 4, arbitrary: number(1920, 2040) }, number(1880, 2110), typed)
  if (part === 'postalCode') return fc.oneof(chars(DIGITS, 4, 6), typed)
  return fc.oneof(fc.constantFrom('Kenyatta Avenue', '  Moi Road ', '', 'Nairobi'), typed)
}

/** The fields one question sends: its whole value, or (dates, addresses) its parts; sometimes nothing. */
function fieldsFor(question: Question, sample: unknown): fc.Arbitrary<Record<string, unknown>> {
  const values = [
    { weight: 1, arbitrary: anyValue },
    { weight: 4, arbitrary: nearValid(question) },
    ...(sample === undefined ? [] : [{ weight: 2, arbitrary: fc.constant(sample) }]),
  ]
  const whole = fc.option(fc.oneof(...values), { freq: 6 }).map((value) => (value === null ? {} : { [question.id]: value }))
  const parts = PARTS[question.type]
  if (!parts) return whole
  const split = fc.record(Object.fromEntries(parts.map((part) => [`${question.id}-${part}`, partValue(part)])), { requiredKeys: [] })
  return fc.oneof(whole, split, split)
}

function checkPageProperty(definition: ServiceDefinition): void {
  const submission = fc
    .record({ seed: fc.integer({ min: 1, max: 1000 }), page: fc.constantFrom(...definition.pages) })
    .chain(({ seed, page }) => {
      const soFar = sampleAnswers(definition, { seed, today: TODAY })
      const questions = visibleQuestions(definition, page, soFar)
      const ids = definition.pages.flatMap((other) => other.questions.map((question) => question.id))
      return fc.record({
        soFar: fc.constant(soFar),
        page: fc.constant(page),
        fields: fc.tuple(...questions.map((question) => fieldsFor(question, soFar[question.id]))).map((all) => Object.assign({}, ...all) as Record<string, unknown>),
        extra: fc.option(fc.constantFrom('isAdmin', 'fee', ...ids), { freq: 8 }),
      })
    })
  fc.assert(
    fc.property(submission, ({ soFar, page, fields, extra }) => {
      if (!visiblePages(definition, soFar).includes(page)) return
      const frozen = structuredClone(soFar)
      deepFreeze(frozen)
      const questions = visibleQuestions(definition, page, soFar)
      const submitted: Record<string, unknown> = { ...fields }
      if (extra !== null) submitted[extra] = 'x'
      let result: PageResult
      try {
        result = validatePage(definition, page.id, submitted, frozen, { today: TODAY })
      } catch (error) {
        if (error instanceof TamperedForm) return
        throw error
      }
      for (const question of questions) {
        const answer = result.answers[question.id]
        if (result.errors[question.id]) {
          assert.equal(answer, undefined, `${question.id}: a refused answer is not kept`)
        } else if (answer === undefined) {
          assert.equal(question.required, false, `${question.id}: a required question was left unanswered without an error`)
        } else {
          assert.ok(acceptable(question, answer), `${question.id} (${question.type}) accepted ${JSON.stringify(answer)} from ${JSON.stringify(submitted)}`)
          // Stored answers are checked again at submission: checking one again must give it back unchanged.
          assert.deepEqual(checkValue(question, answer, TODAY), { value: answer }, `${question.id}: normalising twice`)
        }
      }
    }),
    { numRuns: 1500 },
  )
}

function checkApplicationProperty(definition: ServiceDefinition): void {
  const ids = definition.pages.flatMap((page) => page.questions.map((question) => question.id))
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(...ids, 'unknownQuestion'), fc.option(anyValue, { freq: 4 }), (seed, id, value) => {
      const answers: Record<string, unknown> = sampleAnswers(definition, { seed, today: TODAY })
      if (value === null) delete answers[id]
      else answers[id] = value
      let result: ApplicationResult
      try {
        result = validateApplication(definition, answers, { today: TODAY })
      } catch (error) {
        if (error instanceof TamperedForm) return
        throw error
      }
      if (Object.keys(result.errors).length) return
      const shown = new Map(visiblePages(definition, result.answers).flatMap((page) => visibleQuestions(definition, page, result.answers).map((q) => [q.id, q])))
      for (const [key, answer] of Object.entries(result.answers)) {
        const question = shown.get(key)
        assert.ok(question, `${key} is answered but not shown`)
        assert.ok(acceptable(question, answer), `${key} accepted ${JSON.stringify(answer)}`)
      }
      for (const question of shown.values()) {
        assert.ok(question.required === false || result.answers[question.id] !== undefined, `${question.id} is required`)
      }
    }),
    { numRuns: 1000 },
  )
}

function deepFreeze(value: unknown): void {
  if (value && typeof value === 'object') {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
}

describe('random answers (property)', () => {
  for (const definition of catalogue.list()) {
    it(`${definition.slug}: a page never crashes and never accepts an answer its rules refuse`, () => checkPageProperty(definition))
    it(`${definition.slug}: a whole application is never accepted unless every answer is right`, () => checkApplicationProperty(definition))
  }
})
