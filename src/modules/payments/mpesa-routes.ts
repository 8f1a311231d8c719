/**
 * Paying an invoice by M-Pesa: the invoice page with a prompt form (and the paybill details), sending
 * the prompt, and the "check your phone" page: its script asks for the result every few seconds and reloads
 * the page when it is in; without script, a "check again now" link does the same.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import type { Language } from '../../platform/i18n/i18n.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { errorSummary, type ErrorSummary } from '../../platform/views/form-errors.js'
import { formatMoney } from '../services/fees.js'
import { DarajaError, type DarajaClient } from './daraja/client.js'
import { DEFAULT_LINKS, type MpesaLinks, type MpesaPayments } from './daraja/port.js'
import { darajaPhone, normaliseBillReference, resultMessageKey } from './daraja/protocol.js'
import { queryPromptWith } from './jobs.js'
import type { Invoice, Prompt } from './model.js'
import { reconcile } from './reconcile.js'

export interface MpesaRouteDeps {
  payments: MpesaPayments
  /** Absent when M-Pesa is not configured (production without credentials): paybill only. */
  client: DarajaClient | undefined
  shortcode: string
  /** The account's phone (E.164), to prefill the form. */
  phoneOf: (accountId: string) => Promise<string | null | undefined>
  links?: MpesaLinks
}

/** A second press within this time goes to the waiting page instead of sending another prompt. */
export const PROMPT_REPEAT_MS = 60_000
/** A prompt still pending after this long is asked about (Daraja's query), in case its callback was lost. */
export const QUERY_AFTER_MS = 90_000

type Params = { Params: { billReference: string } }

/** 07…, 01…, +254… or 254…: Kenyan mobiles only, since the prompt goes to an M-Pesa line. */
export function readMpesaPhone(raw: unknown): string {
  const value = typeof raw === 'string' ? raw.trim() : ''
  if (!value) throw new Invalid({ phone: { key: 'mpesa.errors.phoneRequired' } })
  const e164 = toE164(value)
  if (!e164 || !darajaPhone(e164)) throw new Invalid({ phone: { key: 'mpesa.errors.phoneInvalid' } })
  return e164
}

/** +254712345678 → 0712 345 678, as people write it. */
export function localPhone(e164: string | null | undefined): string {
  const match = /^\+254(\d{3})(\d{3})(\d{3})$/.exec(e164 ?? '')
  return match ? `0${match[1]} ${match[2]} ${match[3]}` : ''
}

export function mpesaRoutes(app: FastifyInstance, deps: MpesaRouteDeps): void {
  const { payments, client } = deps
  const links = deps.links ?? DEFAULT_LINKS

  /** The signed-in person's own invoice; anyone else's is "not found", so its existence is not revealed. */
  async function ownInvoice(request: FastifyRequest<Params>): Promise<Invoice> {
    const invoice = await payments.findInvoiceByBillReference(normaliseBillReference(request.params.billReference))
    if (!invoice || invoice.accountId !== request.session?.accountId) throw new NotFound('no such invoice')
    return invoice
  }

  const outstanding = (invoice: Invoice) => Math.max(0, invoice.totalCents - invoice.paidCents)

  function invoiceView(invoice: Invoice, language: Language) {
    const money = (cents: number) => formatMoney(cents, invoice.currency, language)
    return {
      billReference: invoice.billReference,
      status: invoice.status,
      currency: invoice.currency,
      lines: invoice.lines.map((line) => ({ label: line.label[language], amount: money(line.amountCents) })),
      total: money(invoice.totalCents),
      paid: money(invoice.paidCents),
      outstanding: money(outstanding(invoice)),
      hasPaidSome: invoice.paidCents > 0,
      payable: (invoice.status === 'pending' || invoice.status === 'partly-paid') && outstanding(invoice) > 0,
      byMpesa: invoice.currency === 'KES' && client !== undefined,
      receiptHref: links.receipt(invoice),
      applicationHref: links.application(invoice),
    }
  }

  async function renderInvoice(request: FastifyRequest<Params>, reply: FastifyReply, invoice: Invoice, form: { phone: string; errors?: ErrorSummary; checked?: boolean }) {
    const t = request.t
    return reply.page('payments/views/mpesa-invoice.njk', {
      pageTitle: form.errors ? t('mpesa.errorTitle', { title: t('mpesa.invoice.title') }) : t('mpesa.invoice.title'),
      invoice: invoiceView(invoice, request.language()),
      shortcode: deps.shortcode,
      phone: form.phone,
      errors: form.errors,
      checked: form.checked,
    })
  }

  app.get<Params & { Querystring: { checked?: string } }>('/payments/invoices/:billReference', allow('applications.own'), async (request, reply) => {
    const invoice = await ownInvoice(request)
    const phone = localPhone(await deps.phoneOf(invoice.accountId))
    return renderInvoice(request, reply, invoice, { phone, checked: request.query.checked === '1' })
  })

  app.post<Params>('/payments/invoices/:billReference/prompt', allow('applications.own', { stopsInMaintenance: true as const, interrupts: { component: 'payments-prompt', work: 'payment' as const, resumeAt: '/payments/invoices/:billReference', subject: 'billReference' } }), async (request, reply) => {
    const invoice = await ownInvoice(request)
    const waiting = `/payments/invoices/${invoice.billReference}/waiting`
    const typed = String((request.body as Record<string, unknown> | undefined)?.phone ?? '').slice(0, 40)
    let phone: string
    try {
      phone = readMpesaPhone(typed)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      reply.code(400)
      return renderInvoice(request, reply, invoice, { phone: typed, errors: errorSummary(error, request.t) })
    }
    const payable = await payments.isPayable(invoice.billReference)
    if (!payable.ok || !client || invoice.currency !== 'KES' || outstanding(invoice) === 0) {
      return reply.redirect(`/payments/invoices/${invoice.billReference}`, 303)
    }
    // A double click, or a second tab: one prompt on the phone is enough.
    const latest = await payments.latestPrompt(invoice.id)
    if (latest?.status === 'pending' && Date.now() - latest.createdAt.getTime() < PROMPT_REPEAT_MS) return reply.redirect(waiting, 303)

    // M-Pesa takes whole shillings.
    const amount = Math.ceil(outstanding(invoice) / 100)
    try {
      const sent = await client.stkPush({
        phone: darajaPhone(phone)!,
        amount,
        accountReference: invoice.billReference,
        description: `${invoice.agencyCode} fees`,
      })
      await payments.recordPrompt(invoice.id, {
        checkoutRequestId: sent.checkoutRequestId,
        merchantRequestId: sent.merchantRequestId,
        phone,
        amountCents: amount * 100,
      })
    } catch (error) {
      if (!(error instanceof DarajaError)) throw error
      // A push that timed out may still reach the phone: it is kept, so a late result can be matched to it,
      // and the page does not claim that nothing was charged.
      const uncertain = error.kind === 'timeout'
      if (uncertain) await payments.recordPushTimeout(invoice.id, { phone, amountCents: amount * 100 })
      request.log.warn({ err: error, kind: error.kind, code: error.code, billReference: invoice.billReference }, 'M-Pesa prompt not sent')
      reply.code(503)
      return reply.page('payments/views/mpesa-unavailable.njk', {
        pageTitle: request.t(uncertain ? 'mpesa.unavailable.uncertainTitle' : 'mpesa.unavailable.title'),
        invoice: invoiceView(invoice, request.language()),
        shortcode: deps.shortcode,
        uncertain,
      })
    }
    return reply.redirect(waiting, 303)
  })

  type WaitingState = 'paid' | 'pending' | 'partly' | 'failed'

  /** Where the latest prompt stands (asking Daraja about one pending too long); undefined: none sent. */
  async function waitingState(request: FastifyRequest, found: Invoice): Promise<{ invoice: Invoice; prompt?: Prompt; state?: WaitingState }> {
    let invoice = found
    let prompt = await payments.latestPrompt(invoice.id)
    if (!prompt && invoice.status !== 'paid') return { invoice }
    if (prompt?.status === 'pending' && invoice.status !== 'paid' && Date.now() - prompt.createdAt.getTime() > QUERY_AFTER_MS) {
      prompt = await askDaraja(request, prompt)
      invoice = (await payments.findInvoiceByBillReference(invoice.billReference)) ?? invoice
    }
    const state = invoice.status === 'paid' ? 'paid' : prompt?.status === 'pending' ? 'pending' : prompt?.status === 'succeeded' ? 'partly' : 'failed'
    return { invoice, prompt, state }
  }

  app.get<Params>('/payments/invoices/:billReference/waiting', allow('applications.own'), async (request, reply) => {
    const { invoice, prompt, state } = await waitingState(request, await ownInvoice(request))
    if (!state) return reply.redirect(`/payments/invoices/${invoice.billReference}`, 303)
    const t = request.t
    return reply.page('payments/views/mpesa-waiting.njk', {
      pageTitle: t(`mpesa.waiting.titles.${state}`),
      state,
      pollSeconds: 5,
      invoice: invoiceView(invoice, request.language()),
      resultMessage: state === 'failed' ? t(prompt?.status === 'unknown' ? 'mpesa.results.unknown' : resultMessageKey(prompt?.resultCode)) : undefined,
      phone: localPhone(prompt?.phone),
      shortcode: deps.shortcode,
    })
  })

  /**
   * The waiting page's state, for its script: it asks every few seconds and reloads the page only when
   * the state changes. (A meta refresh would reload it under the reader every few seconds: WCAG 2.2.1.)
   */
  app.get<Params>('/payments/invoices/:billReference/status', allow('applications.own'), async (request, reply) => {
    const { state } = await waitingState(request, await ownInvoice(request))
    return reply.header('Cache-Control', 'no-store').send({ state: state ?? 'none' })
  })

  /**
   * "I have paid but it is not showing": asks M-Pesa at once about every prompt of this invoice still
   * waiting for its result, as the reconciliation job would in a few minutes, then shows where it stands.
   * A paybill payment needs no asking: its confirmation credits the invoice when M-Pesa sends it.
   */
  app.post<Params>('/payments/invoices/:billReference/check', allow('applications.own'), async (request, reply) => {
    const invoice = await ownInvoice(request)
    if (client && invoice.status !== 'paid') {
      const tally = await reconcile(payments, queryPromptWith(client), new Date(), request.log, invoice.id)
      request.log.info({ billReference: invoice.billReference, ...tally }, 'payment check asked for by the payer')
    }
    const prompted = await payments.latestPrompt(invoice.id)
    return reply.redirect(prompted ? `/payments/invoices/${invoice.billReference}/waiting` : `/payments/invoices/${invoice.billReference}?checked=1#check`, 303)
  })

  /**
   * A prompt whose callback has not come: Daraja's query settles a failure at once. A success is left
   * to its callback or the reconciliation job, which carry the receipt the query does not.
   */
  async function askDaraja(request: FastifyRequest, prompt: Prompt): Promise<Prompt> {
    if (!client) return prompt
    try {
      const answer = await client.stkQuery(prompt.checkoutRequestId)
      if (answer.state === 'unknown') {
        await payments.noteQueryAnswer(prompt.checkoutRequestId, 'unknown')
        return (await payments.latestPrompt(prompt.invoiceId)) ?? prompt
      }
      if (answer.state === 'pending' || answer.resultCode === 0) return prompt
      await payments.settlePrompt(prompt.checkoutRequestId, { resultCode: answer.resultCode, resultDesc: answer.resultDesc, raw: answer.raw })
      return (await payments.latestPrompt(prompt.invoiceId)) ?? prompt
    } catch (error) {
      if (!(error instanceof DarajaError)) throw error
      request.log.info({ kind: error.kind, code: error.code }, 'M-Pesa query failed; the page will ask again')
      return prompt
    }
  }
}
