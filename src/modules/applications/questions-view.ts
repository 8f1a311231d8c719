import type { Translate } from '../../platform/i18n/i18n.js'
import { KENYA_COUNTIES } from '../registry/counties.js'
import type { ChoiceQuestion, Language, Question } from '../services/definition.js'
import type { FileAnswer } from '../services/file-types.js'
import { MEDIA_TYPES } from '../services/file-types.js'

/**
 * What a page of questions looks like, as govuk-frontend macro parameters worked out here rather than
 * in the template: one `kind` per macro, so the template stays a plain switch.
 */
export interface FieldView {
  id: string
  kind: 'input' | 'textarea' | 'select' | 'radios' | 'checkboxes' | 'date' | 'address' | 'file'
  params: Record<string, unknown>
  /** For an address: the legend, the error and its four inputs. */
  address?: { legend: string; hint?: string; error?: string; inputs: Record<string, unknown>[] }
  /** For a file: the file already uploaded, if any. */
  current?: FileAnswer
}

export type FieldMessages = Record<string, { text: string }>

/** Where the error summary's link for a question lands: its first input. */
export function anchorOf(question: Question): string {
  if (question.type === 'date') return `${question.id}-day`
  if (question.type === 'address') return `${question.id}-line1`
  return question.id
}

function str(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  return ''
}

/** A date's parts as typed (after an error) or from the stored 'YYYY-MM-DD'. */
function dateParts(id: string, values: Record<string, unknown>): Record<string, string> {
  if (['day', 'month', 'year'].some((part) => Object.hasOwn(values, `${id}-${part}`))) {
    return { day: str(values[`${id}-day`]), month: str(values[`${id}-month`]), year: str(values[`${id}-year`]) }
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(str(values[id]))
  return match ? { day: String(Number(match[3])), month: String(Number(match[2])), year: match[1]! } : { day: '', month: '', year: '' }
}

function addressParts(id: string, values: Record<string, unknown>): Record<string, string> {
  const parts = ['line1', 'line2', 'town', 'postalCode']
  if (parts.some((part) => Object.hasOwn(values, `${id}-${part}`))) return Object.fromEntries(parts.map((part) => [part, str(values[`${id}-${part}`])]))
  const stored = (values[id] ?? {}) as Record<string, unknown>
  return Object.fromEntries(parts.map((part) => [part, str(stored[part])]))
}

function chosen(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string')
  return typeof value === 'string' && value !== '' ? [value] : []
}

/**
 * The fields of a page for these values: the stored answers on a first visit, or exactly what the
 * person sent when the page comes back with errors.
 */
export function fieldViews(questions: Question[], values: Record<string, unknown>, errors: FieldMessages, language: Language, t: Translate): FieldView[] {
  return questions.map((question) => {
    const id = question.id
    const optional = question.required === false ? ` ${t('services.fields.optional')}` : ''
    const labelText = question.label[language] + optional
    const hint = question.hint ? { text: question.hint[language] } : undefined
    const errorMessage = errors[id] ? { text: errors[id]!.text } : undefined
    const label = { text: labelText, classes: 'govuk-label--s' }
    const fieldset = { legend: { text: labelText, classes: 'govuk-fieldset__legend--s' } }
    const value = str(values[id])
    const input = (extra: Record<string, unknown> = {}): FieldView => ({
      id,
      kind: 'input',
      params: { id, name: id, label, hint, errorMessage, value, ...extra },
    })
    switch (question.type) {
      case 'text':
        if (question.multiline) return { id, kind: 'textarea', params: { id, name: id, label, hint, errorMessage, value, rows: 5 } }
        return input({ spellcheck: false })
      case 'number':
        return input({ inputmode: question.integer === false ? 'decimal' : 'numeric', classes: 'govuk-input--width-10' })
      case 'national-id':
        return input({ inputmode: 'numeric', autocomplete: 'off', spellcheck: false, classes: 'govuk-input--width-10' })
      case 'phone':
        return input({ type: 'tel', autocomplete: 'tel', classes: 'govuk-input--width-20' })
      case 'email':
        return input({ type: 'email', autocomplete: 'email', spellcheck: false })
      case 'kra-pin':
        return input({ autocomplete: 'off', spellcheck: false, classes: 'govuk-input--width-10' })
      case 'select':
      case 'county': {
        const options = question.type === 'county' ? KENYA_COUNTIES.map((county) => ({ value: county, text: county })) : (question as ChoiceQuestion).options.map((o) => ({ value: o.value, text: o.label[language] }))
        const blank = { value: '', text: t(question.type === 'county' ? 'services.fields.chooseCounty' : 'services.fields.chooseOption') }
        const items = [blank, ...options].map((item) => ({ ...item, selected: item.value !== '' && item.value === value }))
        return { id, kind: 'select', params: { id, name: id, label, hint, errorMessage, items } }
      }
      case 'radio':
      case 'yesno': {
        const options =
          question.type === 'yesno'
            ? [{ value: 'yes', text: t('services.fields.yes') }, { value: 'no', text: t('services.fields.no') }]
            : (question as ChoiceQuestion).options.map((o) => ({ value: o.value, text: o.label[language], hint: o.hint ? { text: o.hint[language] } : undefined }))
        const items = options.map((item: { value: string }) => ({ ...item, checked: item.value === value }))
        const classes = question.type === 'yesno' ? 'govuk-radios--inline' : undefined
        return { id, kind: 'radios', params: { idPrefix: id, name: id, fieldset, hint, errorMessage, items, classes } }
      }
      case 'checkboxes': {
        const ticked = chosen(values[id])
        const items = question.options.map((o) => ({ value: o.value, text: o.label[language], hint: o.hint ? { text: o.hint[language] } : undefined, checked: ticked.includes(o.value) }))
        return { id, kind: 'checkboxes', params: { idPrefix: id, name: id, fieldset, hint, errorMessage, items } }
      }
      case 'date': {
        const parts = dateParts(id, values)
        const item = (name: 'day' | 'month' | 'year', width: number) => ({
          name,
          label: t(`services.fields.${name}`),
          value: parts[name],
          inputmode: 'numeric',
          classes: `govuk-input--width-${width}${errorMessage ? ' govuk-input--error' : ''}`,
        })
        return { id, kind: 'date', params: { id, namePrefix: id, fieldset, hint, errorMessage, items: [item('day', 2), item('month', 2), item('year', 4)] } }
      }
      case 'address': {
        const parts = addressParts(id, values)
        const part = (name: string, key: string, extra: Record<string, unknown> = {}) => ({
          id: `${id}-${name}`,
          name: `${id}-${name}`,
          label: { text: t(`services.fields.${key}`) },
          value: parts[name],
          classes: errorMessage && (name === 'line1' || name === 'town') ? 'govuk-input--error' : undefined,
          ...extra,
        })
        const inputs = [
          part('line1', 'addressLine1', { autocomplete: 'address-line1' }),
          part('line2', 'addressLine2', { autocomplete: 'address-line2' }),
          part('town', 'addressTown', { autocomplete: 'address-level2', classes: 'govuk-!-width-two-thirds' }),
          part('postalCode', 'addressPostalCode', { autocomplete: 'postal-code', inputmode: 'numeric', classes: 'govuk-input--width-10' }),
        ]
        return { id, kind: 'address', params: {}, address: { legend: labelText, hint: hint?.text, error: errorMessage?.text, inputs } }
      }
      case 'file': {
        const accept = question.accept.map((kind) => MEDIA_TYPES[kind]).join(',')
        const stored = values[id]
        const current = stored && typeof stored === 'object' && 'name' in stored ? (stored as FileAnswer) : undefined
        return { id, kind: 'file', current, params: { id, name: id, label, hint, errorMessage, attributes: { accept } } }
      }
    }
  })
}
