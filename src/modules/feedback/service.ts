import type { Db } from '../../platform/db/database.js'
import { Invalid, type FieldError } from '../../platform/http/errors.js'
import type { Language } from '../../platform/i18n/i18n.js'
import { insertFeedback } from './store.js'

export interface FeedbackForm {
  page: string
  whatDoing: string
  whatWrong: string
  idempotencyKey: string
}

export const LIMITS = { whatDoing: 500, whatWrong: 1200 } as const
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : ''
}

/** Reads the posted form into plain strings, whatever shape it arrived in. */
export function readFeedbackForm(body: unknown): FeedbackForm {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  return {
    page: text(fields.page).slice(0, 300),
    whatDoing: text(fields.whatDoing),
    whatWrong: text(fields.whatWrong),
    idempotencyKey: text(fields.idempotencyKey),
  }
}

export function validateFeedback(form: FeedbackForm): void {
  const errors: Record<string, FieldError> = {}
  if (form.whatDoing.length > LIMITS.whatDoing) {
    errors.whatDoing = { key: 'feedback.errors.tooLong', params: { max: LIMITS.whatDoing } }
  }
  if (!form.whatWrong) errors.whatWrong = { key: 'feedback.errors.whatWrongRequired' }
  else if (form.whatWrong.length > LIMITS.whatWrong) {
    errors.whatWrong = { key: 'feedback.errors.tooLong', params: { max: LIMITS.whatWrong } }
  }
  // A form without a valid key was not rendered by us; ask the person to send it again from the page.
  if (!UUID.test(form.idempotencyKey)) errors.whatWrong ??= { key: 'feedback.errors.resubmit' }
  if (Object.keys(errors).length > 0) throw new Invalid(errors)
}

export async function submitFeedback(db: Db, form: FeedbackForm, language: Language): Promise<void> {
  validateFeedback(form)
  await insertFeedback(db, {
    idempotency_key: form.idempotencyKey,
    page: form.page,
    what_doing: form.whatDoing,
    what_wrong: form.whatWrong,
    language,
  })
}
