import fastifyMultipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../platform/http/errors.js'
import type { IncomingFile } from './service.js'

/** A multipart form's fields as plain strings (repeated names give arrays, as urlencoded forms do) and its files. */
export type UploadFormBody = Record<string, string | string[] | IncomingFile>

export interface UploadFormOptions {
  /** The largest file any route in the scope accepts: the biggest `maxMegabytes` among its questions. */
  maxBytes: number
  /** Files per request. One keeps memory per request to one file's size. */
  files?: number
}

/**
 * Registers routes that take `multipart/form-data` (forms with a file) in a scope of their own, so no
 * other route accepts multipart bodies:
 *
 *     uploadForms(app, { maxBytes: 5 * 1024 * 1024 }, (scope) => {
 *       scope.post('/applications/:id/pages/:page', allow('applications.own'), handler)
 *     })
 *
 * The body is read before validation into `UploadFormBody`: `_csrf` arrives as a field like any other,
 * so the CSRF check and the handlers see the same shape as with an ordinary form. A file over the limit
 * is not refused here but marked `truncated`, so the page can say "smaller than 5 MB" at the question
 * (`UploadService.store` does). Files are held in memory, never more than `maxBytes` each.
 */
export function uploadForms(app: FastifyInstance, options: UploadFormOptions, routes: (scope: FastifyInstance) => void): void {
  const files = options.files ?? 1
  // A body far beyond what the form could honestly carry is refused before it is read. Up to twice the
  // limit is read (and the excess dropped, never held) so a file a little too big gets the friendly
  // "smaller than 5 MB" at its question rather than an error page.
  const hardLimit = files * options.maxBytes * 2 + 1024 * 1024
  app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      throwFileSizeLimit: false,
      limits: { fileSize: options.maxBytes, files, fields: 50, fieldSize: 100_000, parts: files + 50, headerPairs: 100 },
    })
    scope.addHook('onRequest', async (request) => {
      const length = Number(request.headers['content-length'])
      if (length > hardLimit) throw new AppError(413, `multipart body of ${length} bytes`)
    })
    scope.addHook('preValidation', async (request) => {
      if (!request.isMultipart()) return
      const body: UploadFormBody = {}
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer()
          body[part.fieldname] = { filename: part.filename, mimetype: part.mimetype, bytes, truncated: part.file.truncated }
        } else {
          const value = typeof part.value === 'string' ? part.value : String(part.value)
          const existing = body[part.fieldname]
          body[part.fieldname] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : typeof existing === 'string' ? [existing, value] : existing
        }
      }
      request.body = body
    })
    routes(scope)
  })
}

/** The file sent in `field`, or an empty one when the form had none (so "Select a file" is said). */
export function fileIn(body: unknown, field: string): IncomingFile {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined
  if (value && typeof value === 'object' && !Array.isArray(value) && 'bytes' in value) return value as IncomingFile
  return { filename: '', mimetype: '', bytes: new Uint8Array() }
}
