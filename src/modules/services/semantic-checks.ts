import { isDateBound, resolveBound } from './dates.js'
import {
  allQuestions,
  choiceValues,
  findQuestion,
  LANGUAGES,
  type Condition,
  type Question,
  type ServiceDefinition,
  type TextQuestion,
} from './definition.js'
import { checkWorkflow } from './workflow-checks.js'
import { textLimits } from './field-rules.js'
import type { Problem } from './schema-check.js'
import { describePath, type Path } from './yaml-source.js'

/**
 * The rules JSON Schema cannot express: references between parts of a definition, uniqueness, and
 * examples that must satisfy their own rules. Runs on a definition that already passed the schema.
 */
export function checkSemantics(definition: ServiceDefinition, agencies: readonly string[]): Problem[] {
  const problems: Problem[] = []
  const report: Report = (path, message, atKey) => problems.push({ path, atKey, message: `${describePath(path)}: ${message}` })

  if (!agencies.includes(definition.agency)) report(['agency'], `unknown agency "${definition.agency}" (known: ${agencies.join(', ')})`)

  duplicates(definition.pages.map((page, index) => ({ id: page.id, path: ['pages', index, 'id'] })), 'page id', report)
  duplicates(
    allQuestions(definition).map(({ question, pageIndex, index }) => ({ id: question.id, path: ['pages', pageIndex, 'questions', index, 'id'] })),
    'question id',
    report,
  )

  definition.pages.forEach((page, pageIndex) => {
    if (page.when) checkCondition(definition, page.when, ['pages', pageIndex, 'when'], pageIndex, report)
    page.questions.forEach((question, index) => {
      const path: Path = ['pages', pageIndex, 'questions', index]
      if (question.when) checkCondition(definition, question.when, [...path, 'when'], pageIndex, report)
      checkQuestion(question, path, report)
    })
  })

  checkDocumentsAndFees(definition, report)
  checkIssuedDocument(definition, report)
  checkFaq(definition, report)
  for (const problem of checkWorkflow(definition.workflow)) report(problem.path, problem.message)
  return problems
}

type Report = (path: Path, message: string, atKey?: boolean) => void

function duplicates(items: { id: string; path: Path }[], what: string, report: Report): void {
  const seen = new Set<string>()
  for (const item of items) {
    if (seen.has(item.id)) report(item.path, `${what} "${item.id}" is used more than once`)
    seen.add(item.id)
  }
}

/**
 * A condition tests a choice question, with values that question offers. For pages and questions the
 * question must be on an earlier page: what a page shows never depends on answers given on it.
 */
function checkCondition(definition: ServiceDefinition, condition: Condition, path: Path, beforePage: number | undefined, report: Report): void {
  const pageIndex = definition.pages.findIndex((page) => page.questions.some((question) => question.id === condition.question))
  const question = pageIndex >= 0 ? definition.pages[pageIndex]?.questions.find((q) => q.id === condition.question) : undefined
  if (!question) return report([...path, 'question'], `condition refers to unknown question "${condition.question}"`)
  if (beforePage !== undefined && pageIndex >= beforePage) {
    return report([...path, 'question'], `condition refers to "${condition.question}", which is not on an earlier page`)
  }
  const values = choiceValues(question)
  if (!values) return report([...path, 'question'], `condition refers to "${condition.question}", a ${question.type} question; only choice questions can be tested`)
  const isCheckboxes = question.type === 'checkboxes'
  if (isCheckboxes !== (condition.includes !== undefined)) {
    return report(path, isCheckboxes ? `"${condition.question}" is a checkboxes question: test it with "includes"` : '"includes" is only for checkboxes questions')
  }
  const tested = [condition.equals, condition.includes, ...(condition.in ?? []), ...(condition.notIn ?? [])].filter((v) => v !== undefined)
  for (const value of tested) {
    if (!values.includes(value)) report(path, `"${value}" is not an option of "${condition.question}"`)
  }
}

function checkQuestion(question: Question, path: Path, report: Report): void {
  switch (question.type) {
    case 'text':
      return checkTextQuestion(question, path, report)
    case 'number':
      if (question.min !== undefined && question.max !== undefined && question.min > question.max) report(path, 'min is greater than max')
      return
    case 'date':
      return checkDateQuestion(question.min, question.max, path, report)
    case 'select':
    case 'radio':
    case 'checkboxes': {
      duplicates(question.options.map((o, i) => ({ id: o.value, path: [...path, 'options', i, 'value'] })), 'option value', report)
      duplicates(question.options.map((o, i) => ({ id: o.label.en, path: [...path, 'options', i, 'label', 'en'] })), 'English option label', report)
      duplicates(question.options.map((o, i) => ({ id: o.label.sw, path: [...path, 'options', i, 'label', 'sw'] })), 'Kiswahili option label', report)
      if (question.type !== 'checkboxes') return
      const { minSelected = 0, maxSelected = question.options.length } = question
      if (minSelected > maxSelected) report(path, 'minSelected is greater than maxSelected')
      if (maxSelected > question.options.length) report([...path, 'maxSelected'], 'maxSelected is more than the number of options')
      return
    }
    default:
      return
  }
}

function checkTextQuestion(question: TextQuestion, path: Path, report: Report): void {
  const { min, max } = textLimits(question)
  if (min > max) return report(path, `minLength (${min}) is greater than maxLength (${max})`)
  let pattern: RegExp | undefined
  if (question.pattern !== undefined) {
    try {
      pattern = new RegExp(`^(?:${question.pattern})$`, 'u')
    } catch (error) {
      return report([...path, 'pattern'], `pattern is not a valid regular expression: ${(error as Error).message}`)
    }
    if (question.example === undefined) return report(path, 'a question with a pattern needs an example that matches it')
  }
  const example = question.example
  if (example === undefined) return
  if ([...example].length < min || [...example].length > max) report([...path, 'example'], `example "${example}" is not between ${min} and ${max} characters`)
  if (pattern && !pattern.test(example)) report([...path, 'example'], `example "${example}" does not match the pattern`)
}

function checkDateQuestion(min: string | undefined, max: string | undefined, path: Path, report: Report): void {
  for (const [name, bound] of [['min', min], ['max', max]] as const) {
    if (bound !== undefined && !isDateBound(bound)) report([...path, name], `${name} "${bound}" is not a real date`)
  }
  if (min === undefined || max === undefined || !isDateBound(min) || !isDateBound(max)) return
  // Relative and fixed bounds compare differently over time; compare only like with like.
  if (min.startsWith('today') !== max.startsWith('today')) return
  const today = '2000-01-01'
  if (resolveBound(min, today) > resolveBound(max, today)) report(path, `min (${min}) is after max (${max})`)
}

function checkDocumentsAndFees(definition: ServiceDefinition, report: Report): void {
  duplicates(definition.requiredDocuments.map((d, i) => ({ id: d.id, path: ['requiredDocuments', i, 'id'] })), 'document id', report)
  definition.requiredDocuments.forEach((document, index) => {
    const path: Path = ['requiredDocuments', index]
    if (document.when) checkCondition(definition, document.when, [...path, 'when'], undefined, report)
    if (document.provide === 'bring') {
      if (document.question !== undefined) report([...path, 'question'], 'a document to bring has no upload question')
      return
    }
    const question = document.question === undefined ? undefined : findQuestion(definition, document.question)
    if (document.question === undefined) report(path, 'a document to upload names its file question in "question"')
    else if (!question) report([...path, 'question'], `unknown question "${document.question}"`)
    else if (question.type !== 'file') report([...path, 'question'], `"${document.question}" is not a file question`)
  })

  duplicates(definition.fees.items.map((f, i) => ({ id: f.id, path: ['fees', 'items', i, 'id'] })), 'fee id', report)
  definition.fees.items.forEach((fee, index) => {
    const path: Path = ['fees', 'items', index]
    if (fee.when) checkCondition(definition, fee.when, [...path, 'when'], undefined, report)
    if ((fee.amount === undefined) === (fee.byAnswer === undefined)) return report(path, 'a fee has either "amount" or "byAnswer", not both or neither')
    if (fee.byAnswer) checkByAnswer(definition, fee.byAnswer.question, Object.keys(fee.byAnswer.amounts), [...path, 'byAnswer'], 'amounts', report)
  })
}

/** A fee or validity chosen by an answer names a single-choice question and covers exactly its options. */
function checkByAnswer(definition: ServiceDefinition, id: string, keys: string[], path: Path, field: string, report: Report): void {
  const question = findQuestion(definition, id)
  if (!question) return report([...path, 'question'], `unknown question "${id}"`)
  const values = choiceValues(question)
  if (!values || question.type === 'checkboxes') return report([...path, 'question'], `"${id}" must be a select, radio or yes/no question`)
  const missing = values.filter((value) => !keys.includes(value))
  const extra = keys.filter((key) => !values.includes(key))
  if (missing.length) report([...path, field], `no entry for option(s) ${missing.map((v) => `"${v}"`).join(', ')} of "${id}"`)
  for (const key of extra) report([...path, field, key], `"${key}" is not an option of "${id}"`, true)
}

function checkIssuedDocument(definition: ServiceDefinition, report: Report): void {
  const issued = definition.issuedDocument
  duplicates(issued.fields.map((f, i) => ({ id: f.id, path: ['issuedDocument', 'fields', i, 'id'] })), 'document field id', report)
  issued.fields.forEach((field, index) => {
    const path: Path = ['issuedDocument', 'fields', index, 'from']
    if (field.from.startsWith('answer.') && !findQuestion(definition, field.from.slice('answer.'.length))) {
      report(path, `unknown question "${field.from.slice('answer.'.length)}"`)
    }
    if (field.from.startsWith('business.') && !definition.applicants.for.includes('business')) {
      report(path, `"${field.from}" needs applications on behalf of a business (applicants.for)`)
    }
  })
  if (issued.validity && issued.validityByAnswer) report(['issuedDocument'], 'set "validity" or "validityByAnswer", not both')
  if (issued.validityByAnswer) {
    const { question, periods } = issued.validityByAnswer
    checkByAnswer(definition, question, Object.keys(periods), ['issuedDocument', 'validityByAnswer'], 'periods', report)
  }
}

/**
 * The schema asks for both languages; here, that the Kiswahili is a translation rather than a copy of
 * the English, and that no question is asked twice.
 */
function checkFaq(definition: ServiceDefinition, report: Report): void {
  const faq = definition.faq ?? []
  for (const language of LANGUAGES) {
    duplicates(faq.map((entry, i) => ({ id: normalised(entry.question[language]), path: ['faq', i, 'question', language] })), 'FAQ question', report)
  }
  faq.forEach((entry, index) => {
    for (const part of ['question', 'answer'] as const) {
      if (normalised(entry[part].en) === normalised(entry[part].sw)) report(['faq', index, part, 'sw'], `the Kiswahili ${part} is the same as the English one; translate it`)
    }
  })
}

function normalised(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase()
}
