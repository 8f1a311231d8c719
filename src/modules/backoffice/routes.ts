import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Conflict, Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { formatDateTime } from '../../platform/views/views.js'
import { agencyName } from '../applications/store.js'
import { caseView, type ActionInput } from './case-view.js'
import { decide, documentField, type DecisionForm } from './decisions.js'
import { ActionRefused, CaseChanged } from './errors.js'
import { agencyStages, queuePage, readFilter } from './queue.js'
import { caseHref, queueView } from './queue-view.js'
import { staffOf, type BackofficeService, type Staff } from './service.js'

type Params = { Params: { reference: string } }
type Body = Record<string, unknown>

const text = (body: Body, name: string, max = 4000) => (typeof body[name] === 'string' ? (body[name] as string).slice(0, max) : '')

/** What an action form sent: the document's officer fields are the `document-<id>` inputs. */
function readDecision(body: Body): DecisionForm {
  const documentFields: Record<string, string> = {}
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith(documentField('')) && typeof value === 'string') documentFields[name.slice(documentField('').length)] = value.slice(0, 400)
  }
  return { to: text(body, 'to', 100), version: text(body, 'version', 40), note: text(body, 'note'), documentFields }
}

const DONE = new Set(['decided', 'claimed', 'assigned', 'noted'])

/**
 * The back-office's pages: the queue, a case, and what staff do to it (decide, claim, assign, note).
 * Every route names its permission; every record is the staff member's own agency's (the service
 * answers NotFound otherwise). Refusals are pages that say what happened, with the right status.
 */
export function backofficeRoutes(app: FastifyInstance, deps: { backoffice: BackofficeService }): void {
  const { backoffice } = deps
  const { catalogue, db } = backoffice.deps

  const agencyOf = async (request: FastifyRequest, staff: Staff) => (await agencyName(db, staff.agencyCode))[request.language()]

  app.get('/backoffice', allow('backoffice.queue'), async (request, reply) => {
    const staff = staffOf(request.session!)
    const filter = readFilter(request.query as Record<string, unknown>, agencyStages(catalogue, staff.agencyCode))
    const page = await queuePage(backoffice, staff, filter)
    return reply.page('backoffice/views/queue.njk', {
      pageTitle: request.t('backoffice.queue.title'),
      agency: await agencyOf(request, staff),
      ...queueView(catalogue, staff, filter, page, backoffice.today(), request.language(), request.t),
    })
  })

  /** The case page, as read now; after a refused form, with what was typed and the errors at their fields. */
  async function renderCase(request: FastifyRequest<Params>, reply: FastifyReply, options: { input?: ActionInput; error?: Invalid; noteBody?: string } = {}) {
    const staff = staffOf(request.session!)
    const data = await backoffice.openCase(staff, request.params.reference, requestContext(request))
    const language = request.language()
    let errors
    if (options.error) {
      // A document field's message names the field, in the officer's language.
      const labels = new Map(data.definition.issuedDocument.fields.map((field) => [documentField(field.id), field.label[language]]))
      const fields = Object.fromEntries(Object.entries(options.error.fields).map(([name, error]) => [name, labels.has(name) ? { ...error, params: { ...error.params, label: labels.get(name)! } } : error]))
      errors = errorSummary(new Invalid(fields), request.t)
      reply.code(400)
    }
    const view = caseView(data, staff, { catalogue, language, t: request.t, today: backoffice.today(), agency: await agencyOf(request, staff) }, options.input, errors)
    const done = (request.query as Record<string, unknown>).done
    return reply.page('backoffice/views/case.njk', {
      ...view,
      pageTitle: errors ? request.t('backoffice.errors.pageTitle', { title: view.pageTitle }) : view.pageTitle,
      noteBody: options.noteBody,
      done: typeof done === 'string' && DONE.has(done) ? request.t(`backoffice.done.${done}`) : undefined,
    })
  }

  /** 403 or 409 with what the officer can act on: why nothing changed, and the way back to the case. */
  async function refused(request: FastifyRequest<Params>, reply: FastifyReply, error: ActionRefused | CaseChanged | Conflict) {
    const language = request.language()
    const t = request.t
    let message: string
    if (error instanceof ActionRefused) {
      const params = Object.fromEntries(Object.entries(error.params).map(([key, value]) => [key, typeof value === 'string' ? value : value[language]]))
      message = t(`backoffice.refused.${error.reason}`, params)
    } else {
      const happened = error instanceof CaseChanged ? error.happened : undefined
      const who = !happened ? '' : happened.actorKind === 'agency' ? `${happened.actorName ?? ''} (${t(`backoffice.roles.${happened.actorRole}`)})` : t(`backoffice.case.actors.${happened.actorKind}`)
      message = happened
        ? t('backoffice.changed.body', { who, what: t(`backoffice.changed.events.${happened.eventType}`), stage: happened.stage?.[language] ?? '', at: formatDateTime(happened.at, language) })
        : t('backoffice.changed.unknown')
    }
    reply.code(error.status)
    return reply.page('backoffice/views/refused.njk', {
      pageTitle: t(error instanceof ActionRefused ? 'backoffice.refused.title' : 'backoffice.changed.title'),
      heading: t(error instanceof ActionRefused ? 'backoffice.refused.title' : 'backoffice.changed.title'),
      message,
      back: caseHref(backoffice.reference(request.params.reference)),
    })
  }

  app.get<Params>('/backoffice/applications/:reference', allow('backoffice.queue'), async (request, reply) => renderCase(request, reply))

  app.post<Params>('/backoffice/applications/:reference/decide', allow('backoffice.decide'), async (request, reply) => {
    const form = readDecision((request.body ?? {}) as Body)
    try {
      await decide(backoffice, staffOf(request.session!), request.params.reference, form, requestContext(request))
    } catch (error) {
      if (error instanceof Invalid) return renderCase(request, reply, { input: form, error })
      if (error instanceof ActionRefused || error instanceof CaseChanged || error instanceof Conflict) return refused(request, reply, error)
      throw error
    }
    return reply.redirect(`${caseHref(backoffice.reference(request.params.reference))}?done=decided`, 303)
  })

  app.post<Params>('/backoffice/applications/:reference/claim', allow('backoffice.decide'), async (request, reply) => {
    try {
      await backoffice.claim(staffOf(request.session!), request.params.reference, requestContext(request))
    } catch (error) {
      if (error instanceof ActionRefused) return refused(request, reply, error)
      throw error
    }
    // Back to the queue page the claim came from (only ever a back-office address), else to the case.
    const back = text((request.body ?? {}) as Body, 'return', 2000)
    const safe = /^\/backoffice(\?[^\s]*)?$/.test(back)
    return reply.redirect(safe ? back : `${caseHref(backoffice.reference(request.params.reference))}?done=claimed`, 303)
  })

  app.post<Params>('/backoffice/applications/:reference/assign', allow('backoffice.supervise'), async (request, reply) => {
    try {
      await backoffice.assign(staffOf(request.session!), request.params.reference, text((request.body ?? {}) as Body, 'assignee', 100), requestContext(request))
    } catch (error) {
      if (error instanceof Invalid) return renderCase(request, reply, { error })
      if (error instanceof ActionRefused) return refused(request, reply, error)
      throw error
    }
    return reply.redirect(`${caseHref(backoffice.reference(request.params.reference))}?done=assigned`, 303)
  })

  app.post<Params>('/backoffice/applications/:reference/notes', allow('backoffice.queue'), async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const noteBody = text(body, 'noteBody', 4000)
    try {
      await backoffice.addNote(staffOf(request.session!), request.params.reference, { body: noteBody, key: text(body, 'key', 100) }, requestContext(request))
    } catch (error) {
      if (error instanceof Invalid) return renderCase(request, reply, { error, noteBody })
      throw error
    }
    return reply.redirect(`${caseHref(backoffice.reference(request.params.reference))}?done=noted#notes`, 303)
  })
}
