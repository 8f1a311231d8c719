import type { FileQuestion } from '../services/definition.js'
import { kindOfFileName, kindOfMediaType, MEDIA_TYPES, type FileAnswer } from '../services/file-types.js'

export interface UploadedFile {
  filename: string
  mimetype: string
  bytes: Buffer
  /** The form parser stopped at its limit: the file is larger than any question allows. */
  truncated?: boolean
}

/**
 * The uploads module's side of a file question: checks and keeps the bytes, answers with what to save
 * as the answer. It may refuse a file with `Invalid` keyed by the question id: shown at the question.
 */
export interface Uploads {
  store(applicationId: string, questionId: string, file: UploadedFile, context: { accountId: string; question: FileQuestion }): Promise<FileAnswer>
}

/**
 * A file's metadata as the question's rules read it. Browsers that cannot tell a type send a generic
 * one; the name's extension then says what it claims to be. A truncated file is over every limit.
 */
export function declaredFile(file: UploadedFile): FileAnswer {
  const named = kindOfFileName(file.filename)
  const type = kindOfMediaType(file.mimetype) || !named ? file.mimetype : MEDIA_TYPES[named]
  return { name: file.filename, type, size: file.truncated ? file.bytes.length + 1 : file.bytes.length }
}
