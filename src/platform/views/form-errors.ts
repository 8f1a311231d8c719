import type { Invalid } from '../http/errors.js'
import type { Translate } from '../i18n/i18n.js'

export interface ErrorSummary {
  /** For govukErrorSummary: each message links to its field. */
  list: { text: string; href: string }[]
  /** For each field's errorMessage. */
  byField: Record<string, { text: string }>
}

/** Turns field errors into messages in the person's language, for the summary and the fields. */
export function errorSummary(error: Invalid, t: Translate): ErrorSummary {
  const list: ErrorSummary['list'] = []
  const byField: ErrorSummary['byField'] = {}
  for (const [field, fieldError] of Object.entries(error.fields)) {
    const text = t(fieldError.key, fieldError.params)
    list.push({ text, href: `#${field}` })
    byField[field] = { text }
  }
  return { list, byField }
}
