import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import type { InvitationService } from './invitations.js'
import { AGENCY_ROLES } from './store.js'
import type { AdminActor, StaffAdminService } from './staff.js'

export const ADMIN_PATH = '/backoffice/admin'

/** The signed-in admin and the agency every record they touch must belong to. */
export function actorOf(request: FastifyRequest): AdminActor {
  const session = request.session!
  // The database ties every agency admin to an agency; a signed-in admin without one has nothing to see.
  if (!session.agencyCode) throw new NotFound('no agency')
  return { accountId: session.accountId, role: session.role, agency: session.agencyCode }
}

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value.slice(0, 400) : ''
}

type MemberRequest = FastifyRequest<{ Params: { accountId: string }; Querystring: { done?: string } }>

const DONE = new Set(['role', 'deactivated', 'reactivated'])

/** The admin area's staff pages: who works for the agency, invitations, roles, switching accounts off and on. */
export function staffRoutes(app: FastifyInstance, deps: { staff: StaffAdminService; invitations: InvitationService }): void {
  const { staff, invitations } = deps
  const roleItems = (request: FastifyRequest, selected?: string) =>
    AGENCY_ROLES.map((role) => ({ value: role, text: request.t(`agencyAdmin.roles.${role}`), checked: role === selected }))

  app.get(ADMIN_PATH, allow('agency.admin'), async (request, reply) => {
    actorOf(request)
    return reply.page('agency-admin/views/home.njk', { pageTitle: request.t('agencyAdmin.home.title'), current: 'home' })
  })

  app.get<{ Querystring: { done?: string } }>(`${ADMIN_PATH}/staff`, allow('agency.admin'), async (request, reply) => {
    const actor = actorOf(request)
    const { staff: members, invitations: open } = await staff.overview(actor)
    const now = Date.now()
    return reply.page('agency-admin/views/staff.njk', {
      pageTitle: request.t('agencyAdmin.staff.title'),
      current: 'staff',
      members: members.map((member) => ({ ...member, roleText: request.t(`agencyAdmin.roles.${member.role}`), self: member.id === actor.accountId })),
      invitations: open.map((invitation) => ({ ...invitation, roleText: request.t(`agencyAdmin.roles.${invitation.role}`), expired: invitation.expires_at.getTime() <= now })),
      done: ['invited', 'cancelled'].includes(request.query.done ?? '') ? request.query.done : undefined,
    })
  })

  const invitePage = (request: FastifyRequest, reply: FastifyReply, form: { email: string; role: string }, error?: Invalid) =>
    reply.page('agency-admin/views/invite.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title: request.t('agencyAdmin.invite.title') }) : request.t('agencyAdmin.invite.title'),
      current: 'staff',
      form,
      roles: roleItems(request, form.role),
      errors: error && errorSummary(error, request.t),
    })

  app.get(`${ADMIN_PATH}/staff/invite`, allow('agency.admin'), async (request, reply) => {
    actorOf(request)
    return invitePage(request, reply, { email: '', role: 'agency_officer' })
  })

  app.post(`${ADMIN_PATH}/staff/invite`, allow('agency.admin'), async (request, reply) => {
    const actor = actorOf(request)
    const form = { email: field(request.body, 'email'), role: field(request.body, 'role') }
    try {
      await invitations.invite(actor, form, request.language(), requestContext(request))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return invitePage(request, reply, form, error)
    }
    return reply.redirect(`${ADMIN_PATH}/staff?done=invited`, 303)
  })

  app.post<{ Params: { invitationId: string } }>(`${ADMIN_PATH}/invitations/:invitationId/cancel`, allow('agency.admin'), async (request, reply) => {
    await invitations.cancel(actorOf(request), request.params.invitationId, requestContext(request))
    return reply.redirect(`${ADMIN_PATH}/staff?done=cancelled`, 303)
  })

  const memberPage = async (request: MemberRequest, reply: FastifyReply, error?: Invalid, chosenRole?: string) => {
    const actor = actorOf(request)
    const member = await staff.member(actor, request.params.accountId)
    const name = `${member.first_name} ${member.last_name}`
    return reply.page('agency-admin/views/member.njk', {
      pageTitle: error ? request.t('feedback.errorTitle', { title: name }) : name,
      current: 'staff',
      member: { ...member, name, roleText: request.t(`agencyAdmin.roles.${member.role}`), self: member.id === actor.accountId },
      roles: roleItems(request, chosenRole ?? member.role),
      action: `${ADMIN_PATH}/staff/${member.id}`,
      done: DONE.has(request.query.done ?? '') ? request.query.done : undefined,
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get<{ Params: { accountId: string }; Querystring: { done?: string } }>(`${ADMIN_PATH}/staff/:accountId`, allow('agency.admin'), async (request, reply) =>
    memberPage(request, reply),
  )

  /** A change to one member: done → back to their page with a banner; refused → their page with the reason. */
  const change = (path: string, run: (request: MemberRequest, actor: AdminActor) => Promise<void>, done: string) => {
    app.post<{ Params: { accountId: string }; Querystring: { done?: string } }>(`${ADMIN_PATH}/staff/:accountId/${path}`, allow('agency.admin'), async (request, reply) => {
      try {
        await run(request, actorOf(request))
      } catch (error) {
        if (!(error instanceof Invalid)) throw error
        reply.code(400)
        return memberPage(request, reply, error, field(request.body, 'role') || undefined)
      }
      return reply.redirect(`${ADMIN_PATH}/staff/${request.params.accountId}?done=${done}`, 303)
    })
  }
  change('role', (request, actor) => staff.changeRole(actor, request.params.accountId, field(request.body, 'role'), requestContext(request)), 'role')
  change('deactivate', (request, actor) => staff.setActive(actor, request.params.accountId, false, requestContext(request)), 'deactivated')
  change('reactivate', (request, actor) => staff.setActive(actor, request.params.accountId, true, requestContext(request)), 'reactivated')
}
