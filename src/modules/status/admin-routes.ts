import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { IMPACTS, INCIDENT_STATUSES, isActive, type Component } from './model.js'
import { componentName } from './names.js'
import {
  LIMITS,
  readIncidentForm,
  readMaintenanceForm,
  readUpdateForm,
  type Actor,
  type IncidentForm,
  type MaintenanceForm,
  type StatusService,
  type UpdateForm,
} from './service.js'
import { loadStatusData } from './store.js'

const actorOf = (request: FastifyRequest): Actor => ({ accountId: request.session!.accountId, role: request.session!.role })

/** Incidents and maintenance for platform administrators. Reads the database directly, never the board. */
export function statusAdminRoutes(app: FastifyInstance, deps: { db: Db; service: StatusService }): void {
  const { service } = deps
  const texts = new Translator(loadMessages())
  const access = allow('platform.admin')
  const choices = (request: FastifyRequest, components: Component[]) =>
    components.map((c) => ({ value: c.id, text: componentName(components, c.id, request.language(), request.t) }))

  app.get('/admin/status', access, async (request, reply) => {
    const [data, drafts] = await Promise.all([loadStatusData(deps.db), service.drafts()])
    const now = new Date()
    const lang = request.language()
    const name = (id: string) => componentName(data.components, id, lang, request.t)
    return reply.page('status/views/admin-list.njk', {
      pageTitle: request.t('statusPage.admin.title'),
      // The first update of a draft is what the probes measured.
      drafts: drafts.map((i) => ({ id: i.id, title: i.title[lang], startedAt: i.startedAt, measured: i.updates.at(-1)?.message[lang] ?? '' })),
      detected: (data.detected ?? []).map((d) => ({ component: name(d.component), since: d.since, reason: d.reason[lang] })),
      incidents: data.incidents.map((i) => ({ id: i.id, title: i.title[request.language()], impact: i.impact, status: i.status, startedAt: i.startedAt, affected: i.components.map(name).join(', ') })),
      maintenance: data.maintenance
        .filter((m) => m.endsAt > now)
        .map((m) => ({ id: m.id, message: m.message[request.language()], startsAt: m.startsAt, endsAt: m.endsAt, active: isActive(m, now), affected: m.components.map(name).join(', ') })),
    })
  })

  const incidentForm = async (request: FastifyRequest, reply: FastifyReply, form: IncidentForm, error?: Invalid) =>
    reply.page('status/views/incident-form.njk', {
      pageTitle: titled(request, 'statusPage.admin.openTitle', error),
      form,
      components: choices(request, await service.components()),
      impacts: IMPACTS,
      limits: LIMITS,
      errors: error && errorSummary(error, request.t),
    })

  app.get('/admin/status/incidents/new', access, async (request, reply) =>
    incidentForm(request, reply, { components: [], impact: '', titleEn: '', titleSw: '', messageEn: '', messageSw: '' }),
  )

  // POST → validate → re-render with the errors at their fields and everything typed, or redirect → GET.
  app.post('/admin/status/incidents', access, async (request, reply) => {
    const form = readIncidentForm(request.body)
    try {
      const id = await service.openIncident(form, actorOf(request), requestContext(request))
      return reply.redirect(`/admin/status/incidents/${id}`, 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return incidentForm(request, reply, form, error)
    }
  })

  const incidentPage = async (request: FastifyRequest, reply: FastifyReply, id: string, form?: UpdateForm, error?: Invalid) => {
    const incident = await service.findIncident(id)
    if (!incident) throw new NotFound('no such incident')
    const components = await service.components()
    const lang = request.language()
    return reply.page('status/views/incident.njk', {
      pageTitle: titled(request, 'statusPage.admin.incidentTitle', error),
      incident: { ...incident, titleText: incident.title[lang], affected: incident.components.map((c) => componentName(components, c, lang, request.t)).join(', ') },
      form: form ?? { status: incident.status, messageEn: '', messageSw: '' },
      statuses: INCIDENT_STATUSES,
      limits: LIMITS,
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get('/admin/status/incidents/:id', access, async (request, reply) => incidentPage(request, reply, (request.params as { id: string }).id))

  app.post('/admin/status/incidents/:id', access, async (request, reply) => {
    const { id } = request.params as { id: string }
    const form = readUpdateForm(request.body)
    try {
      await service.postUpdate(id, form, actorOf(request), requestContext(request))
      return reply.redirect(`/admin/status/incidents/${id}`, 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return incidentPage(request, reply, id, form, error)
    }
  })

  // Drafts from automatic detection: published to the page as they are, or discarded as a false alarm.
  const discarded = { en: texts.for('en')('statusDetection.discarded'), sw: texts.for('sw')('statusDetection.discarded') }
  app.post('/admin/status/incidents/:id/publish', access, async (request, reply) => {
    const { id } = request.params as { id: string }
    await service.publishDraft(id, actorOf(request), requestContext(request))
    return reply.redirect(`/admin/status/incidents/${id}`, 303)
  })

  app.post('/admin/status/incidents/:id/discard', access, async (request, reply) => {
    await service.discardDraft((request.params as { id: string }).id, actorOf(request), requestContext(request), discarded)
    return reply.redirect('/admin/status', 303)
  })

  const maintenanceForm = async (request: FastifyRequest, reply: FastifyReply, form: MaintenanceForm, error?: Invalid) =>
    reply.page('status/views/maintenance-form.njk', {
      pageTitle: titled(request, 'statusPage.admin.maintenanceTitle', error),
      form,
      components: choices(request, await service.components()),
      limits: LIMITS,
      errors: error && errorSummary(error, request.t),
    })

  app.get('/admin/status/maintenance/new', access, async (request, reply) =>
    maintenanceForm(request, reply, { components: [], startsAt: '', endsAt: '', messageEn: '', messageSw: '' }),
  )

  app.post('/admin/status/maintenance', access, async (request, reply) => {
    const form = readMaintenanceForm(request.body)
    try {
      await service.scheduleMaintenance(form, actorOf(request), requestContext(request))
      return reply.redirect('/admin/status', 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return maintenanceForm(request, reply, form, error)
    }
  })

  app.post('/admin/status/maintenance/:id/cancel', access, async (request, reply) => {
    await service.cancelMaintenance((request.params as { id: string }).id, actorOf(request), requestContext(request))
    return reply.redirect('/admin/status', 303)
  })
}

/** "Error: " before the title when the page shows errors, as screen-reader users expect. */
function titled(request: FastifyRequest, key: string, error: Invalid | undefined): string {
  return error ? request.t('statusPage.admin.errorTitle', { title: request.t(key) }) : request.t(key)
}
