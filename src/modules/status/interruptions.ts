import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Db } from '../../platform/db/database.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A request that starts a person's work (a submission, a payment prompt). When it is refused or fails
     * (5xx, maintenance mode included), the refusal is written down so the restoration notice can send
     * the person back to `resumeAt` (a path pattern filled from the route's parameters); `subject` names
     * the parameter the notice quotes (a bill reference).
     */
    interrupts?: { component: string; work: 'payment' | 'submission'; resumeAt: string; subject?: string }
  }
}

/** `/payments/invoices/:billReference` with the request's parameters filled in; undefined when one is missing. */
export function fillPath(pattern: string, params: Record<string, unknown>): string | undefined {
  let missing = false
  const path = pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name]
    if (typeof value !== 'string' || !/^[A-Za-z0-9-]{1,80}$/.test(value)) missing = true
    return typeof value === 'string' ? value : ''
  })
  return missing ? undefined : path
}

/**
 * Writes down each refused start of work by a signed-in person, after the answer has gone, so the
 * person waits for nothing. When the database is itself the trouble the write fails: that is logged,
 * and the person is still found through what they saved (drafts, prompts) if anything.
 */
export function recordInterruptions(app: FastifyInstance, db: Db): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const interrupts = request.routeOptions.config?.interrupts
    if (!interrupts || reply.statusCode < 500) return
    const session = request.session
    if (session?.stage !== 'signed-in') return
    const params = (request.params ?? {}) as Record<string, unknown>
    const resumePath = fillPath(interrupts.resumeAt, params)
    if (!resumePath) return
    const subject = interrupts.subject ? String(params[interrupts.subject]).slice(0, 80) : null
    try {
      await db
        .insertInto('status_interruptions')
        .values({ account_id: session.accountId, component: interrupts.component, work: interrupts.work, subject, resume_path: resumePath })
        .execute()
    } catch (error) {
      request.log.warn({ err: error }, 'interruption not recorded')
    }
  })
}
