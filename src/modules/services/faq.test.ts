import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lineOf, SAMPLE_DEFINITION } from '../../../test/helpers/service-definitions.js'
import { loadCatalogue } from './catalogue.js'
import { checkDefinitionText } from './load-definitions.js'

const FILE = 'services/DIS/sample-service.yaml'

/** One question and answer, in YAML under `faq:`; `answerSw` replaces the Kiswahili answer line. */
function entry(n: number, answerSw = `      sw: Jibu la ${n}.`): string {
  return [
    `  - question:`,
    `      en: Question ${n}?`,
    `      sw: Swali la ${n}?`,
    `    answer:`,
    `      en: Answer ${n}.`,
    answerSw,
  ].join('\n')
}

const withFaq = (...entries: string[]) => `${SAMPLE_DEFINITION}faq:\n${entries.join('\n')}\n`

function errorsOf(text: string) {
  const { definition, errors } = checkDefinitionText(text, FILE)
  if (errors.length) assert.equal(definition, undefined)
  return errors
}

/** The one error matching `message`, at `marker`'s line of `text`, in the sample's file. */
function assertReported(text: string, message: RegExp, marker: string): void {
  const errors = errorsOf(text)
  const found = errors.find((error) => message.test(error.message))
  assert.ok(found, `expected ${message} in ${JSON.stringify(errors)}`)
  assert.equal(found.file, FILE)
  assert.equal(found.line, lineOf(text, marker), found.message)
}

describe('the faq of a service definition', () => {
  it('is optional, and accepted with questions and answers in both languages', () => {
    assert.deepEqual(errorsOf(SAMPLE_DEFINITION), [])
    const { definition, errors } = checkDefinitionText(withFaq(entry(1), entry(2, '      sw: |\n        Aya ya kwanza.\n\n        Aya ya pili.')), FILE)
    assert.deepEqual(errors, [])
    assert.deepEqual(definition?.faq?.[1]?.answer, { en: 'Answer 2.', sw: 'Aya ya kwanza.\n\nAya ya pili.\n' })
  })

  it('refuses an answer without Kiswahili, at its line', () => {
    const text = withFaq(entry(1), entry(2, ''))
    assertReported(text, /^faq\[1\]\.answer: missing required field "sw"$/, '    answer:\n      en: Answer 2.')
  })

  it('refuses a question without Kiswahili, at its line', () => {
    const text = withFaq(entry(1).replace('      sw: Swali la 1?\n', ''))
    assertReported(text, /^faq\[0\]\.question: missing required field "sw"$/, '  - question:')
  })

  it('refuses a blank answer', () => {
    const text = withFaq(entry(1, '      sw: "   "'))
    assertReported(text, /^faq\[0\]\.answer\.sw: must not be blank$/, 'sw: "   "')
  })

  it('refuses more than 8 questions, at the faq', () => {
    const text = withFaq(...Array.from({ length: 9 }, (_, index) => entry(index + 1)))
    assertReported(text, /^faq: at most 8 entries are allowed$/, 'faq:')
    assert.deepEqual(errorsOf(withFaq(...Array.from({ length: 8 }, (_, index) => entry(index + 1)))), [])
  })

  it('refuses an answer longer than 1,500 characters, at its line', () => {
    const text = withFaq(entry(1, `      sw: ${'neno '.repeat(301).trim()}`))
    assertReported(text, /^faq\[0\]\.answer\.sw: must be at most 1500 characters long$/, 'sw: neno')
  })

  it('refuses an empty list and an unknown field', () => {
    assertReported(`${SAMPLE_DEFINITION}faq: []\n`, /^faq: needs at least 1 entry$/, 'faq:')
    const text = withFaq(`${entry(1)}\n    source: { en: Gazette, sw: Gazeti }`)
    assertReported(text, /^faq\[0\]: unknown field "source"$/, 'source:')
  })

  it('refuses the same question twice in one language', () => {
    const text = withFaq(entry(1), entry(2).replace('en: Question 2?', 'en: "question 1? "'))
    assertReported(text, /^faq\[1\]\.question\.en: FAQ question "question 1\?" is used more than once$/, 'en: "question 1? "')
  })

  it('refuses Kiswahili copied from the English', () => {
    const text = withFaq(entry(1, '      sw: Answer 1.'))
    assertReported(text, /^faq\[0\]\.answer\.sw: the Kiswahili answer is the same as the English one; translate it$/, 'sw: Answer 1.')
  })
})

describe('the shipped services', () => {
  it('each answer three to five questions people ask, in both languages', async () => {
    const catalogue = await loadCatalogue()
    assert.ok(catalogue.list().length >= 8)
    for (const definition of catalogue.list()) {
      const faq = definition.faq ?? []
      assert.ok(faq.length >= 3 && faq.length <= 5, `${definition.slug} has ${faq.length} questions`)
      for (const { question, answer } of faq) {
        assert.match(question.en, /\?$/, `${definition.slug}: ${question.en}`)
        assert.match(question.sw, /\?$/, `${definition.slug}: ${question.sw}`)
        assert.ok(answer.en.trim() && answer.sw.trim())
      }
    }
  })
})
