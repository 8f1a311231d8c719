import { Algorithm, hash, verify } from '@node-rs/argon2'
import { dictionary } from '@zxcvbn-ts/language-common'
import type { FieldError } from '../../platform/http/errors.js'

/** NIST SP 800-63B: length, not composition; a list of known-bad passwords; never forced rotation. */
export const PASSWORD_RULES = { min: 8, recommended: 15, max: 128 } as const

/** OWASP's argon2id baseline: 19 MiB, two passes, one lane. */
const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

const COMMON = new Set(dictionary['passwords-common'].map((password) => password.toLowerCase()))

/** Unicode NFKC first, so the same password typed on two keyboards is the same password. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC')
}

export function commonPasswordCount(): number {
  return COMMON.size
}

/** A reason the password cannot be used, as a locale key, or undefined when it is fine. */
export function passwordProblem(password: string, personal: string[] = []): FieldError | undefined {
  const normalised = normalisePassword(password)
  const length = [...normalised].length
  if (length === 0) return { key: 'password.errors.required' }
  if (length < PASSWORD_RULES.min) return { key: 'password.errors.tooShort', params: { min: PASSWORD_RULES.min } }
  if (length > PASSWORD_RULES.max) return { key: 'password.errors.tooLong', params: { max: PASSWORD_RULES.max } }
  const lower = normalised.toLowerCase()
  if (COMMON.has(lower)) return { key: 'password.errors.common' }
  if (personal.some((value) => value && lower === value.toLowerCase())) return { key: 'password.errors.personal' }
  return undefined
}

export function hashPassword(password: string): Promise<string> {
  return hash(normalisePassword(password), ARGON2)
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, normalisePassword(password))
  } catch {
    return false
  }
}

/**
 * A hash of nothing in particular, verified when no account matches, so a wrong identifier costs the
 * same time as a wrong password and timing does not reveal which accounts exist.
 */
let decoy: Promise<string> | undefined
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword('decoy password that matches no account')
  await verifyPassword(await decoy, password)
  return false
}
