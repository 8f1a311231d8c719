import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import type { BusinessLinkService } from './businesses.js'
import { fullName, type PartiesService } from './parties.js'
import type { ProfileService } from './profile.js'
import { field, titleOf } from './profile-routes.js'
import { longDate } from '../../platform/i18n/dates.js'

/** A register date ('YYYY-MM-DD') as people read it. */
const formatDate = longDate

/** The children and businesses a person can act for. */
export function relationshipsRoutes(
  app: FastifyInstance,
  deps: { profile: ProfileService; parties: PartiesService; businessLinks: BusinessLinkService },
): void {
  const { profile, parties, businessLinks } = deps

  /** Only citizens and residents are in the population register, by their ID number. */
  const eligible = async (request: FastifyRequest) => {
    const account = await profile.account(request.session!.accountId)
    return (account.kind === 'citizen' || account.kind === 'resident') && Boolean(account.id_number)
  }

  app.get('/account/dependants', allow('account.own'), async (request, reply) => {
    const children = await parties.dependants(request.session!.accountId)
    return reply.page('accounts/views/dependants.njk', {
      pageTitle: request.t('dependants.title'),
      eligible: await eligible(request),
      children: children.map((child) => ({
        name: fullName(child),
        dateOfBirth: formatDate(child.dateOfBirth, request.language()),
        birthCertificateNumber: child.birthCertificateNumber ?? '—',
      })),
    })
  })

  const businessesPage = async (request: FastifyRequest, reply: FastifyReply, extra: { registrationNumber?: string; error?: Invalid; justLinked?: unknown; unlinked?: boolean } = {}) => {
    const businesses = await businessLinks.list(request.session!.accountId)
    // The banner names a business from the person's own list, never text taken from the address bar.
    const linked = businesses.find((b) => b.registrationNumber === extra.justLinked)
    const notice = linked ? request.t('businesses.linked', { name: linked.name ?? linked.registrationNumber }) : extra.unlinked ? request.t('businesses.unlinked') : undefined
    return reply.page('accounts/views/businesses.njk', {
      pageTitle: titleOf(request, 'businesses.title', extra.error),
      eligible: await eligible(request),
      businesses,
      registrationNumber: extra.registrationNumber ?? '',
      notice,
      errors: extra.error && errorSummary(extra.error, request.t),
    })
  }

  app.get('/account/businesses', allow('account.own'), async (request, reply) => {
    const query = request.query as Record<string, unknown>
    return businessesPage(request, reply, { justLinked: query.linked, unlinked: query.unlinked === '1' })
  })

  app.post('/account/businesses', allow('account.own', { rateLimit: { max: 30, timeWindow: '10 minutes' } }), async (request, reply) => {
    const typed = field(request.body, 'registrationNumber')
    try {
      const number = await businessLinks.link(request.session!.accountId, typed, requestContext(request))
      return reply.redirect(`/account/businesses?linked=${encodeURIComponent(number)}`, 303)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return businessesPage(request, reply, { registrationNumber: typed, error })
    }
  })

  app.post('/account/businesses/unlink', allow('account.own'), async (request, reply) => {
    await businessLinks.unlink(request.session!.accountId, field(request.body, 'registrationNumber'), requestContext(request))
    return reply.redirect('/account/businesses?unlinked=1', 303)
  })
}
