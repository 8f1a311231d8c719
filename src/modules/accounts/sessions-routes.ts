import type { FastifyInstance } from 'fastify'
import { audit, requestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { NotFound } from '../../platform/http/errors.js'
import { listAccountSessions, revokeAccountSessions, revokeSession } from '../../platform/sessions/store.js'
import { allow } from '../../platform/access/access.js'

/** Sessions are named to their owner by a short prefix of their hash; never by the token itself. */
const PREFIX = 16

/** A browser's name from its user-agent string, good enough for "Chrome on Android". */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return '—'
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrome\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser'
  const system = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Windows/.test(userAgent) ? 'Windows' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : ''
  return system ? `${browser} · ${system}` : browser
}

export function sessionsRoutes(app: FastifyInstance, deps: { db: Db }): void {
  app.get('/account/sessions', allow('signed-in'), async (request, reply) => {
    const current = request.session!.tokenHash
    const sessions = (await listAccountSessions(deps.db, request.session!.accountId)).map((session) => ({
      id: session.token_hash.slice(0, PREFIX),
      current: session.token_hash === current,
      device: deviceName(session.user_agent),
      ip: session.ip ?? '—',
      signedInAt: session.created_at,
      lastSeenAt: session.last_seen_at,
    }))
    return reply.page('accounts/views/sessions.njk', { pageTitle: request.t('sessions.title'), sessions })
  })

  app.post('/account/sessions/sign-out', allow('signed-in'), async (request, reply) => {
    const session = request.session!
    const which = (request.body as Record<string, unknown> | undefined)?.session
    if (which === 'others') {
      await revokeAccountSessions(deps.db, session.accountId, session.tokenHash)
    } else {
      // Only among the person's own sessions: another person's session id is simply not found.
      const own = await listAccountSessions(deps.db, session.accountId)
      const target = own.find((s) => typeof which === 'string' && which.length === PREFIX && s.token_hash.startsWith(which))
      if (!target) throw new NotFound('no such session')
      await revokeSession(deps.db, target.token_hash)
      if (target.token_hash === session.tokenHash) return reply.redirect('/signed-out', 303)
    }
    await audit(deps.db, { action: 'session.revoke', outcome: 'success', actorId: session.accountId, subjectType: 'account', subjectId: session.accountId, details: { which: which === 'others' ? 'others' : 'one' } }, requestContext(request))
    return reply.redirect('/account/sessions', 303)
  })
}
