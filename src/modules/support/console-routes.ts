import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { formatMoney } from '../services/fees.js'
import type { Currency } from '../services/definition.js'
import { isOverdue, messagesView, ticketView } from './present.js'
import { sendAttachment, titled } from './routes.js'
import { LIMITS, readMessage, type Actor, type SupportService } from './service.js'

type Ref = { Params: { reference: string } }

const actorOf = (request: FastifyRequest): Actor => ({ accountId: request.session!.accountId, role: request.session!.role })

/** The support console: open tickets by first-response due time, looking people up, replying and closing. */
export function supportConsoleRoutes(app: FastifyInstance, deps: { support: SupportService }): void {
  const { support } = deps
  const access = allow('support.cases')

  app.get<{ Querystring: { q?: string } }>('/support/console', access, async (request, reply) => {
    const query = typeof request.query.q === 'string' ? request.query.q.slice(0, 100) : ''
    const language = request.language()
    const money = (cents: string | number, currency: string) => formatMoney(Number(cents), currency as Currency, language)
    const people = query.trim() ? await support.lookUp(actorOf(request), query, requestContext(request)) : undefined
    const now = new Date()
    return reply.page('support/views/console.njk', {
      pageTitle: request.t('support.console.title'),
      query,
      people: people?.map(({ account, applications, invoices, tickets }) => ({
        name: `${account.first_name} ${account.last_name}`,
        idNumber: account.id_number ?? account.passport_number,
        email: account.email,
        phone: account.phone,
        applications: applications.map((a) => ({ reference: a.reference, service: a.service_slug, status: request.t(`applications.status.${a.status}`), createdAt: a.created_at })),
        invoices: invoices.map((i) => ({ bill: i.bill_reference, status: request.t(`payments.status.${i.status}`), total: money(i.total_cents, i.currency), paid: money(i.paid_cents, i.currency) })),
        tickets: tickets.map((t) => ({ reference: t.reference, topic: request.t(`support.topics.${t.topic}`), status: request.t(`support.statuses.${t.status}`) })),
      })),
      tickets: (await support.openTickets()).map((t) => ({
        reference: t.reference,
        name: `${t.first_name} ${t.last_name}`,
        topic: request.t(`support.topics.${t.topic}`),
        createdAt: t.created_at,
        dueAt: t.first_response_due_at,
        answered: t.first_responded_at !== null,
        personReplied: t.first_responded_at !== null && t.last_author === 'person',
        overdue: isOverdue(t, now),
      })),
    })
  })

  const ticketPage = async (request: FastifyRequest<Ref>, reply: FastifyReply, typed = '', error?: Invalid) => {
    const ticket = await support.anyTicket(request.params.reference)
    const { messages, about } = await support.conversation(ticket)
    const row = await support.person(ticket.account_id)
    const person = { name: `${row.first_name} ${row.last_name}`, email: row.email, phone: row.phone, idNumber: row.id_number ?? row.passport_number }
    return reply.page('support/views/console-ticket.njk', {
      pageTitle: titled(request, 'support.console.ticketTitle', error),
      ticket: ticketView(request, ticket, about),
      person,
      messages: messagesView(request, messages, 'agent', (id) => `/support/console/tickets/${ticket.reference}/attachments/${id}`),
      message: typed,
      limits: LIMITS,
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get<Ref>('/support/console/tickets/:reference', access, async (request, reply) => ticketPage(request, reply))

  app.get<{ Params: { reference: string; id: string } }>('/support/console/tickets/:reference/attachments/:id', access, async (request, reply) => {
    const ticket = await support.anyTicket(request.params.reference)
    const { file, stream } = await support.attachment(ticket, request.params.id, { actor: actorOf(request), context: requestContext(request) })
    return sendAttachment(reply, file, stream)
  })

  app.post<Ref>('/support/console/tickets/:reference/reply', access, async (request, reply) => {
    const message = readMessage(request.body)
    const ticket = await support.anyTicket(request.params.reference)
    try {
      await support.agentReply(actorOf(request), ticket.reference, message, requestContext(request))
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return ticketPage(request, reply, message, error)
    }
    return reply.redirect(`/support/console/tickets/${ticket.reference}#latest`, 303)
  })

  app.post<Ref>('/support/console/tickets/:reference/close', access, async (request, reply) => {
    const ticket = await support.anyTicket(request.params.reference)
    await support.close(actorOf(request), ticket.reference, requestContext(request))
    return reply.redirect(`/support/console/tickets/${ticket.reference}`, 303)
  })
}
