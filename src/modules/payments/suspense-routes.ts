import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import { errorSummary, type ErrorSummary } from '../../platform/views/form-errors.js'
import { formatDateTime } from '../../platform/views/views.js'
import { formatMoney } from '../services/fees.js'
import type { Language } from '../services/definition.js'
import type { PaymentsService } from './service.js'
import { findInvoice } from './store.js'
import {
  approve, findSuspense, LIST_LIMIT, listSuspense, owedOn, propose, proposalToken, reject, SUSPENSE_REASONS, SuspenseRefused, suspenseHistory, WAITING,
  type ProposalForm, type Reviewer, type SuspenseRow,
} from './suspense-review.js'

const PAGE = '/admin/payments/suspense'
const DONE = new Set(['proposed', 'matched', 'refunded', 'dismissed', 'rejected'])
type Params = { Params: { id: string } }
type Body = Record<string, unknown>

const field = (body: Body, name: string, max: number) => (typeof body[name] === 'string' ? body[name].slice(0, max) : '')

function reviewerOf(request: FastifyRequest): Reviewer {
  const session = request.session!
  return { accountId: session.accountId, role: session.role, agencyCode: session.agencyCode }
}

/** All but the last three digits hidden: enough to tell two payers apart on the list, not to call one. */
export function maskPhone(phone: string | null): string {
  if (!phone) return '—'
  return phone.slice(0, -3).replace(/\d/g, '•') + phone.slice(-3)
}

/** What the item is worth: the money held, or for a claim that moved none, what it claimed. */
function amountText(request: FastifyRequest, row: SuspenseRow, lang: Language): string {
  if (row.held) return formatMoney(Number(row.amount_cents), row.currency, lang)
  const claimed = Number((row.details as { claimedAmountCents?: unknown } | null)?.claimedAmountCents)
  return request.t('payments.suspense.claimOnly', { amount: Number.isFinite(claimed) ? formatMoney(claimed, row.currency, lang) : '—' })
}

/** An audit entry's action in plain words; one this page does not know (another module's) as recorded. */
function historyText(t: FastifyRequest['t'], action: string): string {
  const key = `payments.suspense.history.actions.${action.replace(/^payment\./, '')}`
  const text = t(key)
  return text === key ? action : text
}

/** The suspense account's pages: the list of what waits, one item with its proposal forms and history. */
export function suspenseRoutes(app: FastifyInstance, deps: { payments: PaymentsService }): void {
  const db = deps.payments.deps.db
  const access = allow('payments.suspense')

  app.get<{ Querystring: { reason?: string; status?: string } }>(PAGE, access, async (request, reply) => {
    const lang = request.language()
    const t = request.t
    const found = await listSuspense(db, reviewerOf(request), request.query)
    const option = (value: string, text: string, selected?: string) => ({ value, text, selected: value === (selected ?? '') })
    return reply.page('payments/views/suspense-list.njk', {
      pageTitle: t('payments.suspense.title'),
      held: t('payments.suspense.held', { amount: formatMoney(found.heldCents, 'KES', lang), count: found.heldCount }),
      reasons: [option('', t('payments.suspense.filters.any')), ...SUSPENSE_REASONS.map((r) => option(r, t(`payments.suspense.reasons.${r}`), found.reason))],
      statuses: [option('', t('payments.suspense.filters.any')), ...WAITING.map((s) => option(s, t(`payments.suspense.statuses.${s}`), found.status))],
      rows: found.rows.map((row) => ({
        href: `${PAGE}/${row.id}`,
        when: formatDateTime(row.paid_at ?? row.created_at, lang),
        reason: t(`payments.suspense.reasons.${row.reason}`),
        status: t(`payments.suspense.statuses.${row.status}`),
        amount: amountText(request, row, lang),
        phone: maskPhone(row.phone),
        receipt: row.mpesa_receipt ?? '—',
        bill: row.bill_reference ?? '—',
      })),
      more: found.more ? t('payments.suspense.more', { count: LIST_LIMIT }) : undefined,
    })
  })

  /** One item with everything known, its proposal (if any), the forms its status allows and its history. */
  async function itemPage(request: FastifyRequest<Params>, reply: FastifyReply, options: { errors?: ErrorSummary; form?: ProposalForm } = {}) {
    const reviewer = reviewerOf(request)
    const row = await findSuspense(db, reviewer, request.params.id)
    if (!row) throw new NotFound('no such suspense item')
    const lang = request.language()
    const t = request.t
    const none = '—'
    const when = (date: Date | null) => (date ? formatDateTime(date, lang) : none)
    const fact = (key: string, value: string | null | undefined) => ({ key: { text: t(`payments.suspense.detail.${key}`) }, value: { text: value || none } })
    const meantFor = row.invoice_id ? await findInvoice(db, { id: row.invoice_id }) : undefined
    const proposed = row.proposed_invoice_id ? await findInvoice(db, { id: row.proposed_invoice_id }) : undefined
    const people = [row.proposed_by, row.resolved_by].filter((id): id is string => Boolean(id))
    const staff = people.length ? await db.selectFrom('accounts').select(['id', 'first_name', 'last_name']).where('id', 'in', people).execute() : []
    const names = new Map(staff.map((a) => [a.id, `${a.first_name} ${a.last_name}`]))
    const inbox = row.inbox_id ? await db.selectFrom('mpesa_inbox').select(['kind', 'received_at', 'outcome', 'body']).where('id', '=', row.inbox_id).executeTakeFirst() : undefined
    const history = await suspenseHistory(db, row.id)
    const done = (request.query as Record<string, unknown>).done
    const action = row.proposed_action
    return reply.page('payments/views/suspense-item.njk', {
      pageTitle: options.errors ? t('payments.suspense.errorTitle', { title: t('payments.suspense.detail.title') }) : t('payments.suspense.detail.title'),
      id: row.id,
      heading: `${t(`payments.suspense.reasons.${row.reason}`)}: ${amountText(request, row, lang)}`,
      done: typeof done === 'string' && DONE.has(done) ? t(`payments.suspense.done.${done}`) : undefined,
      errors: options.errors,
      form: options.form ?? { billReference: meantFor?.billReference ?? row.bill_reference ?? '' },
      facts: [
        fact('status', t(`payments.suspense.statuses.${row.status}`)),
        fact('reason', t(`payments.suspense.reasons.${row.reason}`)),
        fact('held', t(row.held ? 'payments.suspense.detail.heldYes' : 'payments.suspense.detail.heldNo')),
        fact('amount', amountText(request, row, lang)),
        fact('paidAt', when(row.paid_at)),
        fact('createdAt', when(row.created_at)),
        fact('phone', row.phone),
        fact('payerName', row.payer_name),
        fact('receipt', row.mpesa_receipt),
        fact('billReference', row.bill_reference),
        fact('checkoutRequestId', row.checkout_request_id),
        fact('meantFor', meantFor && `${meantFor.billReference} (${t(`payments.status.${meantFor.status}`)})`),
        fact('agency', row.agency_code),
        ...(row.resolved_at ? [fact('resolvedBy', names.get(row.resolved_by ?? '') ?? none), fact('resolvedAt', when(row.resolved_at))] : []),
      ],
      details: JSON.stringify(row.details ?? {}, null, 2),
      inbox: inbox && { kind: inbox.kind, receivedAt: when(inbox.received_at), outcome: inbox.outcome ?? none, body: JSON.stringify(inbox.body, null, 2) },
      proposal: action && {
        waiting: row.status === 'proposed',
        token: proposalToken(row),
        mine: row.proposed_by === reviewer.accountId,
        facts: [
          fact('proposal', t(`payments.suspense.actions.${action}`)),
          ...(proposed
            ? [fact('invoice', `${proposed.billReference} (${proposed.agencyCode}, ${t(`payments.status.${proposed.status}`)})`), fact('owed', formatMoney(owedOn(proposed), proposed.currency, lang))]
            : []),
          fact('note', row.proposal_note),
          fact('proposedBy', names.get(row.proposed_by ?? '') ?? none),
          fact('proposedAt', when(row.proposed_at)),
        ],
      },
      // What may be proposed: only on an open item, and only what its kind allows (held money or a claim).
      mayPropose: row.status === 'open' ? { match: row.held, refund: row.held, dismiss: !row.held } : undefined,
      history: history.map((entry) => ({
        what: historyText(t, entry.action),
        outcome: entry.outcome === 'success' ? '' : t(`payments.suspense.history.outcomes.${entry.outcome}`),
        who: entry.who ?? t('payments.suspense.history.system'),
        at: when(entry.at),
      })),
    })
  }

  /** 403 or 409 with why nothing changed and the way back; in the person's language. */
  function refused(request: FastifyRequest<Params>, reply: FastifyReply, error: SuspenseRefused) {
    const t = request.t
    return reply.code(error.status).page('payments/views/suspense-refused.njk', {
      pageTitle: t('payments.suspense.refused.title'),
      message: t(`payments.suspense.refused.${error.reason}`, error.params),
      back: `${PAGE}/${request.params.id}`,
    })
  }

  app.get<Params>(`${PAGE}/:id`, access, async (request, reply) => itemPage(request, reply))

  app.post<Params>(`${PAGE}/:id/propose`, access, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const form: ProposalForm = { action: field(body, 'action', 20), billReference: field(body, 'billReference', 60), note: field(body, 'note', 2000) }
    try {
      await propose(db, reviewerOf(request), request.params.id, form, requestContext(request))
    } catch (error) {
      if (error instanceof Invalid) return itemPage(request, reply.code(400), { errors: errorSummary(error, request.t), form })
      if (error instanceof SuspenseRefused) return refused(request, reply, error)
      throw error
    }
    return reply.redirect(`${PAGE}/${request.params.id}?done=proposed`, 303)
  })

  app.post<Params>(`${PAGE}/:id/approve`, access, async (request, reply) => {
    const token = field((request.body ?? {}) as Body, 'proposal', 200)
    let action
    try {
      action = await approve(deps.payments.deps, reviewerOf(request), request.params.id, token, requestContext(request))
    } catch (error) {
      if (error instanceof SuspenseRefused) return refused(request, reply, error)
      throw error
    }
    const done = action === 'match' ? 'matched' : action === 'refund' ? 'refunded' : 'dismissed'
    return reply.redirect(`${PAGE}/${request.params.id}?done=${done}`, 303)
  })

  app.post<Params>(`${PAGE}/:id/reject`, access, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    try {
      await reject(db, reviewerOf(request), request.params.id, field(body, 'proposal', 200), field(body, 'rejectNote', 500), requestContext(request))
    } catch (error) {
      if (error instanceof SuspenseRefused) return refused(request, reply, error)
      throw error
    }
    return reply.redirect(`${PAGE}/${request.params.id}?done=rejected`, 303)
  })
}
