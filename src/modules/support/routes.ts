import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow, roleMay } from '../../platform/access/access.js'
import { Invalid } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { sendStoredFile } from '../uploads/file-names.js'
import { fileIn, uploadForms } from '../uploads/multipart.js'
import { megabytes } from '../uploads/service.js'
import { messagesView, ticketView } from './present.js'
import { ATTACHMENT_LIMITS, LIMITS, readMessage, readTicketForm, type SupportService, type TicketForm } from './service.js'
import { TOPICS } from './tables.js'
import type { AttachmentRow } from './store.js'

type Ref = { Params: { reference: string } }

/** "Error: " before the title when the page shows errors, as screen-reader users expect. */
export function titled(request: FastifyRequest, key: string, error?: Invalid): string {
  return error ? request.t('support.errorTitle', { title: request.t(key) }) : request.t(key)
}

/** Sends a conversation's file as the uploads module sends an application's. */
export function sendAttachment(reply: FastifyReply, file: AttachmentRow, stream: NodeJS.ReadableStream) {
  return sendStoredFile(reply, { mediaType: file.media_type, size: file.size_bytes, safeName: file.safe_name, originalName: file.original_name }, stream)
}

/** The contact page and a person's own tickets. */
export function supportRoutes(app: FastifyInstance, deps: { support: SupportService }): void {
  const { support } = deps
  const access = allow('account.own')
  const fileLimit = megabytes(ATTACHMENT_LIMITS.maxBytes)

  app.get('/support', allow('public'), async (request, reply) => {
    const session = request.session
    const signedIn = session?.stage === 'signed-in' && roleMay(session.role, 'account.own')
    const tickets = signedIn ? await support.ticketsOf(session.accountId) : []
    return reply.page('support/views/contact.njk', {
      pageTitle: request.t('support.contact.title'),
      signedIn,
      tickets: tickets.map((ticket) => ({ reference: ticket.reference, topic: request.t(`support.topics.${ticket.topic}`), status: request.t(`support.statuses.${ticket.status}`), createdAt: ticket.created_at })),
    })
  })

  const newTicketPage = async (request: FastifyRequest, reply: FastifyReply, form: TicketForm, error?: Invalid) => {
    const records = await support.recordsOf(request.session!.accountId)
    return reply.page('support/views/new-ticket.njk', {
      pageTitle: titled(request, 'support.new.title', error),
      form,
      topics: TOPICS.map((topic) => ({ value: topic, text: request.t(`support.topics.${topic}`), checked: form.topic === topic })),
      about: [
        { value: '', text: request.t('support.new.aboutNothing') },
        ...records.applications.map((a) => ({ value: `application:${a.reference}`, text: request.t('support.new.aboutApplication', { reference: a.reference }) })),
        ...records.invoices.map((i) => ({ value: `invoice:${i.bill_reference}`, text: request.t('support.new.aboutBill', { bill: i.bill_reference }) })),
      ].map((option) => ({ ...option, selected: option.value === form.about })),
      limits: LIMITS,
      fileLimit,
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get('/support/tickets/new', access, async (request, reply) => {
    const topic = String((request.query as Record<string, unknown>).topic ?? '')
    const about = String((request.query as Record<string, unknown>).about ?? '').slice(0, 80)
    return newTicketPage(request, reply, { topic: (TOPICS as readonly string[]).includes(topic) ? topic : '', about, message: '', idempotencyKey: randomUUID() })
  })

  const ticketPage = async (request: FastifyRequest<Ref>, reply: FastifyReply, typed = '', error?: Invalid) => {
    const ticket = await support.ownTicket(request.session!.accountId, request.params.reference)
    const { messages, about } = await support.conversation(ticket)
    return reply.page('support/views/ticket.njk', {
      pageTitle: titled(request, 'support.ticket.title', error),
      ticket: ticketView(request, ticket, about),
      messages: messagesView(request, messages, 'person', (id) => `/support/tickets/${ticket.reference}/attachments/${id}`),
      message: typed,
      limits: LIMITS,
      fileLimit,
      errors: error && errorSummary(error, request.t),
    })
  }

  app.get<Ref>('/support/tickets/:reference', access, async (request, reply) => ticketPage(request, reply))

  app.get<{ Params: { reference: string; id: string } }>('/support/tickets/:reference/attachments/:id', access, async (request, reply) => {
    const ticket = await support.ownTicket(request.session!.accountId, request.params.reference)
    const { file, stream } = await support.attachment(ticket, request.params.id)
    return sendAttachment(reply, file, stream)
  })

  // Both forms may carry one file: they take multipart bodies, in a scope of their own.
  uploadForms(app, { maxBytes: ATTACHMENT_LIMITS.maxBytes }, (scope) => {
    // POST → validate → re-render with the errors at their fields and everything typed, or redirect → GET.
    scope.post('/support/tickets/new', access, async (request, reply) => {
      const form = readTicketForm(request.body)
      try {
        const reference = await support.openTicket(request.session!.accountId, form, fileIn(request.body, 'attachment'), request.log)
        return reply.redirect(`/support/tickets/${reference}`, 303)
      } catch (error) {
        if (!(error instanceof Invalid)) throw error
        reply.code(400)
        return newTicketPage(request, reply, form, error)
      }
    })

    scope.post<Ref>('/support/tickets/:reference/reply', access, async (request, reply) => {
      const message = readMessage(request.body)
      let reference: string
      try {
        reference = await support.personReply(request.session!.accountId, request.params.reference, message, fileIn(request.body, 'attachment'))
      } catch (error) {
        if (!(error instanceof Invalid)) throw error
        reply.code(400)
        return ticketPage(request, reply, message, error)
      }
      return reply.redirect(`/support/tickets/${reference}#latest`, 303)
    })
  })
}
