import { randomInt } from 'node:crypto'

/**
 * Application references people read aloud and type on a phone: `DIS-7K4M-9QX3`. The agency's code,
 * then eight characters from an alphabet without the look-alikes 0/O, 1/I/L; the first is a digit
 * (so the code and the body never run into each other) and the last is a check character.
 *
 * The alphabet has 31 characters, a prime. Every character gets a value (the code's letters A=0…Z=25,
 * the others their place in the alphabet) and a weight (its position, 1…n, n ≤ 30), and the check
 * character makes the weighted sum 0 modulo 31. A single wrong character changes the sum by
 * weight × difference, never a multiple of 31 since both are between 1 and 30 and 31 is prime; swapping
 * two neighbours changes it by (difference of weights = 1) × (difference of values), never 0 either.
 * So every single substitution and every adjacent transposition is caught; reference.test.ts checks
 * all of them for sample references.
 */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
const MODULUS = REFERENCE_ALPHABET.length
const DIGITS = '23456789'
const BODY_LENGTH = 8
const AGENCY = /^[A-Z]{2,5}$/
const COMPACT = new RegExp(`^([A-Z]{2,5})([${DIGITS}][${REFERENCE_ALPHABET}]{${BODY_LENGTH - 1}})$`)

function weightedSum(agency: string, body: string): number {
  let sum = 0
  let weight = 1
  for (const letter of agency) sum += weight++ * (letter.charCodeAt(0) - 65)
  for (const char of body) sum += weight++ * REFERENCE_ALPHABET.indexOf(char)
  return sum % MODULUS
}

/** The check character that completes `agency` + `body` (the body without its check character). */
export function checkCharacter(agency: string, body: string): string {
  const weight = agency.length + body.length + 1
  const sum = weightedSum(agency, body)
  // Solve sum + weight × c ≡ 0 (mod 31) for c: multiply by the inverse of the weight.
  for (let value = 0; value < MODULUS; value++) {
    if ((sum + weight * value) % MODULUS === 0) return REFERENCE_ALPHABET[value] as string
  }
  throw new Error('unreachable: 31 is prime')
}

function format(agency: string, body: string): string {
  return `${agency}-${body.slice(0, 4)}-${body.slice(4)}`
}

/** A new random reference for an agency (the caller keeps it unique, e.g. with a unique index). */
export function newReference(agency: string, random: (max: number) => number = randomInt): string {
  if (!AGENCY.test(agency)) throw new RangeError(`agency code must be 2 to 5 capital letters: ${agency}`)
  let body = DIGITS[random(DIGITS.length)] as string
  while (body.length < BODY_LENGTH - 1) body += REFERENCE_ALPHABET[random(MODULUS)]
  return format(agency, body + checkCharacter(agency, body))
}

/**
 * The reference in its written form (`DIS-7K4M-9QX3`) if `text` is a valid one however typed (any case,
 * spaces, dashes or dots anywhere), else undefined.
 */
export function normaliseReference(text: string): string | undefined {
  if (text.length > 60) return undefined
  const compact = text.toUpperCase().replace(/[\s.\-_]/g, '')
  const match = COMPACT.exec(compact)
  if (!match) return undefined
  const [, agency = '', body = ''] = match
  return weightedSum(agency, body) === 0 ? format(agency, body) : undefined
}

export function isValidReference(text: string): boolean {
  return normaliseReference(text) !== undefined
}

/** The agency code a valid reference starts with. */
export function agencyOfReference(text: string): string | undefined {
  return normaliseReference(text)?.split('-')[0]
}
