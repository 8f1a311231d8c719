import { randomUUID } from 'node:crypto'
import { audit } from '../../platform/audit/audit.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import type { RecordStatusChange } from '../applications/status.js'
import { findApplication } from '../applications/store.js'
import { startStage } from '../applications/workflow.js'
import { pinnedDefinition } from '../applications/status.js'
import { sendToAccount } from '../notifications/inbox.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { formatMoney } from '../services/fees.js'
import { newReference } from '../services/reference.js'
import { writeCredit, writeSettled, type CreditWrite } from './credit-write.js'
import { ACCOUNTS } from './ledger.js'
import type { CreditClaim, CreditOutcome, Invoice, PaymentFlag } from './model.js'
import { normaliseBillReference } from './invoices.js'
import { lockCreditTarget, type CreditTarget, type Executor } from './store.js'
import { holdInSuspense } from './suspense.js'
import { M_PESA_RECEIPT } from './daraja/protocol.js'

export interface CreditDeps {
  catalogue: ServiceCatalogue
  recordStatusChange: RecordStatusChange
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany'>
  publicUrl: string
  log?: { warn(object: object, message: string): void }
}

/** Our receipt numbers (`RCPT-7K4M-9QX3`): checked like application references; printed and verifiable. */
export const RECEIPT_PREFIX = 'RCPT'

export function invoiceLink(publicUrl: string, invoice: Pick<Invoice, 'applicationId'>): string {
  return `${publicUrl.replace(/\/$/, '')}/applications/${invoice.applicationId}`
}

/** The invoice's government fees: the agency's revenue once paid. */
export function governmentCents(invoice: Invoice): number {
  return invoice.lines.filter((line) => line.kind === 'government').reduce((sum, line) => sum + line.amountCents, 0)
}

/** The invoice a claim names, locked: the one its STK prompt was for, or the one its bill reference names. */
async function claimTarget(trx: Executor, claim: CreditClaim): Promise<CreditTarget | undefined> {
  if (claim.checkoutRequestId !== undefined) return lockCreditTarget(trx, { checkoutRequestId: claim.checkoutRequestId })
  const reference = claim.billReference === undefined ? undefined : normaliseBillReference(claim.billReference)
  return reference ? lockCreditTarget(trx, { billReference: reference }) : undefined
}

/**
 * Credits one claimed payment in the caller's transaction (see PaymentsService.creditPayment). The
 * invoice row is locked first, so concurrent claims for one invoice take turns and each sees what the
 * one before left; the receipt is claimed once (mpesa_receipts) whether it ends credited or in suspense.
 */
export async function creditIn(trx: Executor, deps: CreditDeps, claim: CreditClaim): Promise<CreditOutcome> {
  checkClaim(claim)
  return creditTarget(trx, deps, claim, await claimTarget(trx, claim))
}

function checkClaim(claim: CreditClaim): string | null {
  if (claim.receipt === null) {
    if (claim.source !== 'query' || !claim.checkoutRequestId) throw new RangeError('only a query-confirmed prompt may be credited without its receipt')
  }
  const receipt = claim.receipt?.trim().toUpperCase() ?? null
  if (receipt !== null && !M_PESA_RECEIPT.test(receipt)) throw new RangeError('a claim needs an M-Pesa receipt of 6 to 40 letters and digits')
  if (!Number.isSafeInteger(claim.amountCents) || claim.amountCents <= 0) throw new RangeError('a claim amount is a positive number of cents')
  return receipt
}

/** Who already has this receipt: a payment, or a suspense item. */
async function receiptHolder(trx: Executor, receipt: string): Promise<{ payment_id: string | null; suspense_id: string | null } | undefined> {
  return trx.selectFrom('mpesa_receipts').select(['payment_id', 'suspense_id']).where('receipt', '=', receipt).executeTakeFirst()
}

/**
 * The callback's receipt for a payment Daraja's query confirmed before it ("receipt to follow"): filled
 * in, once. Undefined when the prompt has no such payment.
 */
async function completeReceipt(trx: Executor, checkoutRequestId: string, receipt: string, amountCents: number): Promise<CreditOutcome | undefined> {
  const waiting = await trx
    .selectFrom('payments')
    .select(['id', 'invoice_id', 'amount_cents'])
    .where('checkout_request_id', '=', checkoutRequestId)
    .where('mpesa_receipt', 'is', null)
    .forUpdate()
    .executeTakeFirst()
  if (!waiting || Number(waiting.amount_cents) !== amountCents) return undefined
  const claimed = await trx.insertInto('mpesa_receipts').values({ receipt, amount_cents: amountCents, payment_id: waiting.id }).onConflict((oc) => oc.column('receipt').doNothing()).returning('receipt').executeTakeFirst()
  if (!claimed) return undefined
  await trx.updateTable('payments').set({ mpesa_receipt: receipt }).where('id', '=', waiting.id).execute()
  return { outcome: 'receipt-completed', invoiceId: waiting.invoice_id, paymentId: waiting.id }
}

/**
 * creditIn for an invoice the caller has already locked (lockCreditTarget). `settle`: the STK prompt whose
 * success this is, marked succeeded in the same statement as the payment.
 */
export async function creditTarget(
  trx: Executor,
  deps: CreditDeps,
  claim: CreditClaim,
  target: CreditTarget | undefined,
  settle?: CreditWrite['settle'],
): Promise<CreditOutcome> {
  const receipt = checkClaim(claim)
  if (receipt !== null && claim.checkoutRequestId) {
    const completed = await completeReceipt(trx, claim.checkoutRequestId, receipt, claim.amountCents)
    if (completed) return completed
  }
  const invoice = target?.invoice
  if (!invoice || invoice.currency !== claim.currency) {
    if (settle) await writeSettled(trx, settle)
    return holdUnmatched(trx, deps, claim, receipt, invoice)
  }
  const promptAmount = target.prompt?.amountCents
  const open = invoice.status === 'pending' || invoice.status === 'partly-paid'
  const owed = open ? invoice.totalCents - (invoice.paidCents - invoice.refundedCents) : 0
  const applied = Math.min(claim.amountCents, owed)
  const overpaid = claim.amountCents - applied
  const closed = invoice.status === 'cancelled' || invoice.status === 'refunded'
  const flag: PaymentFlag | null = closed
    ? 'invoice-closed'
    : promptAmount !== undefined && promptAmount !== claim.amountCents
      ? 'amount-mismatch'
      : overpaid > 0
        ? 'overpayment'
        : applied < owed
          ? 'underpayment'
          : null
  const paidCents = invoice.paidCents + claim.amountCents
  const becomesPaid = open && applied === owed
  const status = becomesPaid ? 'paid' : open ? 'partly-paid' : invoice.status
  const entries: CreditWrite['entries'] = [
    { kind: 'payment-received', postings: [{ account: ACCOUNTS.cash, debit: claim.amountCents }, { account: ACCOUNTS.clearing, credit: claim.amountCents }] },
  ]
  if (becomesPaid) {
    const government = governmentCents(invoice)
    entries.push({
      kind: 'revenue-recognised',
      postings: [
        { account: ACCOUNTS.clearing, debit: invoice.totalCents },
        { account: ACCOUNTS.agencyRevenue(invoice.agencyCode), credit: government },
        { account: ACCOUNTS.convenience, credit: invoice.totalCents - government },
      ],
    })
  }
  const paymentId = randomUUID()
  if (receipt !== null) {
    // The receipt is claimed first: held in suspense or credited before, it is a duplicate here.
    const claimed = await trx.insertInto('mpesa_receipts').values({ receipt, amount_cents: claim.amountCents, payment_id: paymentId }).onConflict((oc) => oc.column('receipt').doNothing()).returning('receipt').executeTakeFirst()
    if (!claimed) return duplicateOf(trx, receipt, invoice)
  }
  let receiptNumber: string | undefined
  for (let attempt = 0; !receiptNumber; attempt++) {
    const candidate = newReference(RECEIPT_PREFIX)
    const id = await writeCredit(trx, {
      payment: {
        id: paymentId,
        invoiceId: invoice.id,
        source: claim.source,
        mpesaReceipt: receipt,
        amountCents: claim.amountCents,
        currency: claim.currency,
        phone: claim.phone ?? null,
        paidAt: claim.paidAt,
        checkoutRequestId: claim.checkoutRequestId ?? null,
        billReference: claim.billReference?.slice(0, 40) ?? null,
        raw: claim.raw,
        receiptNumber: candidate,
        overpaidCents: overpaid,
        flag,
        inboxId: claim.inboxId ?? null,
      },
      invoice: { paidCents, status, paidAt: becomesPaid ? new Date() : null },
      entries,
      settle,
    })
    if (id) {
      receiptNumber = candidate
      break
    }
    // The prompt credited before (by its query, or another claim) is a duplicate; a clash of our own
    // random receipt numbers is drawn again. Neither aborts the transaction.
    const before = claim.checkoutRequestId
      ? await trx.selectFrom('payments').select(['id', 'invoice_id']).where('checkout_request_id', '=', claim.checkoutRequestId).executeTakeFirst()
      : undefined
    if (before) {
      if (receipt !== null) await trx.deleteFrom('mpesa_receipts').where('receipt', '=', receipt).where('payment_id', '=', paymentId).execute()
      return { outcome: 'duplicate', invoiceId: before.invoice_id, paymentId: before.id, invoiceStatus: invoice.status }
    }
    if (attempt >= 5) throw new Error('could not draw a free receipt number')
  }
  if (becomesPaid) await submitPaidApplication(trx, deps, invoice)
  await audit(trx, {
    action: 'payment.credited',
    outcome: 'success',
    subjectType: 'invoice',
    subjectId: invoice.id,
    details: { source: claim.source, mpesaReceipt: receipt, receiptNumber, amountCents: claim.amountCents, overpaidCents: overpaid, flag, status },
  })
  await noticePayer(trx, deps, invoice, target.payer, {
    amountCents: claim.amountCents,
    mpesa: receipt,
    receiptNumber,
    balanceCents: Math.max(0, owed - applied),
  })
  return { outcome: 'credited', invoiceId: invoice.id, paymentId, invoiceStatus: status, overpaidCents: overpaid }
}

async function duplicateOf(trx: Executor, receipt: string, invoice: Invoice): Promise<CreditOutcome> {
  const holder = await receiptHolder(trx, receipt)
  const payment = holder?.payment_id ? await trx.selectFrom('payments').select(['id', 'invoice_id']).where('id', '=', holder.payment_id).executeTakeFirst() : undefined
  return { outcome: 'duplicate', invoiceId: payment?.invoice_id ?? invoice.id, paymentId: payment?.id, suspenseId: holder?.suspense_id ?? undefined, invoiceStatus: invoice.status }
}

/**
 * Money for no invoice of ours (or in another currency than the invoice's) goes to suspense, with
 * everything known about it. A success without a receipt (the query's) has nothing to hold: it stays
 * with its prompt and the statement brings the rest.
 */
async function holdUnmatched(trx: Executor, deps: CreditDeps, claim: CreditClaim, receipt: string | null, invoice: Invoice | undefined): Promise<CreditOutcome> {
  deps.log?.warn({ source: claim.source, receipt, billReference: claim.billReference, checkoutRequestId: claim.checkoutRequestId }, 'payment claim for no invoice of ours: held in suspense')
  if (receipt === null) return { outcome: 'unknown-reference' }
  const held = await holdInSuspense(trx, {
    reason: invoice ? 'currency-mismatch' : claim.checkoutRequestId ? 'unknown-prompt' : 'unknown-reference',
    held: true,
    amountCents: claim.amountCents,
    receipt,
    phone: claim.phone,
    payerName: claim.payerName,
    billReference: claim.billReference,
    checkoutRequestId: claim.checkoutRequestId,
    invoiceId: invoice?.id,
    agencyCode: invoice?.agencyCode,
    inboxId: claim.inboxId,
    paidAt: claim.paidAt,
  })
  return held.outcome === 'suspense' ? { outcome: 'suspense', suspenseId: held.suspenseId } : duplicateOrUnknown(trx, receipt)
}

async function duplicateOrUnknown(trx: Executor, receipt: string): Promise<CreditOutcome> {
  const holder = await receiptHolder(trx, receipt)
  return holder ? { outcome: 'duplicate', paymentId: holder.payment_id ?? undefined, suspenseId: holder.suspense_id ?? undefined } : { outcome: 'unknown-reference' }
}

/** Paid: the application waiting for payment enters its workflow (recordStatusChange tells the applicant). */
export async function submitPaidApplication(trx: Executor, deps: CreditDeps, invoice: Invoice): Promise<void> {
  const application = await findApplication(trx, invoice.applicationId)
  if (application?.status !== 'awaiting-payment') return
  const definition = pinnedDefinition(deps.catalogue, application)
  await deps.recordStatusChange(trx, application, { to: startStage(definition).id, actor: { kind: 'system' } })
}

const RECEIPT_TO_FOLLOW = { en: '(receipt number to follow)', sw: '(nambari ya risiti itafuata)' } as const

/** The payer's receipt message: the inbox copy, and email and SMS as their preferences allow. */
export async function noticePayer(
  trx: Executor,
  deps: CreditDeps,
  invoice: Invoice,
  contact: CreditTarget['payer'],
  paid: { amountCents: number; mpesa: string | null; receiptNumber: string; balanceCents: number },
): Promise<void> {
  const language = contact.language
  const params = {
    amount: formatMoney(paid.amountCents, invoice.currency, language),
    bill: invoice.billReference,
    receipt: paid.receiptNumber,
    balance: formatMoney(paid.balanceCents, invoice.currency, language),
    link: invoiceLink(deps.publicUrl, invoice),
  }
  // The in-app copy in the inbox, and an email and an SMS as the person's preferences allow.
  await sendToAccount(trx, deps.jobs, {
    key: `payment:${paid.receiptNumber}`,
    accountId: invoice.accountId,
    language,
    email: contact.email,
    phone: contact.phone,
    template: 'payment-received',
    params: (lang) => ({
      ...params,
      // Confirmed by Daraja's query, which carries no receipt: the number follows with the callback or the statement.
      mpesa: paid.mpesa ?? RECEIPT_TO_FOLLOW[lang],
      amount: formatMoney(paid.amountCents, invoice.currency, lang),
      balance: formatMoney(paid.balanceCents, invoice.currency, lang),
    }),
  })
}
