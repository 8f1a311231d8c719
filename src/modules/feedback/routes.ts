import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../platform/db/database.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { readFeedbackForm, submitFeedback, type FeedbackForm, LIMITS } from './service.js'
import { allow } from '../../platform/access/access.js'

export function feedbackRoutes(app: FastifyInstance, deps: { db: Db }): void {
  const blank = (page: string): FeedbackForm => ({ page, whatDoing: '', whatWrong: '', idempotencyKey: randomUUID() })

  app.get('/feedback', allow('public'), async (request, reply) => {
    const from = (request.query as Record<string, unknown>).page
    return reply.page('feedback/views/form.njk', {
      pageTitle: request.t('feedback.title'),
      form: blank(typeof from === 'string' ? from.slice(0, 300) : ''),
      limits: LIMITS,
    })
  })

  // POST → validate → re-render with the person's words and the errors at their fields, or redirect → GET.
  app.post('/feedback', allow('public'), async (request, reply) => {
    const form = readFeedbackForm(request.body)
    try {
      await submitFeedback(deps.db, form, request.language())
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      if (!form.idempotencyKey.match(/^[0-9a-f-]{36}$/i)) form.idempotencyKey = randomUUID()
      reply.code(400)
      return reply.page('feedback/views/form.njk', {
        pageTitle: request.t('feedback.errorTitle', { title: request.t('feedback.title') }),
        form,
        limits: LIMITS,
        errors: errorSummary(error, request.t),
      })
    }
    return reply.redirect('/feedback/thanks', 303)
  })

  app.get('/feedback/thanks', allow('public'), async (request, reply) =>
    reply.page('feedback/views/thanks.njk', { pageTitle: request.t('feedback.thanksTitle') }),
  )
}
