import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { insertApplicationRow } from '../../../test/helpers/application-rows.js'
import { csrfFrom, serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { EXE, PDF, PNG } from '../../../test/helpers/files.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { allow } from '../../platform/access/access.js'
import { Invalid } from '../../platform/http/errors.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { fileIn, uploadForms } from './multipart.js'
import { UploadService } from './service.js'
import { MemoryStorage } from './storage.js'

const MB = 1024 * 1024

/** A multipart/form-data body as a browser builds it. */
function multipart(fields: Record<string, string>, files: { field: string; filename: string; type: string; bytes: Buffer }[] = []) {
  const boundary = `----ecitizen${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`))
    parts.push(file.bytes, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

describe(`upload forms and downloads on ${TEST_ENGINE}`, () => {
  let t: TestApp
  const storage = new MemoryStorage()
  let applicant: { id: string; cookie: string }
  let applicationId: string

  before(async () => {
    const database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    const uploads = new UploadService(database.db, storage)
    t = await testApp({
      database,
      fileStorage: storage,
      routes: (app) => {
        // Stands in for an application page with a file question (1 MB), as the applications module has.
        uploadForms(app, { maxBytes: 2 * MB }, (scope) => {
          scope.post('/test/applications/:id/upload', allow('applications.own'), async (request, reply) => {
            const { id } = request.params as { id: string }
            try {
              const answer = await uploads.store(id, 'idCopy', fileIn(request.body, 'idCopy'), { accept: ['pdf', 'jpeg', 'png'], maxBytes: MB }, request.session!.accountId)
              return reply.send({ answer, note: (request.body as Record<string, unknown>).note })
            } catch (error) {
              if (!(error instanceof Invalid)) throw error
              const field = error.fields.idCopy!
              return reply.code(400).send({ message: request.t(field.key, field.params) })
            }
          })
        })
      },
    })
    const account = await createAccount(database.db)
    applicant = { id: account.id, cookie: await signedInCookie(database.db, account.id) }
    applicationId = (await insertApplicationRow(database.db, { accountId: account.id, agency: 'DCI', slug: 'certificate-of-good-conduct' })).id
  })
  after(() => t.close())

  async function upload(file: { filename: string; type: string; bytes: Buffer } | undefined, options: { cookie?: string; lang?: string; extraFile?: boolean } = {}) {
    const { token, cookie } = await csrfFrom(t.app, '/feedback')
    const files = file ? [{ field: 'idCopy', ...file }] : []
    if (options.extraFile) files.push({ field: 'other', filename: 'b.pdf', type: 'application/pdf', bytes: PDF })
    const body = multipart({ _csrf: token, note: 'hello' }, files)
    return t.app.inject({
      method: 'POST',
      url: `/test/applications/${applicationId}/upload`,
      headers: { cookie: `${options.cookie ?? applicant.cookie}; ${cookie}${options.lang ? `; lang=${options.lang}` : ''}`, 'content-type': body.contentType },
      payload: body.payload,
    })
  }

  async function stored(): Promise<string> {
    const response = await upload({ filename: 'Kitambulisho cha Wanjikũ.pdf', type: 'application/pdf', bytes: PDF })
    assert.equal(response.statusCode, 200, response.body)
    return (response.json() as { answer: { id: string } }).answer.id
  }

  const download = (id: string, cookie?: string) => t.app.inject({ method: 'GET', url: `/uploads/${id}`, headers: cookie ? { cookie } : {} })

  it('reads a multipart form with its CSRF token, fields and file', async () => {
    const response = await upload({ filename: 'id.pdf', type: 'application/pdf', bytes: PDF })
    assert.equal(response.statusCode, 200, response.body)
    const body = response.json() as { answer: { name: string; type: string; size: number }; note: string }
    assert.deepEqual({ ...body.answer, id: undefined }, { id: undefined, name: 'id.pdf', type: 'application/pdf', size: PDF.length })
    assert.equal(body.note, 'hello')
  })

  it('refuses a multipart form without a valid CSRF token', async () => {
    const body = multipart({ _csrf: 'forged' }, [{ field: 'idCopy', filename: 'id.pdf', type: 'application/pdf', bytes: PDF }])
    const response = await t.app.inject({
      method: 'POST',
      url: `/test/applications/${applicationId}/upload`,
      headers: { cookie: applicant.cookie, 'content-type': body.contentType },
      payload: body.payload,
    })
    assert.equal(response.statusCode, 403)
  })

  it('says what is wrong with a lying file, in the person’s language', async () => {
    const png = await upload({ filename: 'id.pdf', type: 'application/pdf', bytes: PNG })
    assert.equal(png.statusCode, 400)
    assert.match(png.json().message, /do not match its name or type/)
    const exe = await upload({ filename: 'picha.jpg', type: 'image/jpeg', bytes: EXE }, { lang: 'sw' })
    assert.match(exe.json().message, /hayalingani na jina/)
    const empty = await upload({ filename: 'id.pdf', type: 'application/pdf', bytes: Buffer.alloc(0) })
    assert.equal(empty.json().message, 'The selected file is empty')
    const none = await upload(undefined)
    assert.equal(none.json().message, 'Select a file')
  })

  it('says the limit for a file over it, whether the parser read it all or cut it short', async () => {
    const over = await upload({ filename: 'id.pdf', type: 'application/pdf', bytes: Buffer.concat([PDF, Buffer.alloc(MB)]) })
    assert.equal(over.statusCode, 400)
    assert.equal(over.json().message, 'The selected file must be smaller than 1 MB')
    const cut = await upload({ filename: 'id.pdf', type: 'application/pdf', bytes: Buffer.concat([PDF, Buffer.alloc(3 * MB)]) })
    assert.equal(cut.json().message, 'The selected file must be smaller than 1 MB')
  })

  it('refuses a body far beyond any file’s limit, and a second file, before keeping anything', async () => {
    const before = storage.files.size
    const huge = await upload({ filename: 'id.pdf', type: 'application/pdf', bytes: Buffer.concat([PDF, Buffer.alloc(6 * MB)]) })
    assert.equal(huge.statusCode, 413)
    const two = await upload({ filename: 'id.pdf', type: 'application/pdf', bytes: PDF }, { extraFile: true })
    assert.equal(two.statusCode, 413)
    assert.equal(storage.files.size, before)
  })

  it('gives the file back to its owner as an attachment with a safe name, never sniffed', async () => {
    const id = await stored()
    const response = await download(id, applicant.cookie)
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['content-type'], 'application/pdf')
    assert.equal(response.headers['content-disposition'], `attachment; filename="Kitambulisho-cha-Wanjiku.pdf"; filename*=UTF-8''Kitambulisho%20cha%20Wanjik%C5%A9.pdf`)
    assert.equal(response.headers['x-content-type-options'], 'nosniff')
    assert.equal(response.headers['cache-control'], 'private, no-store')
    assert.match(String(response.headers['content-security-policy']), /sandbox/)
    assert.equal(Number(response.headers['content-length']), PDF.length)
    assert.deepEqual(response.rawPayload, PDF)
  })

  it('answers 404 to another person, as for a file that does not exist', async () => {
    const id = await stored()
    const other = await createAccount(t.database.db)
    assert.equal((await download(id, await signedInCookie(t.database.db, other.id))).statusCode, 404)
    assert.equal((await download('00000000-0000-4000-8000-000000000000', applicant.cookie)).statusCode, 404)
    assert.equal((await download('not-a-uuid', applicant.cookie)).statusCode, 404)
    assert.equal((await download(id)).headers.location, '/sign-in')
  })

  it('lets staff of the application’s agency download (audited), and no other agency’s', async () => {
    const id = await stored()
    const dci = await createAccount(t.database.db, { role: 'agency_officer', agencyCode: 'DCI', secondFactor: 'totp' })
    const dis = await createAccount(t.database.db, { role: 'agency_supervisor', agencyCode: 'DIS', secondFactor: 'totp' })
    const support = await createAccount(t.database.db, { role: 'support_agent', secondFactor: 'totp' })
    assert.equal((await download(id, await signedInCookie(t.database.db, dci.id))).statusCode, 200)
    assert.equal((await download(id, await signedInCookie(t.database.db, dis.id))).statusCode, 404)
    assert.equal((await download(id, await signedInCookie(t.database.db, support.id))).statusCode, 404)
    const entries = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'upload.download').execute()
    assert.deepEqual(entries.map((entry) => [entry.actor_id, entry.subject_id]), [[dci.id, id]])
  })

  it('logged no server error', () => {
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
