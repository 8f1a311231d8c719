import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { text } from 'node:stream/consumers'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { insertApplicationRow } from '../../../test/helpers/application-rows.js'
import { EXE, JPEG, PDF, PNG } from '../../../test/helpers/files.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { Invalid } from '../../platform/http/errors.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { upsertAgencies } from '../agencies/store.js'
import { UploadService, limitsFor, type IncomingFile, type UploadLimits } from './service.js'
import { MemoryStorage } from './storage.js'


const ANY: UploadLimits = { accept: ['pdf', 'jpeg', 'png'], maxBytes: 5 * 1024 * 1024 }

describe(`uploads on ${TEST_ENGINE}`, () => {
  let database: DatabaseHandle
  let storage: MemoryStorage
  let uploads: UploadService
  let applicationId: string
  let accountId: string
  before(async () => {
    database = await freshDatabase()
    await upsertAgencies(database.db, DEMO_AGENCIES)
    storage = new MemoryStorage()
    uploads = new UploadService(database.db, storage)
    accountId = (await createAccount(database.db)).id
    applicationId = (await insertApplicationRow(database.db, { accountId, agency: 'DCI', slug: 'certificate-of-good-conduct' })).id
  })
  after(() => database.close())

  const store = (file: Partial<IncomingFile>, limits = ANY) =>
    uploads.store(applicationId, 'idCopy', { filename: 'id.pdf', mimetype: 'application/pdf', bytes: PDF, ...file }, limits, accountId)

  /** The locale key (and parameters) a refused file gets at its question. */
  async function refusal(file: Partial<IncomingFile>, limits = ANY) {
    const before = storage.files.size
    const error = await store(file, limits).then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof Invalid, String(error))
    assert.equal(storage.files.size, before, 'nothing kept')
    const field = error.fields.idCopy
    assert.ok(field, 'the error is at the question')
    return field
  }

  it('keeps a PDF, records its SHA-256, and answers with what the application saves', async () => {
    const answer = await store({ filename: 'Kitambulisho cha Wanjikũ.pdf' })
    assert.deepEqual(Object.keys(answer).sort(), ['id', 'name', 'size', 'type'])
    assert.equal(answer.name, 'Kitambulisho cha Wanjikũ.pdf')
    assert.equal(answer.type, 'application/pdf')
    assert.equal(answer.size, PDF.length)
    const upload = await uploads.find(answer.id!)
    assert.equal(upload?.sha256, createHash('sha256').update(PDF).digest('hex'))
    assert.equal(upload?.safeName, 'Kitambulisho-cha-Wanjiku.pdf')
    assert.equal(upload?.uploadedBy, accountId)
    assert.equal(await text((await uploads.open(upload!))!), PDF.toString())
    assert.ok(await uploads.belongsTo(answer.id!, applicationId, 'idCopy'))
    assert.ok(!(await uploads.belongsTo(answer.id!, applicationId, 'birthCertificate')))
  })

  it('accepts JPEG and PNG, with the canonical media type, and a browser that could not tell the type', async () => {
    assert.equal((await store({ filename: 'photo.JPEG', mimetype: 'image/pjpeg', bytes: JPEG })).type, 'image/jpeg')
    assert.equal((await store({ filename: 'scan.png', mimetype: 'application/octet-stream', bytes: PNG })).type, 'image/png')
  })

  it('refuses a .pdf that is really a PNG', async () => {
    assert.deepEqual(await refusal({ filename: 'id.pdf', mimetype: 'application/pdf', bytes: PNG }), {
      key: 'uploads.errors.mismatch',
      params: { types: 'PDF, JPEG, PNG' },
    })
  })

  it('refuses a program renamed .jpg', async () => {
    assert.equal((await refusal({ filename: 'photo.jpg', mimetype: 'image/jpeg', bytes: EXE })).key, 'uploads.errors.mismatch')
  })

  it('refuses a real PDF declared as something else, or named as something else', async () => {
    assert.equal((await refusal({ filename: 'id.pdf', mimetype: 'text/html' })).key, 'uploads.errors.mismatch')
    assert.equal((await refusal({ filename: 'id.png', mimetype: 'image/png' })).key, 'uploads.errors.mismatch')
    assert.equal((await refusal({ filename: 'id.exe', mimetype: 'application/pdf' })).key, 'uploads.errors.type')
    assert.equal((await refusal({ filename: 'id', mimetype: 'application/pdf' })).key, 'uploads.errors.type')
  })

  it('refuses kinds the question does not accept', async () => {
    assert.deepEqual(await refusal({ filename: 'id.pdf' }, { accept: ['jpeg', 'png'], maxBytes: ANY.maxBytes }), {
      key: 'uploads.errors.type',
      params: { types: 'JPEG, PNG' },
    })
  })

  it('refuses an empty file, and says to choose one when none was chosen', async () => {
    assert.equal((await refusal({ filename: 'id.pdf', bytes: Buffer.alloc(0) })).key, 'uploads.errors.empty')
    assert.equal((await refusal({ filename: '', mimetype: 'application/octet-stream', bytes: Buffer.alloc(0) })).key, 'uploads.errors.missing')
  })

  it('refuses a file over the question’s limit, with the limit in the message', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(1024 * 1024)])
    assert.deepEqual(await refusal({ bytes: big }, { accept: ['pdf'], maxBytes: 1024 * 1024 }), { key: 'uploads.errors.tooLarge', params: { max: '1 MB' } })
    assert.equal((await refusal({ bytes: PDF, truncated: true })).key, 'uploads.errors.tooLarge', 'cut short by the form parser')
    assert.equal((await store({ bytes: Buffer.concat([PDF, Buffer.alloc(1024 * 1024 - PDF.length)]) }, { accept: ['pdf'], maxBytes: 1024 * 1024 })).size, 1024 * 1024)
  })

  it('reads a question’s limits: 5 MB unless it says otherwise', () => {
    const question = { id: 'idCopy', type: 'file', label: { en: 'ID', sw: 'ID' }, accept: ['pdf'] } as const
    assert.deepEqual(limitsFor({ ...question, accept: ['pdf'] }), { accept: ['pdf'], maxBytes: 5 * 1024 * 1024 })
    assert.equal(limitsFor({ ...question, accept: ['pdf'], maxMegabytes: 0.5 }).maxBytes, 512 * 1024)
  })

  it('drops the bytes when the row cannot be written', async () => {
    const before = storage.files.size
    await assert.rejects(uploads.store('00000000-0000-4000-8000-000000000000', 'idCopy', { filename: 'id.pdf', mimetype: 'application/pdf', bytes: PDF }, ANY, accountId))
    assert.equal(storage.files.size, before)
  })

  it('removes a replaced file, row and bytes', async () => {
    const answer = await store({})
    const before = storage.files.size
    await uploads.remove(answer.id!)
    assert.equal(await uploads.find(answer.id!), undefined)
    assert.equal(storage.files.size, before - 1)
  })
})
