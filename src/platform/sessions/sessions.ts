import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../db/database.js'
import type { SessionsTable } from '../db/schema.js'
import { findLiveSession, insertSession, revokeSession, touchSession, type SessionRecord } from './store.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person's session (any stage), or null. */
    session: SessionRecord | null
  }
}

export interface SessionSettings {
  secure: boolean
  idleMinutes: number
  maxHours: number
}

/** How often a busy session's last-seen time is written: enough for a 30-minute idle timeout. */
const TOUCH_EVERY_MS = 60_000

const WITHOUT_SESSION = /^\/(assets\/|healthz|readyz|metrics|status\.json|status\/feed\.atom)/
/** Pages that must answer while the database is away (the status page): a failed lookup reads as signed out. */
const SIGNED_OUT_WHEN_DATABASE_AWAY = /^\/status(\?|$)/

/** `__Host-` binds the cookie to this host over https: no subdomain can set or read it. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-session' : 'session'
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export class Sessions {
  readonly cookieName: string

  constructor(
    private readonly db: Db,
    private readonly settings: SessionSettings,
  ) {
    this.cookieName = sessionCookieName(settings.secure)
  }

  register(app: FastifyInstance): void {
    app.decorateRequest('session', null)
    app.addHook('preHandler', async (request) => {
      // Browsers send the cookie with every stylesheet and script too: those need no session query.
      if (WITHOUT_SESSION.test(request.url)) return
      const token = request.cookies[this.cookieName]
      if (!token || token.length > 100) return
      let session: Awaited<ReturnType<typeof findLiveSession>>
      try {
        session = await findLiveSession(this.db, hashToken(token), this.settings.idleMinutes)
      } catch (error) {
        if (!SIGNED_OUT_WHEN_DATABASE_AWAY.test(request.url)) throw error
        request.log.warn({ err: error }, 'session lookup failed; the status page is served as to a signed-out visitor')
        return
      }
      if (!session) return
      if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(this.db, session.tokenHash)
      request.session = session
    })
  }

  /**
   * Starts a new session (a new id at sign-in and at every privilege change: the old one, if any, is
   * revoked), and sets its cookie. `executor`: the transaction of the sign-in step, so its writes commit once.
   */
  async start(request: FastifyRequest, reply: FastifyReply, accountId: string, stage: SessionsTable['stage'], executor: Db = this.db): Promise<void> {
    if (request.session) await revokeSession(executor, request.session.tokenHash)
    const token = randomBytes(32).toString('base64url')
    await insertSession(executor, {
      tokenHash: hashToken(token),
      accountId,
      stage,
      maxHours: this.settings.maxHours,
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    })
    reply.setCookie(this.cookieName, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.settings.secure,
      maxAge: this.settings.maxHours * 3600,
    })
  }

  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.session) await revokeSession(this.db, request.session.tokenHash)
    request.session = null
    reply.clearCookie(this.cookieName, { path: '/', secure: this.settings.secure, httpOnly: true, sameSite: 'lax' })
  }
}
