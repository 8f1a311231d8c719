import { parseArgs } from 'node:util'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { audit, requestContext, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid, type FieldError } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import type { StatusBoard } from './board.js'
import type { MaintenanceMode } from './model.js'
import { LIMITS, type Actor } from './service.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Refused while maintenance mode is on (new submissions and payments): with the maintenance page, or
     * with `answer` for callers that expect their own reply (M-Pesa's paybill validation).
     */
    stopsInMaintenance?: true | { answer: unknown }
  }
}

export interface ModeForm {
  messageEn: string
  messageSw: string
}

function check(form: ModeForm): void {
  const errors: Record<string, FieldError> = {}
  for (const [field, value] of [['messageEn', form.messageEn], ['messageSw', form.messageSw]] as const) {
    if (!value) errors[field] = { key: `statusMaintenanceMode.errors.${field}` }
    else if (value.length > LIMITS.message) errors[field] = { key: 'statusPage.admin.errors.tooLong', params: { max: LIMITS.message } }
  }
  if (Object.keys(errors).length) throw new Invalid(errors)
}

/** Turns maintenance mode on (or changes its message); audited. Actor is absent when run from the command line. */
export async function switchOn(db: Db, form: ModeForm, actor?: Actor, context?: RequestContext): Promise<void> {
  check(form)
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('status_maintenance_mode')
      .values({ id: true, message_en: form.messageEn, message_sw: form.messageSw, switched_on_by: actor?.accountId ?? null })
      .onConflict((oc) => oc.column('id').doUpdateSet({ message_en: form.messageEn, message_sw: form.messageSw }))
      .execute()
    await audit(trx, { action: 'status.maintenance-mode-on', outcome: 'success', actorId: actor?.accountId, actorRole: actor?.role ?? 'command-line', subjectType: 'maintenance-mode', subjectId: 'portal' }, context)
  })
}

export async function switchOff(db: Db, actor?: Actor, context?: RequestContext): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('status_maintenance_mode').execute()
    await audit(trx, { action: 'status.maintenance-mode-off', outcome: 'success', actorId: actor?.accountId, actorRole: actor?.role ?? 'command-line', subjectType: 'maintenance-mode', subjectId: 'portal' }, context)
  })
}

/** The state from the board's memory: no query per request; other processes see a change within refreshMs. */
export function maintenanceModeOf(board: StatusBoard): MaintenanceMode | undefined {
  return board.peek()?.data.maintenanceMode
}

/**
 * Refuses routes marked `stopsInMaintenance` with a 503 page while the switch is on, before anything
 * is read or changed. Runs after sign-in and CSRF checks, so only a request that would have gone
 * through is told to come back.
 */
export function maintenanceGuard(app: FastifyInstance, board: StatusBoard): void {
  app.addHook('preHandler', async (request, reply) => {
    const stops = request.routeOptions.config.stopsInMaintenance
    if (!stops) return
    const mode = maintenanceModeOf(board)
    if (!mode) return
    request.log.info({ path: request.routeOptions.url }, 'refused during maintenance mode')
    if (stops !== true) return reply.send(stops.answer)
    reply.code(503).header('retry-after', '600')
    return reply.page('status/views/maintenance-refused.njk', { pageTitle: request.t('statusMaintenanceMode.refused.title'), message: mode.message[request.language()] })
  })
}

const text = (body: unknown, name: string) => {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined
  return typeof value === 'string' ? value.trim() : ''
}

export function maintenanceModeRoutes(app: FastifyInstance, deps: { db: Db; board: StatusBoard }): void {
  const access = allow('platform.admin')
  const actorOf = (request: FastifyRequest): Actor => ({ accountId: request.session!.accountId, role: request.session!.role })
  const page = async (request: FastifyRequest, reply: FastifyReply, form?: ModeForm, error?: Invalid) => {
    // Read from the database, not the board: the admin must see the switch as it is now.
    const row = await deps.db.selectFrom('status_maintenance_mode').selectAll().executeTakeFirst()
    const title = request.t('statusMaintenanceMode.admin.title')
    return reply.page('status/views/maintenance-mode.njk', {
      pageTitle: error ? request.t('statusPage.admin.errorTitle', { title }) : title,
      on: Boolean(row),
      form: form ?? { messageEn: row?.message_en ?? '', messageSw: row?.message_sw ?? '' },
      limits: LIMITS,
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get('/admin/status/maintenance-mode', access, async (request, reply) => page(request, reply))

  app.post('/admin/status/maintenance-mode', access, async (request, reply) => {
    const form = { messageEn: text(request.body, 'messageEn'), messageSw: text(request.body, 'messageSw') }
    try {
      await switchOn(deps.db, form, actorOf(request), requestContext(request))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return page(request, reply, form, error)
    }
    await deps.board.reload()
    return reply.redirect('/admin/status/maintenance-mode', 303)
  })

  app.post('/admin/status/maintenance-mode/off', access, async (request, reply) => {
    await switchOff(deps.db, actorOf(request), requestContext(request))
    await deps.board.reload()
    return reply.redirect('/admin/status/maintenance-mode', 303)
  })
}

export const MAINTENANCE_HELP = `Usage:
  ecitizen maintenance on --message-en TEXT --message-sw TEXT
  ecitizen maintenance off
  ecitizen maintenance status

While on, new submissions and payments are refused with the message (both languages required), and the
banner on every page shows it. Sign-in, dashboards, the status page and downloads keep working, drafts
are kept, and payments already under way are still credited. Every web process sees a change within a
few seconds.`

/** `ecitizen maintenance …`: returns the exit code; what it prints goes to `out`. */
export async function maintenanceCommand(db: Db, argv: string[], out: (line: string) => void): Promise<number> {
  const [action, ...rest] = argv
  let values: { 'message-en'?: string; 'message-sw'?: string }
  try {
    values = parseArgs({ args: rest, options: { 'message-en': { type: 'string' }, 'message-sw': { type: 'string' } }, strict: true }).values
  } catch (error) {
    out(`${(error as Error).message}\n\n${MAINTENANCE_HELP}`)
    return 2
  }
  if (action === 'on') {
    try {
      await switchOn(db, { messageEn: values['message-en']?.trim() ?? '', messageSw: values['message-sw']?.trim() ?? '' })
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      out(`ecitizen: both --message-en and --message-sw are required (at most ${LIMITS.message} characters)\n\n${MAINTENANCE_HELP}`)
      return 2
    }
    out('Maintenance mode is on: new submissions and payments are refused.')
    return 0
  }
  if (action === 'off') {
    await switchOff(db)
    out('Maintenance mode is off.')
    return 0
  }
  if (action === 'status') {
    const row = await db.selectFrom('status_maintenance_mode').selectAll().executeTakeFirst()
    if (!row) out('Maintenance mode is off.')
    else out(`Maintenance mode is on since ${new Date(row.switched_on_at).toISOString()}.\nEnglish: ${row.message_en}\nKiswahili: ${row.message_sw}`)
    return 0
  }
  out(MAINTENANCE_HELP)
  return 2
}
