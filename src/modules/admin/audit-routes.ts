import type { FastifyInstance } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { audit, requestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { findAuditEntries, type AuditFilter } from './audit-store.js'

const OUTCOMES = new Set(['success', 'failure', 'denied'])

function readFilter(query: Record<string, unknown>): AuditFilter {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim().slice(0, 100) : '')
  const outcome = text('outcome')
  return {
    action: /^[a-z][a-z0-9_.-]*$/.test(text('action')) ? text('action') : undefined,
    who: text('who') || undefined,
    outcome: OUTCOMES.has(outcome) ? (outcome as AuditFilter['outcome']) : undefined,
    before: text('before') || undefined,
  }
}

/** The audit log for platform administrators: read-only, filtered, and itself audited. */
export function auditRoutes(app: FastifyInstance, deps: { db: Db }): void {
  app.get('/admin/audit', allow('platform.admin'), async (request, reply) => {
    const filter = readFilter(request.query as Record<string, unknown>)
    const { entries, older } = await findAuditEntries(deps.db, filter)
    const session = request.session!
    await audit(
      deps.db,
      { action: 'audit-log.read', outcome: 'success', actorId: session.accountId, actorRole: session.role, details: { action: filter.action ?? null, who: filter.who ?? null } },
      requestContext(request),
    )
    const params = new URLSearchParams(Object.entries({ action: filter.action, who: filter.who, outcome: filter.outcome }).filter((e): e is [string, string] => Boolean(e[1])))
    if (older) params.set('before', older)
    return reply.page('admin/views/audit.njk', {
      pageTitle: request.t('admin.audit.title'),
      filter,
      entries: entries.map((entry) => ({ ...entry, detailsText: JSON.stringify(entry.details) })),
      olderHref: older ? `/admin/audit?${params.toString()}` : undefined,
    })
  })
}
