import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import type { Db } from '../../platform/db/database.js'
import { countCodeAttempt, findCodeBySecret, findOpenCode, replaceCode, useCode, type OneTimeCode } from './store.js'

export const CODE_MINUTES = 10
// A link that changes the sign-in email is short-lived, like a reset link: it moves control of the account.
export const LINK_MINUTES = { 'verify-email': 24 * 60, 'reset-password': 30, 'change-email': 60 } as const
const MAX_ATTEMPTS = 5

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'used' | 'too-many'

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** Six digits are guessable offline: the hash is scoped to the account and purpose. */
function codeHash(accountId: string, purpose: string, code: string): string {
  return digest(`${accountId}:${purpose}:${code}`)
}

/** A fresh six-digit code, replacing any open one; returns the code to send. */
export async function issueCode(db: Db, accountId: string, purpose: OneTimeCode['purpose'], channel: 'sms' | 'email'): Promise<string> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  await replaceCode(db, {
    account_id: accountId,
    purpose,
    channel,
    secret_hash: codeHash(accountId, purpose, code),
    expires_at: new Date(Date.now() + CODE_MINUTES * 60_000),
  })
  return code
}

export async function checkCode(db: Db, accountId: string, purpose: OneTimeCode['purpose'], code: string): Promise<CodeCheck> {
  const open = await findOpenCode(db, accountId, purpose)
  if (!open) return 'used'
  if (open.expires_at.getTime() <= Date.now()) return 'expired'
  if (open.attempts >= MAX_ATTEMPTS) return 'too-many'
  const given = Buffer.from(codeHash(accountId, purpose, code.replace(/\s/g, '')))
  if (!timingSafeEqual(given, Buffer.from(open.secret_hash))) {
    return (await countCodeAttempt(db, open.id)) >= MAX_ATTEMPTS ? 'too-many' : 'wrong'
  }
  return (await useCode(db, open.id)) ? 'ok' : 'used'
}

/** A single-use link token (256 bits); only its hash is stored. */
export async function issueLinkToken(db: Db, accountId: string, purpose: keyof typeof LINK_MINUTES): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await replaceCode(db, {
    account_id: accountId,
    purpose,
    channel: 'email',
    secret_hash: digest(token),
    expires_at: new Date(Date.now() + LINK_MINUTES[purpose] * 60_000),
  })
  return token
}

export type LinkStatus = { status: 'ok'; accountId: string } | { status: 'expired' | 'used' | 'unknown' }

/** Whether a link token would work now, and for whom, without using it (to show the form it leads to). */
export async function linkTokenStatus(db: Db, token: string, purpose: keyof typeof LINK_MINUTES): Promise<LinkStatus> {
  const found = await findCodeBySecret(db, digest(token))
  if (!found || found.purpose !== purpose) return { status: 'unknown' }
  if (found.used_at) return { status: 'used' }
  if (found.expires_at.getTime() <= Date.now()) return { status: 'expired' }
  return { status: 'ok', accountId: found.account_id }
}

export async function useLinkToken(
  db: Db,
  token: string,
  purpose: keyof typeof LINK_MINUTES,
): Promise<LinkStatus> {
  const found = await findCodeBySecret(db, digest(token))
  const status = await linkTokenStatus(db, token, purpose)
  if (status.status !== 'ok' || !found) return status
  return (await useCode(db, found.id)) ? status : { status: 'used' }
}
