import type { FastifyInstance, FastifyRequest } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { Conflict, Invalid, NotFound } from '../../platform/http/errors.js'
import { errorSummary } from '../../platform/views/form-errors.js'
import { decodeCursor, encodeCursor } from '../applications/dashboard.js'
import { longDate } from '../applications/detail.js'
import { todayInKenya } from '../services/dates.js'
import { normaliseReference } from '../services/reference.js'
import { normaliseDocumentNumber } from './numbers.js'
import { documentPdf } from './pdf.js'
import type { DocumentsService } from './service.js'
import type { DocumentRow } from './store.js'
import { REVOCATION_REASONS } from './tables.js'

export interface DocumentRoutesDeps {
  documents: DocumentsService
  publicUrl: string
  portalName: string
  agencies: () => Promise<{ code: string; name_en: string; name_sw: string }[]>
}

export const LIST_PAGE_SIZE = 20
const JWKS_MAX_AGE_SECONDS = 300

type NumberParams = { Params: { number: string } }

/** The applicant's download, the published keys, and the agency admin's list and revocation. */
export function documentRoutes(app: FastifyInstance, deps: DocumentRoutesDeps): void {
  const { documents } = deps
  const agencyName = async (code: string, language: 'en' | 'sw') => {
    const agency = (await deps.agencies()).find((candidate) => candidate.code === code)
    return agency ? (language === 'sw' ? agency.name_sw : agency.name_en) : code
  }

  app.get<{ Params: { reference: string } }>('/applications/:reference/document', allow('applications.own'), async (request, reply) => {
    const reference = normaliseReference(request.params.reference)
    if (!reference) throw new NotFound('not a reference')
    const document = await documents.forApplicant(request.session!.accountId, reference)
    const language = request.language()
    const pdf = await documentPdf(document, { publicUrl: deps.publicUrl, portalName: deps.portalName, agency: await agencyName(document.agency_code, language), language, t: request.t })
    return reply
      .type('application/pdf')
      .header('Content-Disposition', `attachment; filename="${document.number}.pdf"`)
      .header('Cache-Control', 'private, no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .send(pdf)
  })

  app.get('/.well-known/jwks.json', allow('public'), async (_request, reply) => {
    const body = await documents.deps.keys.jwksJson(todayInKenya())
    return reply.type('application/jwk-set+json').header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).send(body)
  })

  app.get<{ Querystring: { after?: string; number?: string } }>('/backoffice/documents', allow('agency.admin'), async (request, reply) => {
    const agency = request.session!.agencyCode
    if (!agency) throw new NotFound('no agency')
    const typed = typeof request.query.number === 'string' ? request.query.number.slice(0, 60) : undefined
    // "Find by number": straight to the document when it is this agency's, else the list says so.
    const number = typed && normaliseDocumentNumber(typed)
    if (number) {
      try {
        const found = await documents.forAgency(agency, number)
        return reply.redirect(`/backoffice/documents/${found.number}/revoke`, 303)
      } catch (error) {
        if (!(error instanceof NotFound)) throw error
      }
    }
    const language = request.language()
    const rows = await documents.list(agency, LIST_PAGE_SIZE + 1, decodeCursor(request.query.after))
    const shown = rows.slice(0, LIST_PAGE_SIZE)
    const last = shown.at(-1)
    const today = todayInKenya()
    return reply.page('documents/views/list.njk', {
      pageTitle: request.t('documents.list.title'),
      typed,
      notFound: Boolean(typed?.trim()),
      rows: shown.map((row) => [
        { html: `<a class="govuk-link" href="/backoffice/documents/${row.number}/revoke">${row.number}</a>` },
        { text: language === 'sw' ? row.title_sw : row.title_en },
        { text: row.holder_name },
        { text: longDate(todayInKenya(row.issued_at), language) },
        { text: request.t(`documents.states.${row.revoked_at ? 'revoked' : row.valid_until && row.valid_until < today ? 'expired' : 'valid'}`) },
      ]),
      more: rows.length > LIST_PAGE_SIZE && last ? `/backoffice/documents?after=${encodeCursor(last)}` : undefined,
    })
  })

  const revokePage = async (request: FastifyRequest<NumberParams>, document: DocumentRow, extra: { done?: boolean; errors?: object; form?: { reason: string; note: string } } = {}) => {
    const language = request.language()
    return {
      pageTitle: request.t('documents.revoke.title'),
      document: {
        number: document.number,
        title: language === 'sw' ? document.title_sw : document.title_en,
        holder: document.holder_name,
        issuedAt: document.issued_at,
        validUntil: document.valid_until ? longDate(document.valid_until, language) : request.t('documents.fields.noExpiry'),
        revokedAt: document.revoked_at,
        reason: document.revocation_reason && request.t(`documents.reasons.${document.revocation_reason}`),
        note: document.revocation_note,
      },
      reasons: REVOCATION_REASONS.map((value) => ({ value, text: request.t(`documents.reasons.${value}`), checked: extra.form?.reason === value })),
      ...extra,
    }
  }
  const agencyDocument = (request: FastifyRequest<NumberParams>) => {
    const number = normaliseDocumentNumber(request.params.number.slice(0, 60))
    if (!number) throw new NotFound('not a document number')
    return documents.forAgency(request.session!.agencyCode, number)
  }

  app.get<NumberParams & { Querystring: { done?: string } }>('/backoffice/documents/:number/revoke', allow('agency.admin'), async (request, reply) => {
    const document = await agencyDocument(request)
    return reply.page('documents/views/revoke.njk', await revokePage(request, document, { done: request.query.done === '1' }))
  })

  app.post<NumberParams & { Body: { reason?: string; note?: string } }>('/backoffice/documents/:number/revoke', allow('agency.admin'), async (request, reply) => {
    const document = await agencyDocument(request)
    const session = request.session!
    const form = { reason: String(request.body?.reason ?? '').slice(0, 40), note: String(request.body?.note ?? '').slice(0, 2000) }
    try {
      await documents.revoke({ accountId: session.accountId, role: session.role, agencyCode: session.agencyCode }, document.number, form, requestContext(request))
    } catch (error) {
      if (error instanceof Conflict) return reply.redirect(`/backoffice/documents/${document.number}/revoke`, 303)
      if (!(error instanceof Invalid)) throw error
      return reply.code(400).page('documents/views/revoke.njk', await revokePage(request, document, { errors: errorSummary(error, request.t), form }))
    }
    return reply.redirect(`/backoffice/documents/${document.number}/revoke?done=1`, 303)
  })
}
