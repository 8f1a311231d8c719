import pino, { type Logger } from 'pino'
import type { LogLevel } from '../config.js'

/** JSON lines on standard output. Secrets that could ride along in logged objects are removed. */
export function createLogger(level: LogLevel): Logger {
  // Asynchronous writes: lines written while a write is in progress go out together in the next one,
  // so a busy server makes far fewer system calls, yet a quiet one shows each line at once.
  const destination = pino.destination({ dest: 1, sync: false })
  return pino({
    level,
    base: { service: 'ecitizen' },
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'headers.cookie',
        'headers.authorization',
        '*.password',
        '*.token',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  }, destination)
}
