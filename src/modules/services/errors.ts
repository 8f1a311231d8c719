import { AppError } from '../../platform/http/errors.js'

/**
 * A submission no honest form could have sent: a field the page does not have, an answer to a question
 * that is hidden, a choice that was not offered, a file whose content is not what it claims. It is
 * refused whole (400) and changes nothing; the person sees the generic "bad request" page, not field
 * errors, since there is nothing they did wrong on the form.
 */
export class TamperedForm extends AppError {
  constructor(
    readonly field: string | undefined,
    reason: string,
  ) {
    super(400, field ? `tampered form: ${field}: ${reason}` : `tampered form: ${reason}`)
  }
}
