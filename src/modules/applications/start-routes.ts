import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { Invalid } from '../../platform/http/errors.js'
import type { PartyOption } from '../accounts/parties.js'
import type { ServiceDefinition } from '../services/definition.js'
import { NotEligible, type ApplicationsService } from './service.js'

type Params = { slug: string }

/** Starting an application: whom it is for (when there is a choice), then a new draft at its first page. */
export function startRoutes(app: FastifyInstance, deps: { applications: ApplicationsService }): void {
  const { applications } = deps

  function choosePage(request: FastifyRequest, reply: FastifyReply, definition: ServiceDefinition, options: PartyOption[], error?: boolean) {
    const language = request.language()
    const title = request.t('applications.start.whoFor')
    return reply.page('applications/views/who-for.njk', {
      pageTitle: error ? request.t('applications.errorTitle', { title }) : title,
      service: definition.name[language],
      slug: definition.slug,
      options: options.map((option) => ({
        value: option.value,
        text: option.party.kind === 'self' ? request.t('applications.party.selfNamed', { name: option.name }) : option.name,
        hint: { text: request.t(`applications.partyHint.${option.party.kind}`) },
      })),
      canBusiness: definition.applicants.for.includes('business'),
      canDependant: definition.applicants.for.includes('dependant'),
      error: error ? { text: request.t('applications.errors.party') } : undefined,
      startKey: randomUUID(),
    })
  }

  function notEligible(request: FastifyRequest, reply: FastifyReply, error: NotEligible) {
    const language = request.language()
    reply.code(403)
    return reply.page('applications/views/not-eligible.njk', {
      pageTitle: request.t('applications.notEligible.title'),
      service: error.definition.name[language],
      kinds: error.definition.applicants.accountKinds.map((kind) => request.t(`applications.accountKinds.${kind}`)),
      yourKind: request.t(`applications.accountKinds.${error.accountKind}`),
    })
  }

  /** Refusals that have their own page rather than the generic error page. */
  async function handled(request: FastifyRequest, reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof NotEligible) return notEligible(request, reply, error)
      throw error
    }
  }

  // A link can lead here too (after signing in, say): the same choice, with a Start button.
  app.get<{ Params: Params }>('/services/:slug/start', allow('applications.own'), async (request, reply) =>
    handled(request, reply, async () => {
      const { definition, options } = await applications.eligibility(request.session!.accountId, request.params.slug)
      return choosePage(request, reply, definition, options)
    }),
  )

  app.post<{ Params: Params }>('/services/:slug/start', allow('applications.own'), async (request, reply) =>
    handled(request, reply, async () => {
      const body = (request.body ?? {}) as Record<string, unknown>
      const form = {
        party: typeof body.party === 'string' ? body.party : undefined,
        startKey: typeof body.startKey === 'string' ? body.startKey : undefined,
      }
      try {
        const result = await applications.start(request.session!.accountId, request.params.slug, form)
        if ('choose' in result) return choosePage(request, reply, result.definition, result.choose)
        const application = result.application
        return reply.redirect(application.current_page ? `/applications/${application.id}/pages/${application.current_page}` : `/applications/${application.id}/check`, 303)
      } catch (error) {
        if (!(error instanceof Invalid)) throw error
        const { definition, options } = await applications.eligibility(request.session!.accountId, request.params.slug)
        reply.code(400)
        return choosePage(request, reply, definition, options, true)
      }
    }),
  )
}
