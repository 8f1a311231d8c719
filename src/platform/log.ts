import pino, { type Logger } from 'pino'
import type { LogLevel } from '../config.js'

/** JSON lines on standard output. Secrets that could ride along in logged objects are removed. */
export function createLogger(level: LogLevel): Logger {
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
  })
}
