import type { FieldError } from '../../platform/http/errors.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { formatDate, makeDate, resolveBound, type IsoDate } from './dates.js'
import { choiceValues, type CheckboxesQuestion, type FileQuestion, type Question, type TextQuestion } from './definition.js'
import { TamperedForm } from './errors.js'
import { kindOfFileName, kindOfMediaType, type FileAnswer } from './file-types.js'

export interface AddressAnswer {
  line1: string
  line2?: string
  town: string
  postalCode?: string
}

/** Answers as stored: normalised, so that checking a stored answer again gives the same value. */
export type AnswerValue = string | number | string[] | AddressAnswer | FileAnswer
export type Answers = Record<string, AnswerValue>

export type Outcome = { empty: true } | { value: AnswerValue } | { error: FieldError }

export const ADDRESS_PARTS = ['line1', 'line2', 'town', 'postalCode'] as const
export const DATE_PARTS = ['day', 'month', 'year'] as const
export const NATIONAL_ID = /^\d{7,8}$/
export const KRA_PIN = /^[AP]\d{9}[A-Z]$/
export const EMAIL = /^[^\s@"(),:;<>[\\\]]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+$/
const LIMIT = { address: 100, town: 60, email: 254 }

/** Every message the rules give, under `services.errors.` in locales/services.*.json. */
export const ERROR_KEYS = [
  'addressLine1', 'addressTooLong', 'addressTown', 'choose', 'date', 'dateIncomplete', 'dateTooEarly', 'dateTooLate',
  'email', 'fileEmpty', 'fileMissing', 'fileTooLarge', 'fileType', 'kraPin', 'kraPinEntity', 'kraPinIndividual',
  'nationalId', 'number', 'numberTooLarge', 'numberTooSmall', 'pattern', 'phone', 'postalCode', 'required',
  'tooFewChoices', 'tooLong', 'tooManyChoices', 'tooShort', 'wholeNumber',
] as const

const err = (key: (typeof ERROR_KEYS)[number], params?: FieldError['params']): Outcome => ({ error: { key: `services.errors.${key}`, params } })

export function textLimits(question: TextQuestion): { min: number; max: number } {
  return { min: question.minLength ?? 0, max: question.maxLength ?? (question.multiline ? 2000 : 200) }
}

export function maxBytes(question: FileQuestion): number {
  return Math.round((question.maxMegabytes ?? 5) * 1024 * 1024)
}

/**
 * Checks one answer against its question and normalises it. `raw` is what arrived: a form's string
 * (or strings, or date and address parts), or a stored answer. A shape no form sends throws.
 */
export function checkValue(question: Question, raw: unknown, today: IsoDate): Outcome {
  if (!isEmpty(question, raw)) return checkPresent(question, raw, today)
  if (question.required === false) return { empty: true }
  const choice = CHOICE.has(question.type)
  return err(question.type === 'file' ? 'fileMissing' : choice ? 'choose' : 'required')
}

const CHOICE = new Set(['select', 'radio', 'yesno', 'county', 'checkboxes'])

/**
 * Nothing given. Lists count only for checkboxes, and blank parts only for dates and addresses: any
 * other shape is checked (and refused) as it is.
 */
function isEmpty(question: Question, raw: unknown): boolean {
  if (raw === undefined || raw === null) return true
  if (typeof raw === 'string') return raw.trim() === ''
  if (Array.isArray(raw)) return question.type === 'checkboxes' && raw.every((item) => item === '')
  if (typeof raw === 'object' && (question.type === 'date' || question.type === 'address')) {
    return Object.values(raw).every((part) => typeof part === 'string' && part.trim() === '')
  }
  return false
}

function tampered(question: Question, reason: string): never {
  throw new TamperedForm(question.id, reason)
}

function text(question: Question, raw: unknown): string {
  if (typeof raw !== 'string') tampered(question, `expected text, got ${Array.isArray(raw) ? 'a list' : typeof raw}`)
  return raw
}

const patterns = new Map<string, RegExp>()

/** A definition's pattern, anchored to the whole answer (compiled once). */
export function fullMatch(pattern: string): RegExp {
  let compiled = patterns.get(pattern)
  if (!compiled) patterns.set(pattern, (compiled = new RegExp(`^(?:${pattern})$`, 'u')))
  return compiled
}

function checkPresent(question: Question, raw: unknown, today: IsoDate): Outcome {
  switch (question.type) {
    case 'text':
      return checkText(question, text(question, raw))
    case 'number':
      return checkNumber(question, raw)
    case 'date':
      return checkDate(question, raw, today)
    case 'select':
    case 'radio':
    case 'yesno':
    case 'county': {
      const value = text(question, raw)
      if (!(choiceValues(question) ?? []).includes(value)) tampered(question, `"${value.slice(0, 40)}" was not offered`)
      return { value }
    }
    case 'checkboxes':
      return checkCheckboxes(question, raw)
    case 'national-id': {
      const value = text(question, raw).replace(/\s/g, '')
      return NATIONAL_ID.test(value) ? { value } : err('nationalId')
    }
    case 'phone': {
      const value = toE164(text(question, raw))
      return value ? { value } : err('phone')
    }
    case 'email': {
      const typed = text(question, raw).trim()
      const at = typed.lastIndexOf('@')
      const value = at < 0 ? typed : `${typed.slice(0, at)}@${typed.slice(at + 1).toLowerCase()}`
      return value.length <= LIMIT.email && EMAIL.test(value) ? { value } : err('email')
    }
    case 'kra-pin': {
      const value = text(question, raw).replace(/[\s-]/g, '').toUpperCase()
      if (!KRA_PIN.test(value)) return err('kraPin')
      if (question.holder === 'individual' && !value.startsWith('A')) return err('kraPinIndividual')
      if (question.holder === 'entity' && !value.startsWith('P')) return err('kraPinEntity')
      return { value }
    }
    case 'address':
      return checkAddress(question, raw)
    case 'file':
      return checkFile(question, raw)
  }
}

/** Trimmed, one line unless multiline, without control characters, composed (NFC). */
export function normaliseText(raw: string, multiline: boolean): string {
  const cleaned = raw
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
  const lines = multiline ? cleaned.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n') : cleaned.replace(/\s+/g, ' ')
  // Composed last, so that removing a character cannot leave a composable pair behind.
  return lines.trim().normalize('NFC')
}

function checkText(question: TextQuestion, raw: string): Outcome {
  const value = normaliseText(raw, question.multiline === true)
  if (value === '') return question.required === false ? { empty: true } : err('required')
  const { min, max } = textLimits(question)
  const length = [...value].length
  if (length < min) return err('tooShort', { min })
  if (length > max) return err('tooLong', { max })
  if (question.pattern !== undefined && !fullMatch(question.pattern).test(value)) return err('pattern')
  return { value }
}

function checkNumber(question: Extract<Question, { type: 'number' }>, raw: unknown): Outcome {
  let value: number
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) tampered(question, 'not a finite number')
    value = raw
  } else {
    const typed = text(question, raw).replace(/[\s,]/g, '')
    if (!/^[+-]?\d{1,15}(\.\d{1,6})?$/.test(typed)) return err('number')
    value = Number(typed)
  }
  if (question.integer !== false && !Number.isInteger(value)) return err('wholeNumber')
  if (question.min !== undefined && value < question.min) return err('numberTooSmall', { min: question.min })
  if (question.max !== undefined && value > question.max) return err('numberTooLarge', { max: question.max })
  return { value: Object.is(value, -0) ? 0 : value }
}

function checkDate(question: Extract<Question, { type: 'date' }>, raw: unknown, today: IsoDate): Outcome {
  let parts: string[]
  if (typeof raw === 'string') {
    const typed = text(question, raw).trim()
    const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed)
    const dmy = /^(\d{1,2})[/. -](\d{1,2})[/. -](\d{4})$/.exec(typed)
    if (iso) parts = [iso[3], iso[2], iso[1]] as string[]
    else if (dmy) parts = [dmy[1], dmy[2], dmy[3]] as string[]
    else return err('date')
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const record = raw as Record<string, unknown>
    if (Object.keys(record).some((key) => !(DATE_PARTS as readonly string[]).includes(key))) tampered(question, 'unknown date part')
    parts = DATE_PARTS.map((part) => text(question, record[part] ?? '').trim())
    if (parts.some((part) => part === '')) return err('dateIncomplete')
  } else {
    return tampered(question, 'expected a date')
  }
  const [day, month, year] = parts as [string, string, string]
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return err('date')
  const value = makeDate(Number(year), Number(month), Number(day))
  if (!value) return err('date')
  const min = question.min === undefined ? undefined : resolveBound(question.min, today)
  const max = question.max === undefined ? undefined : resolveBound(question.max, today)
  if (min !== undefined && value < min) return err('dateTooEarly', { date: formatDate(min) })
  if (max !== undefined && value > max) return err('dateTooLate', { date: formatDate(max) })
  return { value }
}

function checkCheckboxes(question: CheckboxesQuestion, raw: unknown): Outcome {
  const list = (Array.isArray(raw) ? raw : [raw]).filter((item) => item !== '')
  const offered = question.options.map((option) => option.value)
  if (list.length > offered.length) tampered(question, 'more choices than options')
  for (const item of list) {
    if (typeof item !== 'string' || !offered.includes(item)) tampered(question, 'a choice that was not offered')
  }
  if (new Set(list).size !== list.length) tampered(question, 'the same choice twice')
  const value = offered.filter((option) => list.includes(option))
  if (question.minSelected !== undefined && value.length < question.minSelected) return err('tooFewChoices', { min: question.minSelected })
  if (question.maxSelected !== undefined && value.length > question.maxSelected) return err('tooManyChoices', { max: question.maxSelected })
  return { value }
}

function checkAddress(question: Question, raw: unknown): Outcome {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return tampered(question, 'expected an address')
  const record = raw as Record<string, unknown>
  if (Object.keys(record).some((key) => !(ADDRESS_PARTS as readonly string[]).includes(key))) tampered(question, 'unknown address part')
  const part = (name: (typeof ADDRESS_PARTS)[number]) => normaliseText(text(question, record[name] ?? ''), false)
  const [line1, line2, town, postalCode] = [part('line1'), part('line2'), part('town'), part('postalCode')]
  if (line1 === '') return err('addressLine1')
  if ([...line1].length > LIMIT.address || [...line2].length > LIMIT.address) return err('addressTooLong', { max: LIMIT.address })
  if (town === '') return err('addressTown')
  if ([...town].length > LIMIT.town) return err('addressTooLong', { max: LIMIT.town })
  if (postalCode !== '' && !/^\d{5}$/.test(postalCode)) return err('postalCode')
  const value: AddressAnswer = { line1, town }
  if (line2) value.line2 = line2
  if (postalCode) value.postalCode = postalCode
  return { value }
}

function checkFile(question: FileQuestion, raw: unknown): Outcome {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return tampered(question, 'expected a file')
  const { name, type, size, id, ...rest } = raw as Record<string, unknown>
  if (Object.keys(rest).length) tampered(question, 'unknown file detail')
  if (typeof name !== 'string' || name.length < 1 || name.length > 255 || typeof type !== 'string' || type.length > 100) tampered(question, 'bad file details')
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) tampered(question, 'bad file size')
  if (id !== undefined && (typeof id !== 'string' || id.length > 200)) tampered(question, 'bad file id')
  const kind = kindOfMediaType(type)
  const named = kindOfFileName(name)
  // Browsers take the type from the name: a name of one known kind declared as another was not sent by one.
  if (kind && named && kind !== named) tampered(question, `a .${name.split('.').pop()} file declared as ${type}`)
  const types = question.accept.map((accepted) => accepted.toUpperCase()).join(', ')
  if (!kind || !question.accept.includes(kind)) return err('fileType', { types })
  if (size === 0) return err('fileEmpty')
  if (size > maxBytes(question)) return err('fileTooLarge', { max: `${question.maxMegabytes ?? 5} MB` })
  const value: FileAnswer = { name, type, size }
  if (id !== undefined) value.id = id as string
  return { value }
}
