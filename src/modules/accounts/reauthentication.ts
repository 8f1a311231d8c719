import type { FastifyReply, FastifyRequest } from 'fastify'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid } from '../../platform/http/errors.js'
import { markReauthenticated, type SessionRecord } from '../../platform/sessions/store.js'
import type { Messenger } from './messenger.js'
import { verifyPassword } from './password.js'
import { FREE_ATTEMPTS, warnOfLock } from './sign-in.js'
import { clearFailedSignIns, findAccount, recordFailedSignIn } from './store.js'

/**
 * Changing how one signs in or is reached (email, phone, password, second factor) needs the password to
 * have been typed in this session within the last few minutes: a session left open on a shared phone or
 * a stolen cookie must not be enough to take the account over.
 */
export const REAUTH_MINUTES = 10

export const CONFIRM_PASSWORD_PATH = '/account/confirm-password'

export function isRecentlyAuthenticated(session: SessionRecord | null, now = Date.now()): boolean {
  const at = session?.stage === 'signed-in' ? session.reauthenticatedAt : null
  return Boolean(at && now - at.getTime() < REAUTH_MINUTES * 60_000)
}

/**
 * Where to go after confirming the password: only a path of the person's own account pages, so the
 * page can never send anyone to another site (no scheme, no `//host`, no backslashes, no `..`).
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length > 200) return '/account'
  if (!/^\/account(\/[A-Za-z0-9\-._~/?=&%]*)?$/.test(value)) return '/account'
  if (value.includes('//') || value.includes('..') || value.includes('\\')) return '/account'
  return value
}

/**
 * preHandler for routes that change sign-in or contact details: without a recent password, go to the
 * confirm-password page, which comes back here. A form posted after the time ran out comes back to the
 * form's page (the path without the query), to be filled in again.
 */
export async function requireRecentAuthentication(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (isRecentlyAuthenticated(request.session)) return undefined
  const back = request.method === 'GET' ? request.url : request.url.split('?')[0]!
  return reply.redirect(`${CONFIRM_PASSWORD_PATH}?next=${encodeURIComponent(safeNext(back))}`, 303)
}

export type OwnPasswordCheck = 'ok' | 'wrong' | 'locked'

/** The field error for a refused own-password check, at the given field. */
export function ownPasswordError(field: string, result: Exclude<OwnPasswordCheck, 'ok'>): Invalid {
  return new Invalid({ [field]: { key: result === 'locked' ? 'reauth.errors.locked' : 'reauth.errors.wrong' } })
}

/**
 * The signed-in person's own password, checked the way sign-in checks it: a wrong one counts towards
 * the same growing lock (so a stolen session cannot be used to guess it), and a locked account refuses
 * even the right one until the lock ends.
 */
export async function checkOwnPassword(db: Db, messenger: Messenger, accountId: string, password: string, context: RequestContext): Promise<OwnPasswordCheck> {
  const account = await findAccount(db, accountId)
  if (!account) return 'wrong'
  const locked = Boolean(account.locked_until && account.locked_until.getTime() > Date.now())
  const matches = password !== '' && (await verifyPassword(account.password_hash, password))
  let result: OwnPasswordCheck = locked ? 'locked' : matches ? 'ok' : 'wrong'
  if (result === 'wrong') {
    const updated = await recordFailedSignIn(db, account.id, FREE_ATTEMPTS)
    if (updated.failed_sign_ins === FREE_ATTEMPTS + 1) await warnOfLock(db, messenger, updated)
    if (updated.locked_until && updated.locked_until.getTime() > Date.now()) result = 'locked'
  } else if (result === 'ok' && (account.failed_sign_ins > 0 || account.locked_until)) {
    await clearFailedSignIns(db, account.id)
  }
  await audit(
    db,
    { action: 'reauthenticate', outcome: result === 'ok' ? 'success' : 'failure', actorId: account.id, subjectType: 'account', subjectId: account.id, details: { result } },
    context,
  )
  return result
}

/** The confirm-password page's work: check the password and mark this session as recently authenticated. */
export async function reauthenticate(db: Db, messenger: Messenger, session: SessionRecord, password: string, context: RequestContext): Promise<void> {
  if (!password) throw new Invalid({ password: { key: 'signIn.errors.passwordRequired' } })
  const result = await checkOwnPassword(db, messenger, session.accountId, password, context)
  if (result !== 'ok') throw ownPasswordError('password', result)
  await markReauthenticated(db, session.tokenHash)
}
