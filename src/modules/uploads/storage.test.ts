import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { after, describe, it } from 'node:test'
import { LocalDiskStorage, MemoryStorage, type FileStorage } from './storage.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ecitizen-uploads-'))
after(() => fs.rmSync(root, { recursive: true, force: true }))

for (const [name, make] of [
  ['local disk', () => new LocalDiskStorage(root)],
  ['memory', () => new MemoryStorage()],
] as const) {
  describe(`file storage: ${name}`, () => {
    const storage: FileStorage = make()

    it('keeps bytes and streams them back under an opaque key', async () => {
      const key = await storage.put(Buffer.from('%PDF-1.7 hello'))
      assert.match(key, /^[0-9a-f]{32}$/)
      assert.equal(await text((await storage.get(key))!), '%PDF-1.7 hello')
    })

    it('takes a stream as well as bytes', async () => {
      const key = await storage.put(Readable.from([Buffer.from('one '), Buffer.from('two')]))
      assert.equal(await text((await storage.get(key))!), 'one two')
    })

    it('answers undefined for a key it does not hold, and deletes quietly', async () => {
      assert.equal(await storage.get('0123456789abcdef0123456789abcdef'), undefined)
      const key = await storage.put(Buffer.from('x'))
      await storage.delete(key)
      await storage.delete(key)
      assert.equal(await storage.get(key), undefined)
    })
  })
}

describe('local disk storage', () => {
  const storage = new LocalDiskStorage(root)

  it('shards by the key’s first two characters, private to the process, leaving no temporary file', async () => {
    const key = await storage.put(Buffer.from('abc'))
    const file = path.join(root, key.slice(0, 2), key)
    assert.equal(fs.readFileSync(file, 'utf8'), 'abc')
    assert.equal(fs.statSync(file).mode & 0o777, 0o600)
    assert.deepEqual(fs.readdirSync(path.join(root, 'tmp')), [])
  })

  it('never turns a key into a path outside its root', async () => {
    assert.equal(await storage.get('../../etc/passwd'), undefined)
    assert.equal(await storage.get('AB'), undefined)
    await storage.delete('../secrets')
  })

  it('leaves nothing behind when the source fails half-way', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'))
        this.destroy(new Error('connection lost'))
      },
    })
    const before = fs.readdirSync(root).length
    await assert.rejects(storage.put(failing), /connection lost/)
    assert.deepEqual(fs.readdirSync(path.join(root, 'tmp')), [])
    assert.equal(fs.readdirSync(root).length, before)
  })
})
