import type { Invalid } from '../http/errors.js'
import type { Translate } from '../i18n/i18n.js'

export interface ErrorSummary {
  /** For govukErrorSummary: each message links to its field. */
  list: { text: string; href: string }[]
  /** For each field's errorMessage. */
  byField: Record<string, { text: string; visuallyHiddenText: string }>
}

/** Turns field errors into messages in the person's language, for the summary and the fields. */
export function errorSummary(error: Invalid, t: Translate): ErrorSummary {
  const list: ErrorSummary['list'] = []
  const byField: ErrorSummary['byField'] = {}
  // Screen readers announce "Error:" before each field's message: in the page's language too.
  const visuallyHiddenText = t('errors.prefix')
  for (const [field, fieldError] of Object.entries(error.fields)) {
    const text = t(fieldError.key, fieldError.params)
    list.push({ text, href: `#${field}` })
    byField[field] = { text, visuallyHiddenText }
  }
  return { list, byField }
}
