/**
 * Errors that services throw. The one error handler turns each into a page or a JSON answer with the
 * right status; nothing else about the failure ever reaches the person.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class NotFound extends AppError {
  constructor(message = 'not found') {
    super(404, message)
  }
}

export class Forbidden extends AppError {
  constructor(message = 'forbidden') {
    super(403, message)
  }
}

export class Conflict extends AppError {
  constructor(message = 'conflict') {
    super(409, message)
  }
}

/** Field messages are locale keys (with parameters), rendered in the person's language at the field. */
export interface FieldError {
  key: string
  params?: Record<string, string | number>
}

export class Invalid extends AppError {
  constructor(
    readonly fields: Record<string, FieldError>,
    message = 'invalid input',
  ) {
    super(400, message)
  }
}
