import { SeededRandom } from '../registry/random.js'
import { KENYA_COUNTIES } from '../registry/counties.js'
import { addToDate, resolveBound, todayInKenya, type IsoDate } from './dates.js'
import { MEDIA_TYPES } from './file-types.js'
import type { Question, ServiceDefinition } from './definition.js'
import { textLimits, type Answers, type AnswerValue } from './field-rules.js'
import { conditionHolds } from './visibility.js'

export interface SampleOptions {
  /** Different seeds take different branches: options, optional questions, dates. */
  seed?: number
  today?: IsoDate
  /** Answer optional questions too (default: about half of them, by the seed). */
  allOptional?: boolean
}

/**
 * A complete, valid set of answers for a definition, walking its pages as a person would. For tests
 * and demo data: any definition that passes the checks can be filled in this way.
 */
export function sampleAnswers(definition: ServiceDefinition, options: SampleOptions = {}): Answers {
  const random = new SeededRandom(options.seed ?? 1)
  const today = options.today ?? todayInKenya()
  const answers: Answers = {}
  for (const page of definition.pages) {
    if (page.when && !conditionHolds(page.when, answers)) continue
    for (const question of page.questions) {
      if (question.when && !conditionHolds(question.when, answers)) continue
      if (question.required === false && !options.allOptional && random.next() < 0.5) continue
      answers[question.id] = sampleValue(question, random, today)
    }
  }
  return answers
}

export function sampleValue(question: Question, random: SeededRandom, today: IsoDate): AnswerValue {
  switch (question.type) {
    case 'text': {
      if (question.example !== undefined) return question.example
      const { min, max } = textLimits(question)
      const words = 'Sample answer for this question '.repeat(Math.ceil(min / 30) + 1)
      return words.slice(0, Math.max(min, Math.min(max, 14))).trim().padEnd(min, 'x')
    }
    case 'number': {
      const low = question.min ?? (question.max !== undefined ? question.max - 10 : 1)
      const high = question.max ?? low + 10
      return random.int(Math.ceil(low), Math.floor(high))
    }
    case 'date': {
      const min = question.min === undefined ? undefined : resolveBound(question.min, today)
      const max = question.max === undefined ? undefined : resolveBound(question.max, today)
      const start = min ?? (max ? addToDate(max, -3650, 'd') : '1990-01-01')
      const end = max ?? addToDate(start, 365, 'd')
      const span = Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000)
      return addToDate(start, random.int(0, Math.max(0, span)), 'd')
    }
    case 'select':
    case 'radio':
      return random.pick(question.options).value
    case 'checkboxes': {
      const values = question.options.map((option) => option.value)
      const count = random.int(Math.max(1, question.minSelected ?? 1), question.maxSelected ?? values.length)
      const chosen = new Set<string>()
      while (chosen.size < count) chosen.add(random.pick(values))
      return values.filter((value) => chosen.has(value))
    }
    case 'yesno':
      return random.pick(['yes', 'no'])
    case 'national-id':
      return String(random.int(1_000_000, 39_999_999))
    case 'phone':
      return `+2547${String(random.int(0, 99_999_999)).padStart(8, '0')}`
    case 'email':
      return `applicant${random.int(1, 9999)}@example.com`
    case 'kra-pin':
      return `${question.holder === 'entity' ? 'P' : 'A'}${String(random.int(0, 999_999_999)).padStart(9, '0')}${random.pick([...'ABCDEFGHJKLMNPQRSTUVWXYZ'])}`
    case 'county':
      return random.pick(KENYA_COUNTIES)
    case 'address':
      return { line1: 'Kenyatta Avenue, Plot 12', town: 'Nairobi', postalCode: '00100' }
    case 'file': {
      const kind = random.pick(question.accept)
      return { name: `document.${kind === 'jpeg' ? 'jpg' : kind}`, type: MEDIA_TYPES[kind], size: random.int(10_000, 900_000) }
    }
  }
}
