import type { FastifyInstance } from 'fastify'
import { allow } from '../../platform/access/access.js'
import { requestContext } from '../../platform/audit/audit.js'
import { NotFound } from '../../platform/http/errors.js'
import { sendStoredFile } from './file-names.js'
import type { MayDownload, UploadService } from './service.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface UploadRoutesDeps {
  uploads: UploadService
  /** Who may fetch an upload; `uploads.defaultMayDownload()` unless the wiring knows better. */
  mayDownload: MayDownload
}

export function uploadRoutes(app: FastifyInstance, deps: UploadRoutesDeps): void {
  const { uploads, mayDownload } = deps

  // Someone else's file answers exactly as a missing one does (404): its existence is nobody's business.
  app.get('/uploads/:id', allow('account.own'), async (request, reply) => {
    const { id } = request.params as { id: string }
    const session = request.session
    if (!session || !UUID.test(id)) throw new NotFound('no such upload')
    const upload = await uploads.find(id)
    if (!upload || !(await mayDownload(session, upload))) throw new NotFound('no such upload')
    const stream = await uploads.open(upload)
    if (!stream) {
      // A row whose bytes are gone is a fault in storage, not in the request: worth someone's attention.
      request.log.warn({ uploadId: upload.id }, 'upload missing from file storage')
      throw new NotFound('upload missing from storage')
    }
    await uploads.recordDownload(session, upload, requestContext(request))
    return sendStoredFile(reply, { mediaType: upload.mediaType, size: upload.size, safeName: upload.safeName, originalName: upload.originalName }, stream)
  })
}
