import type { ConvenienceFeeSchedule } from '../services/convenience-fee.js'
import { choiceValues, findQuestion, type Currency, type Question, type ServiceDefinition, type Text } from '../services/definition.js'
import type { Answers } from '../services/field-rules.js'
import { feesFor } from '../services/fees.js'

/** One government fee in a row, and the answer it depends on when it is charged by answer. */
export interface FeePart {
  label: Text
  choice?: { question: Question; value: string }
}

/** What one kind of application costs, in one currency: the government fees, the convenience fee, the sum. */
export interface FeeRow {
  parts: FeePart[]
  currency: Currency
  /** Cents. */
  government: number
  convenience: number
  total: number
}

export interface FeeTable {
  rows: FeeRow[]
  /** Some answers lead to no fee at all (an exemption). */
  someFree: boolean
  /** Cheapest and dearest total per currency, convenience fee included. */
  ranges: { currency: Currency; min: number; max: number }[]
}

// Real definitions have one or two choice questions that drive the fees; the bound keeps a definition
// with many (a county in a condition, say) from making the service page slow to render.
const MAX_COMBINATIONS = 256

/**
 * Every distinct price a service can have before anyone has answered a question: the answers that fees
 * depend on are tried in every combination through the same feesFor the invoice uses, so the page can
 * never disagree with the bill. Rows come in the order of the options (34, 50, 66 pages).
 */
export function feeTable(definition: ServiceDefinition, schedule: ConvenienceFeeSchedule): FeeTable {
  const questions = drivingQuestions(definition)
  const rows: FeeRow[] = []
  const seen = new Set<string>()
  let someFree = false
  for (const answers of combinations(questions)) {
    const quote = feesFor(definition, answers, schedule)
    if (quote.lines.length === 0) someFree = true
    for (const [currency, total] of Object.entries(quote.totals) as [Currency, number][]) {
      const lines = quote.lines.filter((line) => line.currency === currency)
      const government = lines.filter((line) => line.kind === 'government')
      const key = `${currency}|${government.map((line) => `${line.id}=${line.amount}`).join(',')}`
      if (seen.has(key)) continue
      seen.add(key)
      rows.push({
        parts: government.map((line) => {
          const item = definition.fees.items.find((fee) => fee.id === line.id)
          const question = item?.byAnswer && findQuestion(definition, item.byAnswer.question)
          const value = item?.byAnswer && answers[item.byAnswer.question]
          return question && typeof value === 'string' ? { label: line.label, choice: { question, value } } : { label: line.label }
        }),
        currency,
        government: government.reduce((sum, line) => sum + line.amount, 0),
        convenience: total - government.reduce((sum, line) => sum + line.amount, 0),
        total,
      })
    }
  }
  const ranges = [...new Set(rows.map((row) => row.currency))].map((currency) => {
    const totals = rows.filter((row) => row.currency === currency).map((row) => row.total)
    return { currency, min: Math.min(...totals), max: Math.max(...totals) }
  })
  return { rows, someFree, ranges }
}

/**
 * The choice questions that decide which fees apply and how much: those fees test or are charged by,
 * and, since a hidden question's answer does not count, those that decide whether they are shown.
 */
function drivingQuestions(definition: ServiceDefinition): Question[] {
  const wanted = new Set<string>()
  const add = (id: string | undefined) => {
    if (!id || wanted.has(id)) return
    wanted.add(id)
    const page = definition.pages.find((candidate) => candidate.questions.some((question) => question.id === id))
    add(page?.when?.question)
    add(findQuestion(definition, id)?.when?.question)
  }
  for (const item of definition.fees.items) {
    add(item.byAnswer?.question)
    add(item.when?.question)
  }
  return definition.pages.flatMap((page) => page.questions).filter((question) => wanted.has(question.id))
}

function* combinations(questions: Question[]): Generator<Answers> {
  let produced = 0
  function* walk(index: number, answers: Answers): Generator<Answers> {
    if (produced >= MAX_COMBINATIONS) return
    const question = questions[index]
    if (!question) {
      produced++
      yield answers
      return
    }
    const values = choiceValues(question) ?? []
    // A checkbox condition asks whether one option is among those ticked: try each alone, and none.
    const answersFor = question.type === 'checkboxes' ? [[], ...values.map((value) => [value])] : values
    if (answersFor.length === 0) yield* walk(index + 1, answers)
    for (const value of answersFor) yield* walk(index + 1, { ...answers, [question.id]: value })
  }
  yield* walk(0, {})
}
