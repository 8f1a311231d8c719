import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Db } from '../../platform/db/database.js'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import { Invalid, type FieldError } from '../../platform/http/errors.js'
import type { SessionRecord } from '../../platform/sessions/store.js'
import type { FileKind, FileQuestion } from '../services/definition.js'
import { kindOfFileName, kindOfMediaType, MEDIA_TYPES, sniffFileType, type FileAnswer } from '../services/file-types.js'
import { cleanOriginalName, safeFileName } from './file-names.js'
import type { FileStorage } from './storage.js'
import { agencyOfApplication, deleteUpload, findUpload, insertUpload, uploadsOfApplication, type UploadRow } from './store.js'

/** A file as it arrived in a form: what the browser said about it, and its bytes. */
export interface IncomingFile {
  filename: string
  mimetype: string
  bytes: Uint8Array
  /** The form parser stopped reading at its limit: the file was larger than any question allows. */
  truncated?: boolean
}

export interface UploadLimits {
  accept: readonly FileKind[]
  maxBytes: number
}

export const DEFAULT_MAX_MEGABYTES = 5
const MEGABYTE = 1024 * 1024

/** A file question's limits: its kinds, and its size (5 MB unless the definition says otherwise). */
export function limitsFor(question: FileQuestion): UploadLimits {
  return { accept: question.accept, maxBytes: Math.round((question.maxMegabytes ?? DEFAULT_MAX_MEGABYTES) * MEGABYTE) }
}

/** "5 MB", "0.5 MB": the limit as people read it. */
export function megabytes(bytes: number): string {
  return `${Math.round((bytes / MEGABYTE) * 10) / 10} MB`
}

/** Browsers that cannot tell a file's type send one of these; they say nothing, so they contradict nothing. */
const UNSPECIFIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/x-download'])

export interface Upload {
  id: string
  applicationId: string
  questionId: string
  originalName: string
  safeName: string
  mediaType: string
  size: number
  sha256: string
  uploadedBy: string
  createdAt: Date
  storageKey: string
}

const toUpload = (row: UploadRow): Upload => ({
  id: row.id,
  applicationId: row.application_id,
  questionId: row.question_id,
  originalName: row.original_name,
  safeName: row.safe_name,
  mediaType: row.media_type,
  size: row.size_bytes,
  sha256: row.sha256,
  uploadedBy: row.uploaded_by,
  createdAt: row.created_at,
  storageKey: row.storage_key,
})

const fail = (field: string, key: string, params?: FieldError['params']): never => {
  throw new Invalid({ [field]: { key: `uploads.errors.${key}`, params } }, `upload refused: ${key}`)
}

/**
 * What a file really is: its extension, its first bytes and its declared type must all name the same
 * accepted kind. Throws `Invalid` at `field` with a message the person can act on.
 */
export function checkFile(field: string, file: IncomingFile, limits: UploadLimits): FileKind {
  const types = limits.accept.map((kind) => kind.toUpperCase()).join(', ')
  if (file.bytes.length === 0 && !file.filename) fail(field, 'missing')
  if (file.truncated || file.bytes.length > limits.maxBytes) fail(field, 'tooLarge', { max: megabytes(limits.maxBytes) })
  if (file.bytes.length === 0) fail(field, 'empty')
  const named = kindOfFileName(file.filename)
  if (!named || !limits.accept.includes(named)) fail(field, 'type', { types })
  const content = sniffFileType(file.bytes)
  // A .pdf that is really a PNG, or an .exe renamed .jpg: the name says one thing, the bytes another.
  if (content !== named) fail(field, 'mismatch', { types })
  const declared = file.mimetype.trim().toLowerCase()
  if (!UNSPECIFIC_TYPES.has(declared) && kindOfMediaType(declared) !== content) fail(field, 'mismatch', { types })
  return content as FileKind
}

export type MayDownload = (session: SessionRecord, upload: Upload) => Promise<boolean>

const AGENCY_STAFF = new Set(['agency_officer', 'agency_supervisor', 'agency_admin'])

/**
 * Who may fetch an upload: the person who sent it, and staff of the agency that handles its
 * application. Everyone else is told it does not exist. Swap it in the wiring for a richer rule.
 */
export function defaultMayDownload(agencyOf: (applicationId: string) => Promise<string | undefined>): MayDownload {
  return async (session, upload) => {
    if (upload.uploadedBy === session.accountId) return true
    if (!AGENCY_STAFF.has(session.role) || !session.agencyCode) return false
    return (await agencyOf(upload.applicationId)) === session.agencyCode
  }
}

export class UploadService {
  constructor(
    private readonly db: Db,
    private readonly storage: FileStorage,
  ) {}

  /** The default download rule, reading the application's agency from the applications table. */
  defaultMayDownload(): MayDownload {
    return defaultMayDownload((applicationId) => agencyOfApplication(this.db, applicationId))
  }

  /**
   * Checks and keeps a file answering `questionId` of an application, and returns the answer to save
   * with the application. The field errors are keyed by the question id, so a page shows them at the
   * question. The application's ownership is the caller's to have checked.
   */
  async store(applicationId: string, questionId: string, file: IncomingFile, limits: UploadLimits, uploadedBy: string): Promise<FileAnswer> {
    const kind = checkFile(questionId, file, limits)
    const originalName = cleanOriginalName(file.filename) || `document.${kind}`
    const sha256 = createHash('sha256').update(file.bytes).digest('hex')
    const storageKey = await this.storage.put(file.bytes)
    try {
      const row = await insertUpload(this.db, {
        application_id: applicationId,
        question_id: questionId,
        original_name: originalName,
        safe_name: safeFileName(originalName, kind),
        media_type: MEDIA_TYPES[kind] as UploadRow['media_type'],
        size_bytes: file.bytes.length,
        sha256,
        storage_key: storageKey,
        uploaded_by: uploadedBy,
      })
      return { id: row.id, name: row.original_name, type: row.media_type, size: row.size_bytes }
    } catch (error) {
      // Bytes nobody can find are only a cost: drop them when their row could not be written.
      await this.storage.delete(storageKey).catch(() => {})
      throw error
    }
  }

  async find(id: string): Promise<Upload | undefined> {
    const row = await findUpload(this.db, id)
    return row && toUpload(row)
  }

  async ofApplication(applicationId: string): Promise<Upload[]> {
    return (await uploadsOfApplication(this.db, applicationId)).map(toUpload)
  }

  /** True when a saved answer points at a file sent for this application and question (not someone else's). */
  async belongsTo(uploadId: string, applicationId: string, questionId: string): Promise<boolean> {
    const upload = await this.find(uploadId)
    return upload?.applicationId === applicationId && upload.questionId === questionId
  }

  open(upload: Upload): Promise<Readable | undefined> {
    return this.storage.get(upload.storageKey)
  }

  /** Removes a file that was replaced or whose application was discarded: row first, then bytes. */
  async remove(id: string): Promise<void> {
    const row = await deleteUpload(this.db, id)
    if (row) await this.storage.delete(row.storage_key)
  }

  /** Staff reading a person's document is recorded, as every look at someone else's data is. */
  async recordDownload(session: SessionRecord, upload: Upload, context: RequestContext): Promise<void> {
    if (upload.uploadedBy === session.accountId) return
    await audit(
      this.db,
      {
        action: 'upload.download',
        outcome: 'success',
        actorId: session.accountId,
        actorRole: session.role,
        subjectType: 'upload',
        subjectId: upload.id,
        details: { applicationId: upload.applicationId, questionId: upload.questionId },
      },
      context,
    )
  }
}
