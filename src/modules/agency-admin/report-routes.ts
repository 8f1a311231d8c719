import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { audit, requestContext } from '../../platform/audit/audit.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { formatMoney } from '../services/fees.js'
import { reportCsv, reportView } from './present.js'
import { readRange, typedRange, type DateRange } from './report-math.js'
import { isReportName, REPORT_NAMES, type AgencyReports } from './reports.js'
import type { AdminActor } from './staff.js'
import { actorOf, ADMIN_PATH } from './staff-routes.js'

type RangeRequest = FastifyRequest<{ Querystring: Record<string, unknown> }>

/**
 * The agency's reports and settlement days. Each reads the signed-in admin's agency only: the agency
 * comes from the admin's own account, never from the request. The range form is a GET, so a report has an address
 * that can be bookmarked or shared with a colleague of the same agency.
 */
export function reportRoutes(app: FastifyInstance, deps: { reports: AgencyReports }): void {
  const { reports } = deps

  /** The range asked for, or the page again with the errors at the fields and what was typed. */
  const withRange = async (
    request: RangeRequest,
    reply: FastifyReply,
    template: string,
    titleKey: string,
    current: string,
    load: (range: DateRange, actor: AdminActor) => Promise<Record<string, unknown>>,
  ) => {
    const actor = actorOf(request)
    let range: DateRange
    try {
      range = readRange(request.query, reports.todayInKenya())
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return reply.page(template, {
        pageTitle: request.t('feedback.errorTitle', { title: request.t(titleKey) }),
        current,
        typed: typedRange(request.query),
        errors: errorSummary(error, request.t),
      })
    }
    return reply.page(template, { pageTitle: request.t(titleKey), current, typed: range, range, ...(await load(range, actor)) })
  }

  app.get<{ Querystring: Record<string, unknown> }>(`${ADMIN_PATH}/reports`, allow('agency.admin'), async (request, reply) =>
    withRange(request, reply, 'agency-admin/views/reports.njk', 'agencyAdmin.reports.title', 'reports', async (range, { agency }) => {
      const language = request.language()
      const built = []
      for (const name of REPORT_NAMES) built.push(reportView(await reports.build(name, agency, range, language, request.t), range, language, request.t))
      return { reports: built }
    }),
  )

  app.get<{ Params: { name: string }; Querystring: Record<string, unknown> }>(`${ADMIN_PATH}/reports/:name.csv`, allow('agency.admin'), async (request, reply) => {
    const actor = actorOf(request)
    if (!isReportName(request.params.name)) throw new NotFound('no such report')
    const range = readRange(request.query, reports.todayInKenya())
    const report = await reports.build(request.params.name, actor.agency, range, request.language(), request.t)
    // Figures leave the portal in this file: who took which, for which days, is recorded.
    await audit(
      reports.db,
      { action: 'agency-report.export', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'agency', subjectId: actor.agency, details: { report: report.name, from: range.from, to: range.to } },
      requestContext(request),
    )
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${report.name}-${actor.agency}-${range.from}-${range.to}.csv"`)
      .header('Cache-Control', 'private, no-store')
      .send(reportCsv(report))
  })

  app.get<{ Querystring: Record<string, unknown> }>(`${ADMIN_PATH}/settlement`, allow('agency.admin'), async (request, reply) =>
    withRange(request, reply, 'agency-admin/views/settlement.njk', 'agencyAdmin.settlement.title', 'settlement', async (range, { agency }) => {
      const language = request.language()
      const days = await reports.settlement(agency, range)
      return {
        days: days.map((day) => ({
          ...day,
          amount: formatMoney(day.amountCents, day.currency, language),
          government: formatMoney(day.governmentCents, day.currency, language),
          convenience: formatMoney(day.convenienceCents, day.currency, language),
          overpaid: formatMoney(day.overpaidCents, day.currency, language),
          // The payments module's file for the day; it, too, answers for the signed-in admin's agency only.
          csvHref: `/payments/settlement.csv?date=${day.day}`,
        })),
      }
    }),
  )
}
