import fastifyMultipart from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../platform/http/errors.js'
import { TamperedForm } from '../services/errors.js'
import type { UploadedFile } from './files.js'

/** Files one page may send: the most file questions a page has, with room to spare. */
const MAX_FILES = 10

declare module 'fastify' {
  interface FastifyRequest {
    /** Files sent with a multipart form on the application pages, by field name. */
    uploadedFiles?: Record<string, UploadedFile>
  }
}

/**
 * Lets the application pages take `multipart/form-data` (pages with a file question). Registered in the
 * routes' own scope, so no other route accepts multipart; if the app has already registered the plugin
 * (another module's uploads), that registration is used.
 */
export async function acceptMultipart(scope: FastifyInstance, maxFileBytes: number): Promise<void> {
  if (!scope.hasRequestDecorator('isMultipart')) {
    // A file over the limit is cut there and marked truncated, so its question says "too large".
    await scope.register(fastifyMultipart, { throwFileSizeLimit: false, limits: { fileSize: maxFileBytes, files: MAX_FILES, fields: 200, parts: 220 } })
  }
  if (!scope.hasRequestDecorator('uploadedFiles')) scope.decorateRequest('uploadedFiles', undefined)
  // A body far beyond what the form could honestly carry is refused before it is read.
  const hardLimit = MAX_FILES * maxFileBytes * 2 + 1024 * 1024
  scope.addHook('onRequest', async (request) => {
    if (Number(request.headers['content-length']) > hardLimit) throw new AppError(413, 'multipart body too large')
  })
}

/**
 * Reads a multipart body before the CSRF check and the handler see it: text fields into `body` as a
 * urlencoded form would give them (a repeated name becomes a list), files into `uploadedFiles`, whole
 * (a file over the limit arrives cut short and marked `truncated`).
 */
export async function readMultipart(request: FastifyRequest, maxFileBytes: number): Promise<void> {
  if (!request.isMultipart?.()) return
  const fields: Record<string, string | string[]> = {}
  const files: Record<string, UploadedFile> = {}
  // Options here too: if the app registered the plugin itself, its defaults are not these.
  const options = { limits: { fileSize: maxFileBytes, files: MAX_FILES }, throwFileSizeLimit: false }
  for await (const part of request.parts(options as Parameters<FastifyRequest['parts']>[0])) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer()
      // One file input sends one file: a second under the same name was not sent by our form.
      if (Object.hasOwn(files, part.fieldname)) throw new TamperedForm(part.fieldname.slice(0, 60), 'two files under one name')
      files[part.fieldname] = { filename: part.filename ?? '', mimetype: part.mimetype, bytes, truncated: part.file.truncated }
      continue
    }
    const value = typeof part.value === 'string' ? part.value : String(part.value ?? '')
    const existing = fields[part.fieldname]
    fields[part.fieldname] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value]
  }
  request.body = fields
  request.uploadedFiles = files
}
