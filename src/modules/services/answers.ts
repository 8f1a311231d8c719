import { NotFound, type FieldError } from '../../platform/http/errors.js'
import { todayInKenya, type IsoDate } from './dates.js'
import type { Language, Page, Question, ServiceDefinition } from './definition.js'
import { TamperedForm } from './errors.js'
import { ADDRESS_PARTS, checkValue, DATE_PARTS, type Answers } from './field-rules.js'
import { shown } from './visibility.js'

export type { AddressAnswer, Answers, AnswerValue } from './field-rules.js'
export { nextUnansweredPage, visiblePages, visibleQuestions } from './visibility.js'

/** Fields every form carries that are not answers; routes may leave them in the submission. */
export const CONTROL_FIELDS: readonly string[] = ['_csrf', 'idempotencyKey']

export interface CheckOptions {
  /** Today's date for rules such as "not in the future"; defaults to today in Kenya. */
  today?: IsoDate
}

export interface PageResult {
  /** The answers so far with this page's valid answers in, and answers to questions now hidden taken out. */
  answers: Answers
  /** Locale keys by question id; empty when the page is complete. */
  errors: Record<string, FieldError>
}

export interface ApplicationResult {
  answers: Answers
  errors: Record<string, FieldError>
  /** The page of each question with an error, to send the person back to it. */
  pageOf: Record<string, string>
}

const PARTS: Partial<Record<Question['type'], readonly string[]>> = { date: DATE_PARTS, address: ADDRESS_PARTS }

/** The names a question's answer may arrive under: its id, or its parts (`dateOfBirth-day`…). */
export function formNames(question: Question): string[] {
  return [question.id, ...(PARTS[question.type] ?? []).map((part) => `${question.id}-${part}`)]
}

function readField(question: Question, submitted: Record<string, unknown>): unknown {
  const parts = PARTS[question.type]
  const has = (name: string) => Object.hasOwn(submitted, name)
  if (parts?.some((part) => has(`${question.id}-${part}`))) {
    if (has(question.id)) throw new TamperedForm(question.id, 'sent both whole and in parts')
    return Object.fromEntries(parts.map((part) => [part, submitted[`${question.id}-${part}`] ?? '']))
  }
  return submitted[question.id]
}

/**
 * Checks one page of answers as submitted, against the definition and the answers given so far.
 * Throws `TamperedForm` for a field the page does not have or a hidden question's answer, and
 * `NotFound` for a page the definition does not have. Never throws for a wrong answer: those are errors.
 */
export function validatePage(
  definition: ServiceDefinition,
  pageId: string,
  submitted: Record<string, unknown>,
  answersSoFar: Readonly<Answers>,
  options: CheckOptions = {},
): PageResult {
  const page = definition.pages.find((candidate) => candidate.id === pageId)
  if (!page) throw new NotFound(`no page ${pageId} in ${definition.slug}`)
  const before = shown(definition, answersSoFar)
  if (!before.pages.includes(page)) throw new TamperedForm(undefined, `page ${pageId} is not shown for these answers`)

  const owner = new Map<string, Question>()
  for (const question of page.questions) for (const name of formNames(question)) owner.set(name, question)
  for (const name of Object.keys(submitted)) {
    if (CONTROL_FIELDS.includes(name)) continue
    const question = owner.get(name)
    if (!question) throw new TamperedForm(name.slice(0, 60), 'not a field of this page')
    if (!before.questions.has(question.id)) throw new TamperedForm(question.id, 'answer to a hidden question')
  }

  const today = options.today ?? todayInKenya()
  const next: Answers = { ...answersSoFar }
  const errors: Record<string, FieldError> = {}
  for (const question of page.questions) {
    if (!before.questions.has(question.id)) continue
    const outcome = checkValue(question, readField(question, submitted), today)
    delete next[question.id]
    if ('value' in outcome) next[question.id] = outcome.value
    else if ('error' in outcome) errors[question.id] = outcome.error
  }
  return { answers: shown(definition, next).answers, errors }
}

/**
 * Checks a whole application before it is submitted: every shown question answered as its rules say,
 * nothing else. An answer to a question that does not exist or is hidden throws `TamperedForm`.
 */
export function validateApplication(definition: ServiceDefinition, answers: Readonly<Record<string, unknown>>, options: CheckOptions = {}): ApplicationResult {
  const view = shown(definition, answers as Answers)
  const known = new Set(definition.pages.flatMap((page) => page.questions.map((question) => question.id)))
  for (const id of Object.keys(answers)) {
    if (!known.has(id)) throw new TamperedForm(id.slice(0, 60), 'not a question of this service')
    if (!view.questions.has(id)) throw new TamperedForm(id, 'answer to a hidden question')
  }
  const today = options.today ?? todayInKenya()
  const result: ApplicationResult = { answers: {}, errors: {}, pageOf: {} }
  for (const page of view.pages) {
    for (const question of page.questions) {
      if (!view.questions.has(question.id)) continue
      const outcome = checkValue(question, answers[question.id], today)
      if ('value' in outcome) result.answers[question.id] = outcome.value
      else if ('error' in outcome) {
        result.errors[question.id] = outcome.error
        result.pageOf[question.id] = page.id
      }
    }
  }
  // Normalising can only narrow an answer, but re-walk so conditions see exactly what is kept.
  result.answers = shown(definition, result.answers).answers
  return result
}

/** Field errors with the question's label, in the person's language, as the `{label}` every message uses. */
export function labelErrors(definition: ServiceDefinition, errors: Record<string, FieldError>, language: Language): Record<string, FieldError> {
  const labelled: Record<string, FieldError> = {}
  for (const [id, error] of Object.entries(errors)) {
    const question = definition.pages.flatMap((page) => page.questions).find((candidate) => candidate.id === id)
    labelled[id] = { key: error.key, params: { ...error.params, label: question?.label[language] ?? id } }
  }
  return labelled
}

/** The shown page after `pageId` for these answers, or undefined after the last. */
export function pageAfter(definition: ServiceDefinition, pageId: string, answers: Readonly<Answers>): Page | undefined {
  const pages = shown(definition, answers).pages
  const index = pages.findIndex((page) => page.id === pageId)
  return index < 0 ? undefined : pages[index + 1]
}
