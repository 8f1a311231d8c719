import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

export type Outcome = 'success' | 'failure' | 'denied'

export interface AuditEntry {
  action: string
  outcome: Outcome
  actorId?: string | null
  actorRole?: string | null
  subjectType?: string
  subjectId?: string
  /** Context a reader needs. Never a password, code or token: keys that look like one are refused. */
  details?: Record<string, string | number | boolean | null>
}

export interface RequestContext {
  ip?: string
  requestId?: string
}

const SECRET_KEY = /pass|code|token|secret|otp|pin$/i

export function requestContext(request: FastifyRequest): RequestContext {
  return { ip: request.ip, requestId: request.id }
}

/**
 * Appends an entry. Pass the transaction of the change being audited, so the entry exists exactly when
 * the change does.
 */
export async function audit(executor: Kysely<Database>, entry: AuditEntry, context: RequestContext = {}): Promise<void> {
  const details = entry.details ?? {}
  const secret = Object.keys(details).find((key) => SECRET_KEY.test(key))
  if (secret) throw new Error(`audit details must not carry secrets (key "${secret}")`)
  await executor
    .insertInto('audit_log')
    .values({
      action: entry.action,
      outcome: entry.outcome,
      actor_id: entry.actorId ?? null,
      actor_role: entry.actorRole ?? null,
      subject_type: entry.subjectType ?? null,
      subject_id: entry.subjectId ?? null,
      ip: context.ip ?? null,
      request_id: context.requestId ?? null,
      details: JSON.stringify(details),
    })
    .execute()
}
