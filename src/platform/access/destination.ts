import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Where a person was going when they were asked to sign in: a link in a message ("continue your
 * payment"), a bookmarked application. Kept in a short-lived cookie rather than a `next` parameter, so
 * it survives the second-factor pages whichever way they go (code, passkey, resend) without each form
 * carrying it.
 */
export const DESTINATION_COOKIE = 'ecitizen_next'
const MINUTES = 15

/** A path on this site only: never another origin (`//evil`, `/\evil`), never the sign-in pages themselves. */
export function safeDestination(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 500) return undefined
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(value)) return undefined
  if (/^\/(sign-in|sign-out|signed-out)(\/|\?|$)/.test(value)) return undefined
  return value
}

export function rememberDestination(request: FastifyRequest, reply: FastifyReply): void {
  // Only pages: a form post's body cannot be replayed after sign-in.
  if (request.method !== 'GET') return
  const destination = safeDestination(request.url)
  if (!destination) return
  reply.setCookie(DESTINATION_COOKIE, destination, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: MINUTES * 60, secure: request.protocol === 'https' })
}

/** Where to go once signed in: the remembered page (once), else the dashboard. */
export function takeDestination(request: FastifyRequest, reply: FastifyReply, fallback = '/dashboard'): string {
  const remembered = safeDestination(request.cookies[DESTINATION_COOKIE])
  if (request.cookies[DESTINATION_COOKIE] !== undefined) reply.clearCookie(DESTINATION_COOKIE, { path: '/' })
  return remembered ?? fallback
}
