import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createAccount } from '../../../test/helpers/accounts.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { todayInKenya } from '../services/dates.js'
import { documentsCommand } from './key-command.js'
import { generateSigningKey } from './signing.js'
import { findDocument } from './store.js'
import { documentsTestApp, issue, submittedApplication, type DocumentsTestApp } from './test-support.js'

const verify = (t: DocumentsTestApp, number: string, credential: string) => t.app.inject({ url: `/verify/${number}?c=${credential}` })

describe(`signing keys on ${TEST_ENGINE}`, () => {
  describe('the embedded default: a key made on first use, kept in the database', () => {
    let t: DocumentsTestApp
    let accountId: string
    before(async () => {
      t = await documentsTestApp()
      accountId = (await createAccount(t.database.db)).id
    })
    after(() => t.close())

    it('publishes no key before the first document, then the one that signed it', async () => {
      const empty = await t.app.inject({ url: '/.well-known/jwks.json' })
      assert.equal(empty.statusCode, 200)
      assert.deepEqual(JSON.parse(empty.body), { keys: [] })
      const number = await issue(t, await submittedApplication(t, { accountId }))
      const document = (await findDocument(t.database.db, number))!
      const stored = await t.database.db.selectFrom('document_signing_keys').selectAll().execute()
      assert.equal(stored.length, 1)
      assert.equal(stored[0]!.kid, document.signing_key_id)
      assert.equal(stored[0]!.source, 'generated')
      assert.deepEqual(await t.documents.deps.keys.published(todayInKenya()), [{ kid: document.signing_key_id, ...stored[0]!.public_jwk }])
    })

    it('rotates: new documents get the new key, earlier ones still verify and stay published while valid', async () => {
      const first = (await findDocument(t.database.db, await issue(t, await submittedApplication(t, { accountId }))))!
      const lines: string[] = []
      assert.equal(await documentsCommand(t.database.db, {}, ['rotate-key'], (line) => lines.push(line)), 0)
      assert.match(lines.join('\n'), /New signing key [\w-]{16}: it signs from the next document on/)
      const second = (await findDocument(t.database.db, await issue(t, await submittedApplication(t, { accountId }))))!
      assert.notEqual(second.signing_key_id, first.signing_key_id)
      for (const document of [first, second]) {
        const page = await verify(t, document.number, document.credential)
        assert.equal(page.statusCode, 200)
        assert.match(page.body, /The credential in the QR code is genuine/, document.number)
      }
      const published = (await t.documents.deps.keys.published(todayInKenya())).map((key) => key.kid)
      assert.ok(published.includes(first.signing_key_id) && published.includes(second.signing_key_id))
      // Once nothing the old key signed is valid any more, it is no longer published, yet still verifies.
      await t.database.db.updateTable('issued_documents').set({ revoked_at: new Date(), revoked_by: accountId, revocation_reason: 'other', revocation_note: 'test' }).where('signing_key_id', '=', first.signing_key_id).execute()
      assert.deepEqual((await t.documents.deps.keys.published(todayInKenya())).map((key) => key.kid), [second.signing_key_id])
      assert.match((await verify(t, first.number, first.credential)).body, /The credential in the QR code is genuine/)
    })

    it('serves the key set as JWK with the algorithm, never a private part', async () => {
      const response = await t.app.inject({ url: '/.well-known/jwks.json' })
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /^application\/jwk-set\+json/)
      assert.match(String(response.headers['cache-control']), /public, max-age=\d+/)
      const { keys } = JSON.parse(response.body) as { keys: Record<string, string>[] }
      assert.ok(keys.length >= 1)
      for (const key of keys) {
        assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x'])
        assert.deepEqual([key.kty, key.crv, key.alg, key.use], ['OKP', 'Ed25519', 'EdDSA', 'sig'])
      }
    })
  })

  describe('DOCUMENT_SIGNING_KEY: the key from the setting, never written to the database', () => {
    let t: DocumentsTestApp
    let pem: string
    let kid: string
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'))
    before(async () => {
      const made = await generateSigningKey()
      pem = made.pem
      kid = made.kid
      t = await documentsTestApp({ DOCUMENT_SIGNING_KEY: pem.replace(/\n/g, '\\n') })
    })
    after(async () => {
      await t.close()
      fs.rmSync(dir, { recursive: true, force: true })
    })

    it('signs with the setting’s key, publishes it before it signs, and keeps only its public half', async () => {
      const before = JSON.parse((await t.app.inject({ url: '/.well-known/jwks.json' })).body) as { keys: { kid: string }[] }
      assert.deepEqual(before.keys.map((key) => key.kid), [kid])
      const accountId = (await createAccount(t.database.db)).id
      const document = (await findDocument(t.database.db, await issue(t, await submittedApplication(t, { accountId }))))!
      assert.equal(document.signing_key_id, kid, 'the kid is the key’s thumbprint: every process agrees on it')
      const stored = await t.database.db.selectFrom('document_signing_keys').selectAll().execute()
      assert.deepEqual(stored.map((row) => [row.kid, row.source, row.private_pkcs8]), [[kid, 'setting', null]])
      assert.match((await verify(t, document.number, document.credential)).body, /The credential in the QR code is genuine/)
      const body = pem.split('\n')[1]!
      assert.ok(!JSON.stringify(t.logs).includes(body), 'the private key is never logged')
    })

    it('rotates into a file for the operator, and publishes the new key at once', async () => {
      const lines: string[] = []
      const settings = { documentSigningKey: pem }
      assert.equal(await documentsCommand(t.database.db, settings, ['rotate-key'], (line) => lines.push(line)), 2, 'a file is required')
      const file = path.join(dir, 'next-key.pem')
      assert.equal(await documentsCommand(t.database.db, settings, ['rotate-key', '--out', file], (line) => lines.push(line)), 0)
      const written = fs.readFileSync(file, 'utf8')
      assert.match(written, /^-----BEGIN PRIVATE KEY-----/)
      if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o777, 0o600)
      assert.ok(!lines.join('\n').includes(written.split('\n')[1]!), 'the new private key is not printed')
      const stored = await t.database.db.selectFrom('document_signing_keys').select(['kid', 'private_pkcs8', 'retired_at']).orderBy('created_at').execute()
      assert.equal(stored.length, 2)
      assert.ok(stored.every((row) => row.private_pkcs8 === null))
      const published = (await t.documents.deps.keys.published(todayInKenya())).map((key) => key.kid)
      assert.deepEqual(published.sort(), stored.map((row) => row.kid).sort(), 'the old key signed a valid document; the new one is next')
      assert.equal(await documentsCommand(t.database.db, settings, ['rotate-key', '--out', file], () => {}), 2, 'never overwrites a file')
    })
  })
})
