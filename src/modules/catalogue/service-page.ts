import type { Translate } from '../../platform/i18n/i18n.js'
import type { ConvenienceFeeSchedule } from '../services/convenience-fee.js'
import { findQuestion, type Condition, type Language, type Question, type ServiceDefinition } from '../services/definition.js'
import { formatMoney } from '../services/fees.js'
import { feeTable } from './fee-table.js'

/**
 * What a service's page says, in the person's language, worked out from its definition alone: who can
 * apply, what to have ready, what it costs and how long it takes. Nothing here is written per service.
 */
export interface ServicePage {
  slug: string
  name: string
  summary: string
  help: string[]
  agency: { code: string; name: string }
  accountKinds: string[]
  applyFor: string[]
  documents: { name: string; description?: string; provide: 'upload' | 'bring'; condition?: string }[]
  fees: {
    rows: { description: string; government: string; convenience: string; total: string }[]
    /** "KES 7,550 to KES 20,050", one per currency. */
    ranges: string[]
    someFree: boolean
    payment: string
  }
  /** Working days the agency's stages may take, in words; undefined when no stage has a limit. */
  time?: string
  appointments: string[]
  /** Questions people ask, each answer as paragraphs; empty when the definition has none. */
  faq: { question: string; answer: string[] }[]
}

export function servicePage(
  definition: ServiceDefinition,
  schedule: ConvenienceFeeSchedule,
  context: { lang: Language; t: Translate; agencyName: string },
): ServicePage {
  const { lang, t } = context
  const table = feeTable(definition, schedule)
  const money = (cents: number, currency: Parameters<typeof formatMoney>[1]) => formatMoney(cents, currency, lang)
  const days = definition.workflow.stages.reduce((sum, stage) => sum + (stage.slaWorkingDays ?? 0), 0)
  return {
    slug: definition.slug,
    name: definition.name[lang],
    summary: definition.summary[lang],
    help: paragraphs(definition.help[lang]),
    agency: { code: definition.agency, name: context.agencyName },
    accountKinds: definition.applicants.accountKinds.map((kind) => t(`catalogue.accountKinds.${kind}`)),
    applyFor: definition.applicants.for.map((party) => t(`catalogue.applyFor.${party}`)),
    documents: definition.requiredDocuments.map((document) => ({
      name: document.name[lang],
      description: document.description?.[lang],
      provide: document.provide,
      condition: document.when && describeCondition(definition, document.when, lang, t),
    })),
    fees: {
      rows: table.rows.map((row) => ({
        description: row.parts
          .map((part) => (part.choice ? `${part.label[lang]}: ${answerText(part.choice.question, part.choice.value, lang, t)}` : part.label[lang]))
          .join(' + '),
        government: money(row.government, row.currency),
        convenience: money(row.convenience, row.currency),
        total: money(row.total, row.currency),
      })),
      ranges: table.ranges.map((range) =>
        range.min === range.max ? money(range.min, range.currency) : t('catalogue.fees.range', { min: money(range.min, range.currency), max: money(range.max, range.currency) }),
      ),
      someFree: table.someFree,
      payment: t(`catalogue.fees.payment.${definition.fees.payment}`),
    },
    time: days > 0 ? t(days === 1 ? 'catalogue.time.oneDay' : 'catalogue.time.days', { days }) : undefined,
    appointments: definition.workflow.stages.flatMap((stage) => (stage.appointment ? [stage.appointment.purpose[lang]] : [])),
    faq: (definition.faq ?? []).map((entry) => ({ question: entry.question[lang], answer: paragraphs(entry.answer[lang]) })),
  }
}

/** Definitions write long texts (help, FAQ answers) as paragraphs separated by a blank line. */
function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).map((paragraph) => paragraph.trim()).filter(Boolean)
}

/** An answer as the form shows it: the option's label, not its stored value. */
export function answerText(question: Question, value: string, lang: Language, t: Translate): string {
  switch (question.type) {
    case 'select':
    case 'radio':
    case 'checkboxes':
      return question.options.find((option) => option.value === value)?.label[lang] ?? value
    case 'yesno':
      return t(value === 'yes' ? 'services.fields.yes' : 'services.fields.no')
    default:
      return value
  }
}

/** "Only if “Type of application” is “Renewal …”": a condition in words, naming the question and answers. */
export function describeCondition(definition: ServiceDefinition, condition: Condition, lang: Language, t: Translate): string {
  const question = findQuestion(definition, condition.question)
  if (!question) return t('catalogue.when.some')
  const answers = (values: readonly string[]) => values.map((value) => `“${answerText(question, value, lang, t)}”`).join(t('catalogue.when.or'))
  const label = question.label[lang]
  if (condition.notIn) return t('catalogue.when.isNot', { question: label, answers: answers(condition.notIn) })
  const values = condition.in ?? [condition.equals ?? condition.includes ?? '']
  return t(question.type === 'checkboxes' ? 'catalogue.when.includes' : 'catalogue.when.is', { question: label, answers: answers(values) })
}
