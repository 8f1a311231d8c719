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

function governmentCents(invoice: Invoice): number {
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
 * one before left; the payment insert does nothing when the receipt (or the prompt) was credited before.
 */
export async function creditIn(trx: Executor, deps: CreditDeps, claim: CreditClaim): Promise<CreditOutcome> {
  checkClaim(claim)
  return creditTarget(trx, deps, claim, await claimTarget(trx, claim))
}

function checkClaim(claim: CreditClaim): string {
  const receipt = claim.receipt.trim().toUpperCase()
  if (!receipt || receipt.length > 40) throw new RangeError('a claim needs an M-Pesa receipt of 1 to 40 characters')
  if (!Number.isSafeInteger(claim.amountCents) || claim.amountCents <= 0) throw new RangeError('a claim amount is a positive number of cents')
  return receipt
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
  const invoice = target?.invoice
  if (!invoice || invoice.currency !== claim.currency) {
    if (settle) await writeSettled(trx, settle)
    // Not ours, or a KES payment for a USD invoice (C2B validation refuses those): recorded nowhere but the log.
    deps.log?.warn({ source: claim.source, receipt, billReference: claim.billReference, checkoutRequestId: claim.checkoutRequestId }, 'payment claim for no invoice of ours')
    return { outcome: 'unknown-reference' }
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
  let inserted: { id: string; receiptNumber: string } | undefined
  for (let attempt = 0; !inserted; attempt++) {
    const receiptNumber = newReference(RECEIPT_PREFIX)
    const id = await writeCredit(trx, {
      payment: {
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
        receiptNumber,
        overpaidCents: overpaid,
        flag,
      },
      invoice: { paidCents, status, paidAt: becomesPaid ? new Date() : null },
      entries,
      settle,
    })
    if (id) {
      inserted = { id, receiptNumber }
      break
    }
    // Any unique key: the receipt or the prompt credited before is a duplicate; a clash of our own
    // random receipt numbers is drawn again. Neither aborts the transaction.
    const before = await trx
      .selectFrom('payments')
      .select(['id', 'invoice_id'])
      .where((eb) => eb.or([eb('mpesa_receipt', '=', receipt), ...(claim.checkoutRequestId ? [eb('checkout_request_id', '=', claim.checkoutRequestId)] : [])]))
      .executeTakeFirst()
    if (before) return { outcome: 'duplicate', invoiceId: before.invoice_id, paymentId: before.id, invoiceStatus: invoice.status }
    if (attempt >= 5) throw new Error('could not draw a free receipt number')
  }
  if (becomesPaid) await submitPaidApplication(trx, deps, invoice)
  await audit(trx, {
    action: 'payment.credited',
    outcome: 'success',
    subjectType: 'invoice',
    subjectId: invoice.id,
    details: { source: claim.source, mpesaReceipt: receipt, receiptNumber: inserted.receiptNumber, amountCents: claim.amountCents, overpaidCents: overpaid, flag, status },
  })
  await noticePayer(trx, deps, invoice, target.payer, {
    amountCents: claim.amountCents,
    mpesa: receipt,
    receiptNumber: inserted.receiptNumber,
    balanceCents: Math.max(0, owed - applied),
  })
  return { outcome: 'credited', invoiceId: invoice.id, paymentId: inserted.id, invoiceStatus: status, overpaidCents: overpaid }
}

/** Paid: the application waiting for payment enters its workflow (recordStatusChange tells the applicant). */
async function submitPaidApplication(trx: Executor, deps: CreditDeps, invoice: Invoice): Promise<void> {
  const application = await findApplication(trx, invoice.applicationId)
  if (application?.status !== 'awaiting-payment') return
  const definition = pinnedDefinition(deps.catalogue, application)
  await deps.recordStatusChange(trx, application, { to: startStage(definition).id, actor: { kind: 'system' } })
}

async function noticePayer(
  trx: Executor,
  deps: CreditDeps,
  invoice: Invoice,
  contact: CreditTarget['payer'],
  paid: { amountCents: number; mpesa: string; receiptNumber: string; balanceCents: number },
): Promise<void> {
  const language = contact.language
  const params = {
    amount: formatMoney(paid.amountCents, invoice.currency, language),
    bill: invoice.billReference,
    mpesa: paid.mpesa,
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
    params: (lang) => ({ ...params, amount: formatMoney(paid.amountCents, invoice.currency, lang), balance: formatMoney(paid.balanceCents, invoice.currency, lang) }),
  })
}
