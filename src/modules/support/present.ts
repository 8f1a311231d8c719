import type { FastifyRequest } from 'fastify'
import { formatMoney } from '../services/fees.js'
import type { Currency } from '../services/definition.js'
import type { AttachmentRow, MessageRow, TicketRow } from './store.js'

/** What the ticket and console pages show of a ticket, in the reader's language. */
export function ticketView(request: FastifyRequest, ticket: TicketRow, about: { application?: string; bill?: string }, now = new Date()) {
  return {
    reference: ticket.reference,
    topic: request.t(`support.topics.${ticket.topic}`),
    about: about.application ? request.t('support.new.aboutApplication', { reference: about.application }) : about.bill ? request.t('support.new.aboutBill', { bill: about.bill }) : undefined,
    open: ticket.status === 'open',
    status: request.t(`support.statuses.${ticket.status}`),
    createdAt: ticket.created_at,
    dueAt: ticket.first_response_due_at,
    respondedAt: ticket.first_responded_at,
    overdue: isOverdue(ticket, now),
  }
}

/** No first answer yet and its time has passed. */
export function isOverdue(ticket: Pick<TicketRow, 'first_responded_at' | 'first_response_due_at'>, now = new Date()): boolean {
  return ticket.first_responded_at === null && ticket.first_response_due_at.getTime() < now.getTime()
}

/**
 * The conversation. The portal's own messages (the payment check) are stored as a notice and its
 * figures, and written out here in the reader's language; `viewer` names whose words are "you".
 */
export function messagesView(request: FastifyRequest, messages: (MessageRow & { attachments: AttachmentRow[] })[], viewer: 'person' | 'agent', fileHref: (id: string) => string) {
  const language = request.language()
  return messages.map((message) => {
    const params = message.notice_params
    const money = (cents: unknown) => formatMoney(Number(cents ?? 0), String(params.currency ?? 'KES') as Currency, language)
    return {
      author: request.t(`support.authors.${message.author === viewer ? 'you' : message.author}`),
      system: message.author === 'system',
      at: message.created_at,
      body: message.notice
        ? request.t(`support.notices.${message.notice}`, { bill: String(params.bill ?? ''), amount: money(params.amountCents), balance: money(params.balanceCents), shortcode: String(params.shortcode ?? '') })
        : message.body,
      stillToPay: message.notice === 'payment-received' && Number(params.balanceCents) > 0 ? request.t('support.notices.stillToPay', { balance: money(params.balanceCents) }) : undefined,
      attachments: message.attachments.map((file) => ({ name: file.original_name, href: fileHref(file.id), size: `${Math.max(1, Math.round(file.size_bytes / 1024))} KB` })),
    }
  })
}
