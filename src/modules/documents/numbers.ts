import { randomInt } from 'node:crypto'
import { newReference, normaliseReference } from '../services/reference.js'
import type { DocumentKind } from './tables.js'

/**
 * Document numbers look like `LIC-7K4M-9QX3`: three letters for the kind of document, then the body and
 * check character of application references (services/reference.ts: no look-alike characters, every
 * single typo and every swap of neighbours refused). The prefix says what the number is at a glance,
 * and lets /verify tell a document from a payment receipt (`RCPT-…`) or an application (agency code).
 */
export const DOCUMENT_PREFIXES: Record<DocumentKind, string> = {
  passport: 'PPT',
  certificate: 'CRT',
  licence: 'LIC',
  permit: 'PMT',
  authorisation: 'AUT',
  reservation: 'RSV',
  letter: 'LTR',
  card: 'CRD',
}

const PREFIXES = new Set(Object.values(DOCUMENT_PREFIXES))

/** A new random number for a kind of document (the unique index keeps it unique; the caller retries). */
export function newDocumentNumber(kind: DocumentKind, random: (max: number) => number = randomInt): string {
  return newReference(DOCUMENT_PREFIXES[kind], random)
}

/** The number in its written form if `text` is a valid document number however typed, else undefined. */
export function normaliseDocumentNumber(text: string): string | undefined {
  const number = normaliseReference(text)
  return number && PREFIXES.has(number.slice(0, number.indexOf('-'))) ? number : undefined
}
