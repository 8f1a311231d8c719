import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { Conflict, Invalid, NotFound, type FieldError } from '../../platform/http/errors.js'
import type { Translator } from '../../platform/i18n/i18n.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import type { PartiesService, Party } from '../accounts/parties.js'
import type { Executor } from '../applications/store.js'
import type { Registries } from '../registry/registries.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { kenyaToday } from '../registry/registry.js'
import { documentContents } from './contents.js'
import { checkCredential, signCredential, type CredentialClaims, type CredentialFailure } from './credential.js'
import type { DocumentIssuer, IssueRequest } from './issuer.js'
import { noticeRevocation } from './notices.js'
import { newDocumentNumber } from './numbers.js'
import type { SigningKeys } from './signing.js'
import * as store from './store.js'
import { REVOCATION_REASONS, type RevocationReason } from './tables.js'

export interface DocumentsDeps {
  db: Db
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany'>
  catalogue: ServiceCatalogue
  /** The registries reading through a given executor: issuing runs inside the caller's transaction. */
  registriesOn: (executor: Executor) => Registries
  parties: Pick<PartiesService, 'mayActFor'>
  keys: SigningKeys
  translator: Translator
  publicUrl: string
  /** Today's date in Kenya; a parameter so tests can move the clock. */
  today?: () => string
}

export type DocumentState = 'valid' | 'expired' | 'revoked'

/** What the credential in a QR code turned out to be, checked against our keys and the record. */
export type CredentialVerdict = 'genuine' | CredentialFailure | 'other-document' | 'mismatch'

export interface DocumentCheck {
  document: store.DocumentStatusRow
  state: DocumentState
  credential?: CredentialVerdict
}

export interface Actor {
  accountId: string
  role: string
  agencyCode: string | null
}

const NOTE_MAX = 1000
/**
 * The public check reads a document's status from memory for up to this long: it is the portal's
 * busiest public page (every scan of every QR code), and a query each time would cap it at the
 * database's pace. A revocation shows at once in the process that made it, and within this time in
 * the others.
 */
export const STATUS_TTL_MS = 10_000
const STATUS_ENTRIES = 10_000

function claimsOf(row: store.DocumentStatusRow, publicUrl: string): CredentialClaims {
  return {
    iss: publicUrl,
    num: row.number,
    kind: row.kind,
    title: { en: row.title_en, sw: row.title_sw },
    holder: row.holder_name,
    agency: row.agency_code,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    iat: Math.floor(row.issued_at.getTime() / 1000),
  }
}

function sameClaims(a: CredentialClaims, b: CredentialClaims): boolean {
  return (
    a.num === b.num && a.kind === b.kind && a.title.en === b.title.en && a.title.sw === b.title.sw && a.holder === b.holder &&
    a.agency === b.agency && a.validFrom === b.validFrom && a.validUntil === b.validUntil && a.iat === b.iat
  )
}

function partyOf(row: { party_kind: string; party_id: string | null }): Party {
  if (row.party_kind === 'dependant') return { kind: 'dependant', birthCertificateNumber: row.party_id! }
  if (row.party_kind === 'business') return { kind: 'business', registrationNumber: row.party_id! }
  return { kind: 'self' }
}

/**
 * Issued documents: written with their signed credential when the agency issues (in the decision's
 * transaction), checked by anyone at /verify, downloaded by the applicant, revoked by the agency.
 */
export class DocumentsService implements DocumentIssuer {
  /** Status rows by number (undefined: no such document), bounded: the oldest entry goes first. */
  private readonly statuses = new Map<string, { row: store.DocumentStatusRow | undefined; expires: number }>()

  /**
   * Verdicts on credentials by number and credential: a verdict depends only on things that do not
   * change (the credential, our keys, the record's signed details), so a QR code scanned again is not
   * checked again, for a while. Bounded like the statuses.
   */
  private readonly verdicts = new Map<string, { verdict: CredentialVerdict; expires: number }>()

  constructor(readonly deps: DocumentsDeps) {}

  private async status(number: string): Promise<store.DocumentStatusRow | undefined> {
    const now = Date.now()
    const cached = this.statuses.get(number)
    if (cached && cached.expires > now) return cached.row
    const row = await store.findDocumentStatus(this.deps.db, number)
    this.statuses.delete(number)
    if (this.statuses.size >= STATUS_ENTRIES) this.statuses.delete(this.statuses.keys().next().value!)
    this.statuses.set(number, { row, expires: now + STATUS_TTL_MS })
    return row
  }

  private today(): string {
    // kenyaToday is arithmetic; todayInKenya builds an Intl formatter each time, too slow for /verify.
    return this.deps.today?.() ?? kenyaToday()
  }

  /**
   * Issues the document of an application, in the caller's transaction. Asked twice for the same
   * application, it answers with the first document. Officer fields left blank are Invalid, by field id.
   */
  async issue(trx: Executor, request: IssueRequest): Promise<{ number: string }> {
    const { application, definition, officerFields, issuedBy } = request
    const existing = await store.numberForApplication(trx, application.id)
    if (existing) return { number: existing }
    const contents = await documentContents(trx, { registries: this.deps.registriesOn(trx), translator: this.deps.translator }, application, definition, officerFields, this.today())
    const key = await this.deps.keys.current(trx)
    const document = definition.issuedDocument
    // Whole seconds: the credential's iat and the record's issued_at must agree exactly.
    const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000)
    for (let attempt = 0; attempt < 5; attempt++) {
      const number = newDocumentNumber(document.kind)
      const row = {
        number,
        agency_code: application.agency_code,
        kind: document.kind,
        title_en: document.title.en,
        title_sw: document.title.sw,
        holder_name: contents.holderName,
        valid_from: contents.validFrom,
        valid_until: contents.validUntil,
        issued_at: issuedAt,
        signing_key_id: key.kid,
        revoked_at: null,
        revocation_reason: null,
      }
      const credential = await signCredential(key, claimsOf(row, this.deps.publicUrl))
      const inserted = await store.insertDocument(trx, { ...row, application_id: application.id, fields: JSON.stringify(contents.fields), issued_by: issuedBy, credential })
      if (inserted) return { number: inserted }
      // Nothing written: either this application got its document meanwhile, or the number was taken.
      const raced = await store.numberForApplication(trx, application.id)
      if (raced) return { number: raced }
    }
    throw new Error('no free document number after 5 tries')
  }

  /**
   * The public check of a document number (already in its written form): valid, expired or revoked,
   * and, given the credential from the QR code, whether it is genuine and this document's.
   */
  async check(number: string, credential?: string): Promise<DocumentCheck | undefined> {
    const document = await this.status(number)
    if (!document) return undefined
    const state: DocumentState = document.revoked_at ? 'revoked' : document.valid_until && document.valid_until < this.today() ? 'expired' : 'valid'
    if (credential === undefined) return { document, state }
    const key = `${number} ${credential}`
    const now = Date.now()
    const known = this.verdicts.get(key)
    if (known && known.expires > now) return { document, state, credential: known.verdict }
    const verdict = await this.verdict(document, credential)
    // Ours are under 1,000 characters: longer garbage is answered, not kept.
    if (credential.length > 1000) return { document, state, credential: verdict }
    this.verdicts.delete(key)
    if (this.verdicts.size >= STATUS_ENTRIES) this.verdicts.delete(this.verdicts.keys().next().value!)
    this.verdicts.set(key, { verdict, expires: now + STATUS_TTL_MS })
    return { document, state, credential: verdict }
  }

  /** The credential checked against the keys we have used, then against the record it claims to be. */
  private async verdict(document: store.DocumentStatusRow, credential: string): Promise<CredentialVerdict> {
    const result = await checkCredential(credential, (kid) => this.deps.keys.publicKey(kid, kid === document.signing_key_id))
    if (!result.genuine) return result.reason
    if (result.claims.num !== document.number) return 'other-document'
    const matches = result.kid === document.signing_key_id && sameClaims(result.claims, claimsOf(document, this.deps.publicUrl))
    return matches ? 'genuine' : 'mismatch'
  }

  /**
   * The document of the person's own application (for themselves, a dependant or a business they may
   * still act for), while it stands; NotFound for anyone else, and once revoked.
   */
  async forApplicant(accountId: string, reference: string): Promise<store.DocumentRow> {
    const found = await store.findApplicantDocument(this.deps.db, accountId, reference)
    if (!found || found.revoked_at) throw new NotFound('no document for this account')
    if (found.party_kind !== 'self' && !(await this.deps.parties.mayActFor(accountId, partyOf(found)))) throw new NotFound('may no longer act for this party')
    return found
  }

  /** A document of the agency; NotFound for another agency's, so that its existence is not revealed. */
  async forAgency(agencyCode: string | null, number: string): Promise<store.DocumentRow> {
    const found = agencyCode ? await store.findDocument(this.deps.db, number) : undefined
    if (!found || found.agency_code !== agencyCode) throw new NotFound('no such document in this agency')
    return found
  }

  list(agencyCode: string, limit: number, after?: { at: string; id: string }): Promise<store.ListedDocument[]> {
    return store.agencyDocuments(this.deps.db, agencyCode, limit, after)
  }

  /**
   * Revokes an agency's document with a reason: the category (shown to anyone who checks it) and a note
   * for the holder. One transaction with its audit entry and the holder's notice; revoking twice is a
   * Conflict (the first revocation stands).
   */
  async revoke(actor: Actor, number: string, form: { reason?: string; note?: string }, context: RequestContext = {}): Promise<store.DocumentRow> {
    const document = await this.forAgency(actor.agencyCode, number)
    const errors: Record<string, FieldError> = {}
    const reason = REVOCATION_REASONS.find((candidate) => candidate === form.reason)
    const note = (form.note ?? '').trim()
    if (!reason) errors.reason = { key: 'documents.revoke.errors.reason' }
    if (!note) errors.note = { key: 'documents.revoke.errors.note' }
    else if (note.length > NOTE_MAX) errors.note = { key: 'documents.revoke.errors.noteLength', params: { max: NOTE_MAX } }
    if (Object.keys(errors).length) throw new Invalid(errors)
    const revoked = await this.deps.db.transaction().execute(async (trx) => {
      const revoked = await store.revokeDocument(trx, { number: document.number, agencyCode: document.agency_code }, { by: actor.accountId, reason: reason as RevocationReason, note })
      if (!revoked) throw new Conflict('already revoked')
      await audit(
        trx,
        { action: 'document.revoked', outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'document', subjectId: revoked.number, details: { reason: revoked.revocation_reason } },
        context,
      )
      await noticeRevocation(trx, this.deps, revoked, { reason: reason as RevocationReason, note })
      return revoked
    })
    // Once committed: this process's checks show the revocation at once.
    this.statuses.delete(revoked.number)
    return revoked
  }
}
