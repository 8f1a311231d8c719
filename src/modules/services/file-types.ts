import type { FileKind } from './definition.js'
import { TamperedForm } from './errors.js'

/** The metadata of an uploaded file, as the browser declared it; the bytes are checked separately. */
export interface FileAnswer {
  name: string
  /** The declared media type. */
  type: string
  /** Bytes. */
  size: number
  /** Where the stored file is, once it is stored. */
  id?: string
}

export const MEDIA_TYPES: Record<FileKind, string> = { pdf: 'application/pdf', jpeg: 'image/jpeg', png: 'image/png' }

/** Media types browsers are known to send for each kind. */
const ALIASES: Record<string, FileKind> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/png': 'png',
}

const EXTENSIONS: Record<string, FileKind> = { pdf: 'pdf', jpg: 'jpeg', jpeg: 'jpeg', jpe: 'jpeg', jfif: 'jpeg', png: 'png' }

export function kindOfMediaType(type: string): FileKind | undefined {
  return ALIASES[type.trim().toLowerCase().split(';')[0]?.trim() ?? '']
}

export function kindOfFileName(name: string): FileKind | undefined {
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase()
  return extension ? EXTENSIONS[extension] : undefined
}

/**
 * What the bytes say the file is, from its first bytes ("magic numbers"): a PDF starts with `%PDF-`,
 * a JPEG with FF D8 FF, a PNG with its eight-byte signature. Anything else is unknown.
 */
export function sniffFileType(bytes: Uint8Array): FileKind | undefined {
  const starts = (signature: number[]) => bytes.length >= signature.length && signature.every((byte, index) => bytes[index] === byte)
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg'
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  return undefined
}

/** Refuses a file whose bytes are not what its metadata claims (type or size). */
export function assertContentMatches(field: string, declared: FileAnswer, bytes: Uint8Array): void {
  const claimed = kindOfMediaType(declared.type)
  const actual = sniffFileType(bytes)
  if (!claimed || actual !== claimed) throw new TamperedForm(field, `declared ${declared.type}, content is ${actual ?? 'unknown'}`)
  if (bytes.length !== declared.size) throw new TamperedForm(field, `declared ${declared.size} bytes, received ${bytes.length}`)
}
