import { KENYA_COUNTIES } from '../../src/modules/registry/counties.js'
import type { Question } from '../../src/modules/services/definition.js'

/**
 * What a stored answer must look like, worked out from the definition alone and written apart from the
 * engine's own rules, so that a property test can tell a wrong acceptance from a right one. Dates are
 * checked against TODAY.
 */
export const TODAY = '2025-06-15'

/** A bound such as `today-18y`, computed here with Date arithmetic, apart from the engine's code. */
export function bound(spec: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(spec)) return spec
  const date = new Date(`${TODAY}T00:00:00Z`)
  const match = /^today(?:([+-])(\d+)([dmy]))?$/.exec(spec)
  if (!match) throw new Error(`bound ${spec}`)
  const amount = Number(match[2] ?? 0) * (match[1] === '-' ? -1 : 1)
  if (match[3] === 'd') date.setUTCDate(date.getUTCDate() + amount)
  if (match[3] === 'm') date.setUTCMonth(date.getUTCMonth() + amount)
  if (match[3] === 'y') date.setUTCFullYear(date.getUTCFullYear() + amount)
  return date.toISOString().slice(0, 10)
}

const MEDIA: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/pjpeg': 'jpeg', 'image/png': 'png' }
/** Control characters (below space, and DEL), allowing the line break where it may be. */
const hasControl = (text: string, lineBreaks: boolean) =>
  [...text].some((char) => {
    const code = char.codePointAt(0) ?? 0
    return code === 127 || (code < 32 && !(lineBreaks && code === 10))
  })
const cleanLine = (text: unknown, max: number) =>
  typeof text === 'string' && text === text.trim() && text.length > 0 && [...text].length <= max && !hasControl(text, false)

/** What a stored answer must look like, re-checked from the definition alone, apart from the engine's rules. */
export function acceptable(question: Question, value: unknown): boolean {
  switch (question.type) {
    case 'text': {
      if (typeof value !== 'string' || value !== value.trim() || value === '') return false
      if (hasControl(value, question.multiline === true)) return false
      const length = [...value].length
      const max = question.maxLength ?? (question.multiline ? 2000 : 200)
      if (length < (question.minLength ?? 1) || length > max) return false
      return question.pattern === undefined || new RegExp(`^(?:${question.pattern})$`, 'u').test(value)
    }
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (question.integer === false || Number.isInteger(value)) &&
        value >= (question.min ?? -Infinity) &&
        value <= (question.max ?? Infinity)
      )
    case 'date':
      return (
        typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        new Date(`${value}T00:00:00Z`).toISOString().startsWith(value) &&
        (question.min === undefined || value >= bound(question.min)) &&
        (question.max === undefined || value <= bound(question.max))
      )
    case 'select':
    case 'radio':
      return question.options.some((option) => option.value === value)
    case 'yesno':
      return value === 'yes' || value === 'no'
    case 'county':
      return (KENYA_COUNTIES as readonly unknown[]).includes(value)
    case 'checkboxes': {
      if (!Array.isArray(value) || value.length === 0 || new Set(value).size !== value.length) return false
      if (!value.every((item) => question.options.some((option) => option.value === item))) return false
      return value.length >= (question.minSelected ?? 1) && value.length <= (question.maxSelected ?? question.options.length)
    }
    case 'national-id':
      return typeof value === 'string' && /^[0-9]{7,8}$/.test(value)
    case 'phone':
      return typeof value === 'string' && /^\+[1-9][0-9]{7,14}$/.test(value) && (!value.startsWith('+254') || /^\+254[17][0-9]{8}$/.test(value))
    case 'email': {
      if (typeof value !== 'string' || value.length > 254 || /\s/.test(value)) return false
      const at = value.lastIndexOf('@')
      const domain = value.slice(at + 1)
      return at >= 1 && at <= 64 && domain === domain.toLowerCase() && domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.')
    }
    case 'kra-pin':
      if (typeof value !== 'string' || !/^[AP][0-9]{9}[A-Z]$/.test(value)) return false
      return question.holder === undefined || value.startsWith(question.holder === 'individual' ? 'A' : 'P')
    case 'address': {
      if (!value || typeof value !== 'object') return false
      const { line1, line2, town, postalCode, ...rest } = value as Record<string, unknown>
      return (
        Object.keys(rest).length === 0 &&
        cleanLine(line1, 100) &&
        (line2 === undefined || cleanLine(line2, 100)) &&
        cleanLine(town, 60) &&
        (postalCode === undefined || (typeof postalCode === 'string' && /^[0-9]{5}$/.test(postalCode)))
      )
    }
    case 'file': {
      if (!value || typeof value !== 'object') return false
      const { name, type, size } = value as Record<string, unknown>
      const kind = typeof type === 'string' ? MEDIA[type.toLowerCase()] : undefined
      return (
        typeof name === 'string' &&
        name.length > 0 &&
        kind !== undefined &&
        (question.accept as string[]).includes(kind) &&
        typeof size === 'number' &&
        size > 0 &&
        size <= (question.maxMegabytes ?? 5) * 1024 * 1024
      )
    }
  }
}
