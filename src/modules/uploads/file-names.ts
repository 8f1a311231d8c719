import type { FastifyReply } from 'fastify'
import type { FileKind } from '../services/definition.js'

/** The extension a stored file is given back with, whatever spelling it arrived with (.JPEG, .jfif). */
export const EXTENSION: Record<FileKind, string> = { pdf: 'pdf', jpeg: 'jpg', png: 'png' }

/**
 * The name as the person's device gave it, fit to show back and to keep: the last path segment (old
 * browsers send the whole path), no control or formatting characters (a right-to-left override can make
 * `cod.exe` read as `exe.doc`), at most 255 characters.
 */
export function cleanOriginalName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? ''
  const cleaned = last
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
  return [...cleaned].slice(0, 255).join('')
}

/**
 * An ASCII name for the download's `filename=`: letters, digits, dot, dash and underscore only, never
 * starting with a dot, ending with the extension of what the file really is. `Kitambulisho cha
 * Wanjikũ (1).PDF` becomes `Kitambulisho-cha-Wanjiku-1.pdf`.
 */
export function safeFileName(original: string, kind: FileKind): string {
  const base = original
    .replace(/\.[A-Za-z0-9]{1,8}$/, '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/[-._]{2,}/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 100)
    .replace(/[-._]+$/, '')
  return `${base || 'document'}.${EXTENSION[kind]}`
}

/** RFC 5987 / 8187 `ext-value` encoding: UTF-8, percent-encoded, with the few characters URI escaping leaves. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * Always `attachment`: a browser must never show an uploaded file inside the portal's origin. The ASCII
 * name serves old clients; `filename*` gives modern ones the person's own name, accents and all.
 */
export function contentDisposition(safeName: string, originalName: string): string {
  return `attachment; filename="${safeName}"; filename*=UTF-8''${encodeExtValue(originalName)}`
}

/** A stored file as any module sends it back: inert, private, named safely. */
export function sendStoredFile(
  reply: FastifyReply,
  file: { mediaType: string; size: number | string; safeName: string; originalName: string },
  stream: NodeJS.ReadableStream,
) {
  return reply
    .header('Content-Type', file.mediaType)
    .header('Content-Length', file.size)
    .header('Content-Disposition', contentDisposition(file.safeName, file.originalName))
    .header('X-Content-Type-Options', 'nosniff')
    // Even opened in place, the file runs nothing and loads nothing from the portal's origin.
    .header('Content-Security-Policy', "default-src 'none'; sandbox")
    .header('Cache-Control', 'private, no-store')
    .send(stream)
}
