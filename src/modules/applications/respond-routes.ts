import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { Conflict, Invalid } from '../../platform/http/errors.js'
import type { Db } from '../../platform/db/database.js'
import { errorSummary, type ErrorSummary } from '../../platform/views/form-errors.js'
import { findStage } from './workflow.js'
import { applicantStep, REPLY_MAX, respondToAgency } from './respond.js'
import type { ApplicationsService } from './service.js'

type Params = { Params: { id: string; to: string } }

/**
 * Answering the agency: the request in its own words (the note of the move that handed the application
 * back), a reply, and sending it. GET shows the form; POST sends, or re-renders it with the reply kept.
 */
export function respondRoutes(app: FastifyInstance, deps: { db: Db; applications: ApplicationsService }): void {
  const { applications, db } = deps

  async function render(request: FastifyRequest<Params>, reply: FastifyReply, form: { reply: string; errors?: ErrorSummary }) {
    const accountId = request.session!.accountId
    const { application, definition } = await applications.own(accountId, request.params.id)
    const step = applicantStep(definition, application.stage, request.params.to)
    if (!step) return reply.redirect(`/applications/${application.id}`, 303)
    const language = request.language()
    // The latest move into this stage carries the agency's request.
    const agencyRequest = await db
      .selectFrom('application_events')
      .select(['note', 'at'])
      .where('application_id', '=', application.id)
      .where('stage_to', '=', application.stage)
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirst()
    const title = step.label[language]
    return reply.page('applications/views/respond.njk', {
      pageTitle: form.errors ? request.t('applications.errorTitle', { title }) : title,
      title,
      application,
      service: definition.name[language],
      stage: findStage(definition, application.stage)?.name[language],
      agencyRequest: agencyRequest?.note,
      to: step.to,
      reply: form.reply,
      max: REPLY_MAX,
      errors: form.errors,
    })
  }

  app.get<Params>('/applications/:id/respond/:to', allow('applications.own'), async (request, reply) => render(request, reply, { reply: '' }))

  app.post<Params>('/applications/:id/respond/:to', allow('applications.own'), async (request, reply) => {
    const typed = String((request.body as Record<string, unknown> | undefined)?.reply ?? '').slice(0, REPLY_MAX * 2)
    try {
      await respondToAgency(applications, request.session!.accountId, request.params.id, request.params.to, typed)
    } catch (error) {
      if (error instanceof Invalid) {
        reply.code(400)
        return render(request, reply, { reply: typed, errors: errorSummary(error, request.t) })
      }
      // Moved on meanwhile: the application's page says where it is now.
      if (error instanceof Conflict) return reply.redirect(`/applications/${request.params.id}`, 303)
      throw error
    }
    return reply.redirect(`/applications/${request.params.id}?sent=1`, 303)
  })
}
