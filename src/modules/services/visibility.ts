import type { Condition, Page, Question, ServiceDefinition } from './definition.js'
import type { Answers } from './field-rules.js'

/** True when the answer the condition tests matches it; an unanswered (or hidden) question matches nothing. */
export function conditionHolds(condition: Condition, answers: Readonly<Answers>): boolean {
  const answer = answers[condition.question]
  if (answer === undefined) return false
  if (condition.includes !== undefined) return Array.isArray(answer) && answer.includes(condition.includes)
  if (typeof answer !== 'string') return false
  if (condition.equals !== undefined) return answer === condition.equals
  if (condition.in !== undefined) return condition.in.includes(answer)
  if (condition.notIn !== undefined) return !condition.notIn.includes(answer)
  return false
}

export interface Shown {
  pages: Page[]
  questions: Map<string, Question>
  /** The answers to shown questions only: what stays when earlier answers hide later questions. */
  answers: Answers
}

/**
 * Walks the pages in order, as the person does. Conditions only look at earlier pages, so each page's
 * visibility is settled by the answers kept before it.
 */
export function shown(definition: ServiceDefinition, answers: Readonly<Answers>): Shown {
  const result: Shown = { pages: [], questions: new Map(), answers: {} }
  for (const page of definition.pages) {
    if (page.when && !conditionHolds(page.when, result.answers)) continue
    result.pages.push(page)
    for (const question of page.questions) {
      if (question.when && !conditionHolds(question.when, result.answers)) continue
      result.questions.set(question.id, question)
      const answer = answers[question.id]
      if (answer !== undefined) result.answers[question.id] = answer
    }
  }
  return result
}

export function visiblePages(definition: ServiceDefinition, answers: Readonly<Answers>): Page[] {
  return shown(definition, answers).pages
}

export function visibleQuestions(definition: ServiceDefinition, page: Page, answers: Readonly<Answers>): Question[] {
  const { questions } = shown(definition, answers)
  return page.questions.filter((question) => questions.has(question.id))
}

/** The first shown page with a required question still unanswered, or undefined when all are done. */
export function nextUnansweredPage(definition: ServiceDefinition, answers: Readonly<Answers>): Page | undefined {
  const view = shown(definition, answers)
  return view.pages.find((page) =>
    page.questions.some((question) => view.questions.has(question.id) && question.required !== false && view.answers[question.id] === undefined),
  )
}
