import type { FastifyInstance } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { PageCache } from '../../platform/views/page-cache.js'
import { longDate } from '../applications/detail.js'
import { RECEIPT_PREFIX } from '../payments/credit.js'
import { receiptCheck, RECEIPT_CHECK_VIEW } from '../payments/routes.js'
import type { PaymentsService } from '../payments/service.js'
import { normaliseDocumentNumber } from './numbers.js'
import { STATUS_TTL_MS, type DocumentsService } from './service.js'

export interface VerifyRoutesDeps {
  documents: DocumentsService
  payments: PaymentsService
  /** Agency names by code, kept in memory: the check costs one query, on the document's number. */
  agencies: () => Promise<{ code: string; name_en: string; name_sw: string }[]>
}

type VerifyRequest = { Params: { number: string }; Querystring: { c?: unknown } }

/**
 * GET /verify/:number: the one public check for everything the portal prints a number and a QR code on.
 * The number's prefix says what it is: a payment receipt (RCPT-…, the payments module's check) or an
 * issued document (LIC-…, PPT-…). Anything else, garbage included, is a 404 page that says so.
 */
export function verifyRoutes(app: FastifyInstance, deps: VerifyRoutesDeps): void {
  const { documents } = deps
  const pages = new PageCache(STATUS_TTL_MS, 2000)
  const agencyName = async (code: string, language: 'en' | 'sw') => {
    const agency = (await deps.agencies()).find((candidate) => candidate.code === code)
    return agency ? (language === 'sw' ? agency.name_sw : agency.name_en) : code
  }

  app.get<VerifyRequest>('/verify/:number', allow('public'), async (request, reply) => {
    const typed = request.params.number.slice(0, 60)
    const language = request.language()
    // By the prefix as typed, so that a mistyped receipt number is told "no such receipt".
    if (typed.toUpperCase().replace(/[\s.\-_]/g, '').startsWith(RECEIPT_PREFIX)) {
      const view = await receiptCheck(deps.payments, typed, language, request.t)
      return reply.code(view.found ? 200 : 404).page(RECEIPT_CHECK_VIEW, view)
    }
    const documentNumber = normaliseDocumentNumber(typed)
    // A repeated ?c= is not something our QR codes make: check it as the unreadable credential it is.
    const credential = request.query.c === undefined ? undefined : typeof request.query.c === 'string' ? request.query.c : ''
    const check = documentNumber ? await documents.check(documentNumber, credential) : undefined
    if (!check) {
      return reply.code(404).page('documents/views/verify.njk', { pageTitle: request.t('documents.verify.notFoundTitle'), number: typed })
    }
    const { document } = check
    // The page follows from the address and the status just read: kept, it is served without rendering.
    const cache = request.url.length <= 1500 ? { store: pages, key: `${check.state}:${check.credential ?? '-'}:${request.url}` } : undefined
    return reply.page('documents/views/verify.njk', async () => ({
      pageTitle: request.t('documents.verify.title'),
      check: {
        state: check.state,
        credential: check.credential,
        number: document.number,
        holder: document.holder_name,
        title: language === 'sw' ? document.title_sw : document.title_en,
        kind: request.t(`documents.kinds.${document.kind}`),
        agency: await agencyName(document.agency_code, language),
        issuedAt: document.issued_at,
        validFrom: longDate(document.valid_from, language),
        validUntil: document.valid_until ? longDate(document.valid_until, language) : undefined,
        revokedAt: document.revoked_at,
        reason: document.revocation_reason && request.t(`documents.reasons.${document.revocation_reason}`),
      },
    }), cache)
  })
}
