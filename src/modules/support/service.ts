import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Conflict, Invalid, NotFound, type FieldError } from '../../platform/http/errors.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import type { Database, Role } from '../../platform/db/schema.js'
import { sendToAccount } from '../notifications/inbox.js'
import { newReference, normaliseReference } from '../services/reference.js'
import { MEDIA_TYPES } from '../services/file-types.js'
import { cleanOriginalName, safeFileName } from '../uploads/file-names.js'
import { checkFile, DEFAULT_MAX_MEGABYTES, type IncomingFile, type UploadLimits } from '../uploads/service.js'
import type { FileStorage } from '../uploads/storage.js'
import { lookUpPeople } from './lookup.js'
import { checkPayment, type PaymentCheckDeps } from './payment-check.js'
import * as store from './store.js'
import { TOPICS, type Author, type Topic } from './tables.js'

export interface Actor {
  accountId: string
  role: Role
}

export interface TicketForm {
  topic: string
  /** `application:<reference>` or `invoice:<bill reference>`, or '' for nothing in particular. */
  about: string
  message: string
  idempotencyKey: string
}

export const LIMITS = { message: 3000 } as const
/** As an application's file question allows by default (the uploads module's checks and sizes). */
export const ATTACHMENT_LIMITS: UploadLimits = { accept: ['pdf', 'jpeg', 'png'], maxBytes: DEFAULT_MAX_MEGABYTES * 1024 * 1024 }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface SupportDeps {
  db: Db
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany'>
  storage: FileStorage
  payments: Omit<PaymentCheckDeps, 'log'>
  publicUrl: string
  firstResponseHours: number
}

const text = (value: unknown) => (typeof value === 'string' ? value.replace(/\r\n/g, '\n').trim() : '')

export function readTicketForm(body: unknown): TicketForm {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  return { topic: text(fields.topic).slice(0, 40), about: text(fields.about).slice(0, 80), message: text(fields.message).slice(0, 20_000), idempotencyKey: text(fields.idempotencyKey).slice(0, 40) }
}

export function readMessage(body: unknown): string {
  return text((body && typeof body === 'object' ? (body as Record<string, unknown>) : {}).message).slice(0, 20_000)
}

/** A form with no file chosen sends an empty, nameless part (or none): that is no attachment. */
const hasFile = (file: IncomingFile | undefined): file is IncomingFile => file !== undefined && (file.bytes.length > 0 || file.filename !== '')

function messageError(message: string): FieldError | undefined {
  if (!message) return { key: 'support.errors.messageRequired' }
  if (message.length > LIMITS.message) return { key: 'support.errors.messageTooLong', params: { max: LIMITS.message } }
  return undefined
}

/** The file's field error, or undefined when it passes the uploads module's checks. */
function attachmentError(file: IncomingFile | undefined): FieldError | undefined {
  if (!hasFile(file)) return undefined
  try {
    checkFile('attachment', file, ATTACHMENT_LIMITS)
    return undefined
  } catch (error) {
    if (!(error instanceof Invalid)) throw error
    return error.fields.attachment
  }
}

export class SupportService {
  constructor(readonly deps: SupportDeps) {}

  /** Opens a ticket (once per form) and returns its reference. "About" must name the person's own record: else 404. */
  async openTicket(accountId: string, form: TicketForm, file: IncomingFile | undefined, log: PaymentCheckDeps['log']): Promise<string> {
    const { db } = this.deps
    const about = await this.#ownRecord(accountId, form.about)
    const errors: Record<string, FieldError> = {}
    if (!(TOPICS as readonly string[]).includes(form.topic)) errors.topic = { key: 'support.errors.topicRequired' }
    if (form.topic === 'payment-not-showing' && !about.invoiceId) errors.about = { key: 'support.errors.billRequired' }
    const message = messageError(form.message)
    if (message) errors.message = message
    const attachment = attachmentError(file)
    if (attachment) errors.attachment = attachment
    // A form without our key was not rendered by us: ask for it to be sent again from the page.
    if (!UUID.test(form.idempotencyKey)) errors.message ??= { key: 'support.errors.resubmit' }
    if (Object.keys(errors).length > 0) throw new Invalid(errors)

    const earlier = await store.findTicketByKey(db, form.idempotencyKey)
    if (earlier) return this.#sameForm(earlier, accountId)
    const check = form.topic === 'payment-not-showing' && about.bill ? await checkPayment({ ...this.deps.payments, log }, about.bill) : undefined
    return this.#withFile(file, async (trx, keep) => {
      const now = new Date()
      const ticket = await store.insertTicket(trx, {
        // About seven billion references: a clash is rare enough to fail the request rather than retry.
        reference: newReference('SUP'),
        account_id: accountId,
        topic: form.topic as Topic,
        application_id: about.applicationId ?? null,
        invoice_id: about.invoiceId ?? null,
        idempotency_key: form.idempotencyKey,
        first_response_due_at: new Date(now.getTime() + this.deps.firstResponseHours * 3_600_000),
      })
      // The same form sent twice at once: the other request opened it.
      if (!ticket) return this.#sameForm((await store.findTicketByKey(trx, form.idempotencyKey))!, accountId)
      await keep(await this.#post(trx, ticket.id, 'person', accountId, form.message))
      if (check) await store.insertMessage(trx, { ticket_id: ticket.id, author: 'system', author_id: null, notice: check.notice, notice_params: JSON.stringify(check.params) })
      return ticket.reference
    })
  }

  /** The person's own ticket; anyone else's answers as a missing one does. */
  async ownTicket(accountId: string, reference: string): Promise<store.TicketRow> {
    const ticket = await this.anyTicket(reference)
    if (ticket.account_id !== accountId) throw new NotFound('no such ticket')
    return ticket
  }

  /** Any ticket, for support agents. */
  async anyTicket(reference: string): Promise<store.TicketRow> {
    const normalised = normaliseReference(reference)
    const ticket = normalised?.startsWith('SUP-') ? await store.findTicket(this.deps.db, normalised) : undefined
    if (!ticket) throw new NotFound('no such ticket')
    return ticket
  }

  async conversation(ticket: store.TicketRow) {
    return { messages: await store.messagesOf(this.deps.db, ticket.id), about: await store.referencesOf(this.deps.db, ticket) }
  }

  async ticketsOf(accountId: string) {
    return store.ticketsOfAccount(this.deps.db, accountId)
  }

  /** What "about" may name: the person's own applications and invoices. */
  async recordsOf(accountId: string) {
    return { applications: await store.applicationsOf(this.deps.db, accountId), invoices: await store.invoicesOf(this.deps.db, accountId) }
  }

  async personReply(accountId: string, reference: string, message: string, file: IncomingFile | undefined): Promise<string> {
    const ticket = await this.ownTicket(accountId, reference)
    const errors: Record<string, FieldError> = {}
    const messageProblem = messageError(message)
    if (messageProblem) errors.message = messageProblem
    const attachment = attachmentError(file)
    if (attachment) errors.attachment = attachment
    if (Object.keys(errors).length > 0) throw new Invalid(errors)
    if (ticket.status !== 'open') throw new Conflict('ticket closed')
    await this.#withFile(file, async (trx, keep) => keep(await this.#post(trx, ticket.id, 'person', accountId, message)))
    return ticket.reference
  }

  /** An agent's answer: the first one meets the SLA; the person is told by inbox, email and SMS. */
  async agentReply(actor: Actor, reference: string, message: string, context: RequestContext): Promise<void> {
    const ticket = await this.anyTicket(reference)
    const problem = messageError(message)
    if (problem) throw new Invalid({ message: problem })
    if (ticket.status !== 'open') throw new Conflict('ticket closed')
    await this.deps.db.transaction().execute(async (trx) => {
      const posted = await this.#post(trx, ticket.id, 'agent', actor.accountId, message)
      await store.markAnswered(trx, ticket.id, posted.created_at)
      await audit(trx, { action: 'support.reply', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'support_ticket', subjectId: ticket.id, details: { reference: ticket.reference } }, context)
      const person = await store.accountContact(trx, ticket.account_id)
      await sendToAccount<Database, 'support-reply'>(trx, this.deps.jobs, {
        key: `support-reply:${posted.id}`,
        accountId: person.id,
        language: person.language,
        email: person.email,
        phone: person.phone,
        template: 'support-reply',
        params: () => ({ reference: ticket.reference, link: `${this.deps.publicUrl}/support/tickets/${ticket.reference}` }),
      })
    })
  }

  async close(actor: Actor, reference: string, context: RequestContext): Promise<void> {
    const ticket = await this.anyTicket(reference)
    await this.deps.db.transaction().execute(async (trx) => {
      if (!(await store.closeTicket(trx, ticket.id, actor.accountId))) return
      await audit(trx, { action: 'support.close', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'support_ticket', subjectId: ticket.id, details: { reference: ticket.reference } }, context)
    })
  }

  /**
   * A file of the ticket's conversation, and its bytes; NotFound when either is missing. Staff reading
   * a person's document (`staff` given) is recorded, as every look at someone else's data is.
   */
  async attachment(ticket: store.TicketRow, id: string, staff?: { actor: Actor; context: RequestContext }): Promise<{ file: store.AttachmentRow; stream: Readable }> {
    const file = UUID.test(id) ? await store.findAttachment(this.deps.db, ticket.id, id) : undefined
    const stream = file && (await this.deps.storage.get(file.storage_key))
    if (!file || !stream) throw new NotFound('no such attachment')
    if (staff) {
      const { actor, context } = staff
      await audit(this.deps.db, { action: 'support.attachment.download', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'support_attachment', subjectId: file.id, details: { reference: ticket.reference } }, context)
    }
    return { file, stream }
  }

  /** Open tickets for the console, those still waiting for a first answer first. */
  openTickets() {
    return store.openTickets(this.deps.db)
  }

  person(accountId: string) {
    return store.accountContact(this.deps.db, accountId)
  }

  /** The people an identifier names, with their records; audited as `support.lookup`. */
  lookUp(actor: Actor, query: string, context: RequestContext) {
    return lookUpPeople(this.deps.db, actor, query, context)
  }

  async #ownRecord(accountId: string, about: string): Promise<{ applicationId?: string; invoiceId?: string; bill?: string }> {
    if (!about) return {}
    const [kind, value = ''] = about.split(':', 2)
    if (kind === 'application') {
      const application = await store.findOwnApplication(this.deps.db, accountId, value)
      if (application) return { applicationId: application.id }
    }
    if (kind === 'invoice') {
      const invoice = await store.findOwnInvoice(this.deps.db, accountId, value)
      if (invoice) return { invoiceId: invoice.id, bill: invoice.bill_reference }
    }
    throw new NotFound('no such record of this person')
  }

  #sameForm(ticket: store.TicketRow, accountId: string): string {
    if (ticket.account_id !== accountId) throw new Conflict('idempotency key of another account')
    return ticket.reference
  }

  #post(trx: Db, ticketId: string, author: Exclude<Author, 'system'>, authorId: string, body: string) {
    return store.insertMessage(trx, { ticket_id: ticketId, author, author_id: authorId, body })
  }

  /**
   * Runs `work` in a transaction with the file's bytes already stored; `keep` records them against the
   * message. Bytes whose row was never written are removed again: they would only be a cost.
   */
  async #withFile<T>(file: IncomingFile | undefined, work: (trx: Db, keep: (message: store.MessageRow) => Promise<void>) => Promise<T>): Promise<T> {
    const kind = hasFile(file) ? checkFile('attachment', file, ATTACHMENT_LIMITS) : undefined
    const storageKey = kind && file ? await this.deps.storage.put(file.bytes) : undefined
    let kept = false
    try {
      const result = await this.deps.db.transaction().execute((trx) =>
        work(trx, async (message) => {
          if (!kind || !file || !storageKey) return
          kept = true
          const originalName = cleanOriginalName(file.filename) || `document.${kind}`
          await store.insertAttachment(trx, {
            message_id: message.id,
            original_name: originalName,
            safe_name: safeFileName(originalName, kind),
            media_type: MEDIA_TYPES[kind] as store.AttachmentRow['media_type'],
            size_bytes: file.bytes.length,
            sha256: createHash('sha256').update(file.bytes).digest('hex'),
            storage_key: storageKey,
          })
        }),
      )
      // The same form sent twice at once: the other request kept its own copy.
      if (storageKey && !kept) await this.deps.storage.delete(storageKey)
      return result
    } catch (error) {
      if (storageKey) await this.deps.storage.delete(storageKey).catch(() => {})
      throw error
    }
  }
}
