import type { Translate } from '../../platform/i18n/i18n.js'
import { formatDate } from '../services/dates.js'
import type { Currency, Language, Question, ServiceDefinition } from '../services/definition.js'
import { formatMoney, type FeeQuote } from '../services/fees.js'
import { visiblePages, visibleQuestions, type Answers } from '../services/answers.js'
import { anchorOf } from './questions-view.js'

/** An answer as the person reads it back: option labels, not values; dates as 27/03/2007. */
export function formatAnswer(question: Question, value: unknown, language: Language, t: Translate): string {
  if (value === undefined || value === null || value === '') return t('applications.check.notAnswered')
  switch (question.type) {
    case 'select':
    case 'radio':
      return question.options.find((option) => option.value === value)?.label[language] ?? String(value)
    case 'checkboxes': {
      const ticked = Array.isArray(value) ? value : [value]
      return question.options.filter((option) => ticked.includes(option.value)).map((option) => option.label[language]).join(', ')
    }
    case 'yesno':
      return t(value === 'yes' ? 'services.fields.yes' : 'services.fields.no')
    case 'date':
      return typeof value === 'string' ? formatDate(value) : ''
    case 'address': {
      const address = value as Record<string, string | undefined>
      return [address.line1, address.line2, address.town, address.postalCode].filter(Boolean).join(', ')
    }
    case 'file': {
      const file = value as { name?: string }
      return file.name ?? ''
    }
    default:
      return String(value)
  }
}

export interface AnswerSection {
  pageId: string
  title: string
  rows: Record<string, unknown>[]
}

/** One summary list per shown page, each answer with a Change link that comes back here afterwards. */
export function answerSections(
  definition: ServiceDefinition,
  answers: Answers,
  applicationId: string,
  language: Language,
  t: Translate,
  errors: Record<string, { text: string }> = {},
): AnswerSection[] {
  return visiblePages(definition, answers).map((page) => ({
    pageId: page.id,
    title: page.title[language],
    rows: visibleQuestions(definition, page, answers).map((question) => {
      const label = question.label[language]
      const error = errors[question.id]
      return {
        key: { text: label },
        value: error ? { html: `<p class="govuk-error-message" id="${question.id}">${escapeHtml(error.text)}</p>` } : { text: formatAnswer(question, answers[question.id], language, t) },
        actions: {
          items: [
            {
              href: `/applications/${applicationId}/pages/${page.id}?return=check#${anchorOf(question)}`,
              text: t('applications.check.change'),
              visuallyHiddenText: label,
            },
          ],
        },
      }
    }),
  }))
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!)
}

/** The fee table: each line, then a total per currency, as money in the person's language. */
export function feeRows(quote: FeeQuote, language: Language, t: Translate): { rows: { text: string }[][]; totals: string[] } {
  const rows = quote.lines.map((line) => [{ text: line.label[language] }, { text: formatMoney(line.amount, line.currency, language), format: 'numeric' }])
  const totals = Object.entries(quote.totals).map(([currency, amount]) =>
    t('applications.fees.total', { amount: formatMoney(amount, currency as Currency, language) }),
  )
  return { rows, totals }
}
