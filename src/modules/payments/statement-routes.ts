import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { NotFound } from '../../platform/http/errors.js'
import type { ErrorSummary } from '../../platform/views/form-errors.js'
import { formatDateTime } from '../../platform/views/views.js'
import { formatMoney } from '../services/fees.js'
import { fileIn, uploadForms } from '../uploads/multipart.js'
import { megabytes } from '../uploads/service.js'
import { decodeStatement, problemText, StatementError, type StatementProblem } from './statement.js'
import { reconcileStatement } from './statement-reconcile.js'
import { DIFFERENCE_KINDS, findImport, listImports, suspenseHref, type DifferenceRow } from './statement-store.js'

/** A day's statement is a few hundred kilobytes; 5 MB leaves room and bounds what a request holds in memory. */
export const STATEMENT_MAX_BYTES = 5 * 1024 * 1024
const PAGE = '/admin/payments/reconciliation'

interface Form {
  day: string
}

/** Each problem in the summary, linked to its field; each field shows its first. */
function problemsSummary(request: FastifyRequest, problems: StatementProblem[]): ErrorSummary {
  const visuallyHiddenText = request.t('errors.prefix')
  const list = problems.map((problem) => ({
    text: problem.key.startsWith('payments.') ? request.t(problem.key, problem.params) : problemText(request.t, problem),
    // The day's problems are about the day field; all others about the file.
    href: problem.key.startsWith('day') ? '#day' : '#statement',
  }))
  const byField: ErrorSummary['byField'] = {}
  for (const item of list) byField[item.href.slice(1)] ??= { text: item.text, visuallyHiddenText }
  return { list, byField }
}

/** What one difference links to and says, in the person's language. */
function differenceView(request: FastifyRequest, d: DifferenceRow) {
  const lang = request.language()
  const money = (cents: number | null) => (cents === null ? '—' : formatMoney(cents, 'KES', lang))
  const links: { href: string; text: string }[] = []
  if (d.suspenseId) links.push({ href: suspenseHref(d.suspenseId), text: request.t('payments.statement.suspenseItem') })
  if (d.paymentId && d.receiptNumber) links.push({ href: `/verify/${d.receiptNumber}`, text: request.t('payments.statement.receiptLink', { number: d.receiptNumber }) })
  if (d.applicationReference) {
    links.push({ href: `/support/console?q=${encodeURIComponent(d.applicationReference)}`, text: request.t('payments.statement.application', { reference: d.applicationReference }) })
  }
  const notes: string[] = []
  if (typeof d.details.line === 'number') notes.push(request.t('payments.statement.line', { line: d.details.line }))
  if (typeof d.details.accountNumber === 'string') notes.push(request.t('payments.statement.billReference', { bill: d.details.accountNumber }))
  if (d.details.ambiguous) notes.push(request.t('payments.statement.notes.ambiguous'))
  if (d.details.receiptToFollow) notes.push(request.t('payments.statement.notes.receiptToFollow'))
  if (d.details.held === false) notes.push(request.t('payments.statement.notes.notHeld'))
  if (d.details.invoiceFound === false) notes.push(request.t('payments.statement.notes.noInvoice'))
  return {
    kind: d.kind,
    kindLabel: request.t(`payments.statement.kinds.${d.kind}`),
    receipt: d.receipt ?? '—',
    statement: money(d.statementAmountCents),
    credited: money(d.creditedAmountCents),
    links,
    notes,
  }
}

/** The M-Pesa statement reconciliation pages: past imports, the upload form, one import's differences. */
export function statementRoutes(app: FastifyInstance, deps: { db: Db }): void {
  const access = allow('payments.review')
  const maxSize = megabytes(STATEMENT_MAX_BYTES)

  const listPage = async (request: FastifyRequest, reply: FastifyReply, form: Form = { day: '' }, errors?: ErrorSummary) => {
    const title = request.t('payments.statement.title')
    return reply.page('payments/views/statement-imports.njk', {
      pageTitle: errors ? request.t('payments.statement.errorTitle', { title }) : title,
      imports: await listImports(deps.db),
      kinds: DIFFERENCE_KINDS,
      maxSize,
      form,
      errors,
    })
  }

  app.get(PAGE, access, async (request, reply) => listPage(request, reply))

  app.get<{ Params: { id: string } }>(`${PAGE}/:id`, access, async (request, reply) => {
    const found = await findImport(deps.db, request.params.id)
    if (!found) throw new NotFound('no such statement import')
    const row = (key: string, value: string | number) => ({ key: { text: request.t(`payments.statement.${key}`) }, value: { text: String(value) } })
    // Counted by the import's audit entry: the table has no columns for them.
    const counted = ['skipped', 'paidIn', 'withdrawn', 'otherDays'].filter((key) => typeof found.tally[key] === 'number').map((key) => row(key, found.tally[key] as number))
    return reply.page('payments/views/statement-import.njk', {
      pageTitle: request.t('payments.statement.importTitle', { day: found.day ?? '' }),
      found,
      summary: [
        row('fileName', found.fileName),
        row('importedAt', formatDateTime(found.createdAt, request.language())),
        row('importedBy', found.importedBy ?? request.t('payments.statement.commandLine')),
        row('rowsRead', found.rowsRead),
        ...counted,
        row('differences', found.differences),
      ],
      differences: found.differenceRows.map((d) => differenceView(request, d)),
      kinds: DIFFERENCE_KINDS,
    })
  })

  // The upload takes a multipart body, in a scope of its own (as the support forms do).
  uploadForms(app, { maxBytes: STATEMENT_MAX_BYTES }, (scope) => {
    scope.post(PAGE, access, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>
      const form: Form = { day: typeof body.day === 'string' ? body.day.trim().slice(0, 20) : '' }
      const file = fileIn(body, 'statement')
      const refuse = (problems: StatementProblem[]) => listPage(request, reply.code(400), form, problemsSummary(request, problems))
      if (file.truncated) return refuse([{ key: 'payments.statement.errors.fileTooBig', params: { max: maxSize } }])
      if (!file.filename && !file.bytes.length) return refuse([{ key: 'payments.statement.errors.fileRequired' }])
      if (!file.bytes.length) return refuse([{ key: 'payments.statement.errors.fileEmpty' }])
      const session = request.session!
      try {
        const result = await reconcileStatement(deps.db, {
          csv: decodeStatement(file.bytes),
          fileName: file.filename,
          day: form.day || undefined,
          actorAccountId: session.accountId,
          actorRole: session.role,
          context: requestContext(request),
        })
        return reply.redirect(`${PAGE}/${result.importId}`, 303)
      } catch (error) {
        if (!(error instanceof StatementError)) throw error
        return refuse(error.problems)
      }
    })
  })
}
