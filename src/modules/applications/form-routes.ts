import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import type { FieldError } from '../../platform/http/errors.js'
import { labelErrors, nextUnansweredPage, validateApplication, visiblePages, visibleQuestions, type Answers } from '../services/answers.js'
import type { Page, ServiceDefinition } from '../services/definition.js'
import { TamperedForm } from '../services/errors.js'
import { answerSections, feeRows } from './answers-view.js'
import { appointmentView, type Bookings } from './appointment.js'
import { readMultipart } from './multipart.js'
import { anchorOf, fieldViews, type FieldMessages } from './questions-view.js'
import { Incomplete, NotDraft, type ApplicationsService } from './service.js'
import type { Application } from './store.js'

type Params = { id: string; pageId: string }
const account = (request: FastifyRequest) => request.session!.accountId
const fields = (request: FastifyRequest) => (request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {})

/** Form fields that steer the page rather than answer it. */
const STEERING = ['_csrf', 'idempotencyKey', 'action', 'returnTo']

/** A submitted application's pages are closed: whoever opens one is shown the application instead. */
async function orToApplication(reply: FastifyReply, id: string, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof NotDraft) return reply.redirect(`/applications/${id}`, 303)
    throw error
  }
}

function messages(request: FastifyRequest, definition: ServiceDefinition, errors: Record<string, FieldError>): FieldMessages {
  const labelled = labelErrors(definition, errors, request.language())
  return Object.fromEntries(Object.entries(labelled).map(([id, error]) => [id, { text: request.t(error.key, error.params) }]))
}

function pageHref(id: string, pageId: string | null | undefined, returnToCheck = false): string {
  if (!pageId) return `/applications/${id}/check`
  return `/applications/${id}/pages/${pageId}${returnToCheck ? '?return=check' : ''}`
}

export function formRoutes(app: FastifyInstance, deps: { applications: ApplicationsService; bookings: Bookings; maxFileBytes: number }): void {
  const { applications } = deps

  function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    view: { application: Application; definition: ServiceDefinition; page: Page },
    values: Record<string, unknown>,
    errors: Record<string, FieldError> = {},
    returnToCheck = false,
  ) {
    const { application, definition, page } = view
    const language = request.language()
    const questions = visibleQuestions(definition, page, application.answers as Answers)
    const texts = messages(request, definition, errors)
    const pages = visiblePages(definition, application.answers as Answers)
    const previous = pages[pages.indexOf(page) - 1]
    const title = page.title[language]
    return reply.page('applications/views/page.njk', {
      pageTitle: Object.keys(errors).length ? request.t('applications.errorTitle', { title }) : title,
      service: definition.name[language],
      page: { title, description: page.description?.[language] },
      fields: fieldViews(questions, values, texts, language, request.t),
      errorList: questions.filter((q) => texts[q.id]).map((q) => ({ text: texts[q.id]!.text, href: `#${anchorOf(q)}` })),
      action: `/applications/${application.id}/pages/${page.id}`,
      multipart: questions.some((question) => question.type === 'file'),
      returnToCheck,
      backHref: returnToCheck ? pageHref(application.id, null) : previous ? pageHref(application.id, previous.id) : `/services/${definition.slug}`,
      helpHref: `/services/${definition.slug}/help`,
    })
  }

  app.get<{ Params: Params; Querystring: { return?: string } }>('/applications/:id/pages/:pageId', allow('applications.own'), async (request, reply) =>
    orToApplication(reply, request.params.id, async () => {
      const view = await applications.page(account(request), request.params.id, request.params.pageId)
      if (!view.page) return reply.redirect(pageHref(request.params.id, view.redirect), 303)
      return renderPage(request, reply, { ...view, page: view.page }, view.application.answers, {}, request.query.return === 'check')
    }),
  )

  app.post<{ Params: Params }>(
    '/applications/:id/pages/:pageId',
    {
      ...allow('applications.own'),
      // Before the CSRF check, which reads the token from the body.
      preValidation: async (request) => readMultipart(request, deps.maxFileBytes),
    },
    async (request, reply) =>
      orToApplication(reply, request.params.id, async () => {
        const body = fields(request)
        const answers = Object.fromEntries(Object.entries(body).filter(([name]) => !STEERING.includes(name)))
        const returnToCheck = body.returnTo === 'check'
        const saveForLater = body.action === 'save'
        const { id, pageId } = request.params
        const outcome = await applications.savePage(account(request), id, pageId, { fields: answers, files: request.uploadedFiles ?? {}, saveForLater, returnToCheck })
        if ('errors' in outcome) {
          const view = await applications.page(account(request), id, pageId)
          if (!view.page) return reply.redirect(pageHref(id, view.redirect), 303)
          // What the person typed, and the files already kept (a file input cannot be filled back in).
          const files = Object.fromEntries(Object.entries(view.application.answers).filter(([, value]) => value && typeof value === 'object' && 'size' in value))
          reply.code(400)
          return renderPage(request, reply, { ...view, page: view.page }, { ...files, ...answers }, outcome.errors, returnToCheck)
        }
        if (saveForLater) return reply.redirect(`/dashboard?saved=${encodeURIComponent(outcome.application.reference)}`, 303)
        return reply.redirect(pageHref(id, outcome.next, returnToCheck && outcome.next !== null), 303)
      }),
  )

  async function renderCheck(request: FastifyRequest, reply: FastifyReply, id: string, failure?: Incomplete) {
    const { application, definition } = await applications.draft(account(request), id)
    const language = request.language()
    const answers = application.answers as Answers
    const texts = failure ? messages(request, definition, failure.fields) : {}
    const questionIds = new Set(definition.pages.flatMap((page) => page.questions.map((question) => question.id)))
    const errorList = Object.entries(texts).map(([field, message]) => ({ text: message.text, href: `#${field}` }))
    return reply.page('applications/views/check.njk', {
      pageTitle: failure ? request.t('applications.errorTitle', { title: request.t('applications.check.title') }) : request.t('applications.check.title'),
      application,
      service: definition.name[language],
      forWhom: application.party_kind === 'self' ? undefined : application.party_name,
      sections: answerSections(definition, answers, application.id, language, request.t, Object.fromEntries(Object.entries(texts).filter(([field]) => questionIds.has(field)))),
      unanswered: failure ? undefined : nextUnansweredPage(definition, answers),
      fees: feeRows(applications.deps.catalogue.feesFor(definition, validateApplication(definition, answers).answers), language, request.t),
      payBefore: definition.fees.payment === 'before-submission',
      appointment: await appointmentView(deps.bookings, application, definition, language, request.t),
      backHref: pageHref(application.id, visiblePages(definition, answers).at(-1)?.id),
      errorList,
      declarationError: texts.declaration,
      idempotencyKey: randomUUID(),
    })
  }

  app.get<{ Params: { id: string } }>('/applications/:id/check', allow('applications.own'), async (request, reply) =>
    orToApplication(reply, request.params.id, () => renderCheck(request, reply, request.params.id)),
  )

  app.post<{ Params: { id: string } }>('/applications/:id/submit', allow('applications.own', { stopsInMaintenance: true as const, interrupts: { component: 'portal', work: 'submission' as const, resumeAt: '/applications/:id' } }), async (request, reply) => {
    const body = fields(request)
    // The check-answers form sends these and nothing else: an answer here would bypass the pages' checks.
    const extra = Object.keys(body).find((name) => !['_csrf', 'idempotencyKey', 'declaration'].includes(name))
    if (extra) throw new TamperedForm(extra.slice(0, 60), 'not a field of the check answers form')
    const { id } = request.params
    try {
      await applications.submit(account(request), id, { key: String(body.idempotencyKey ?? ''), declaration: body.declaration === 'yes' })
    } catch (error) {
      if (!(error instanceof Incomplete)) throw error
      reply.code(400)
      return orToApplication(reply, id, () => renderCheck(request, reply, id, error))
    }
    return reply.redirect(`/applications/${id}`, 303)
  })
}
