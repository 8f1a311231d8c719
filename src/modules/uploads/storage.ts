import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export type FileSource = Uint8Array | Readable

/**
 * Where uploaded bytes live, by opaque key. The database row (table `uploads`) says what a file is and
 * who may have it; the store only keeps bytes, so a bucket (S3-compatible) can replace the disk later
 * without touching anything else.
 */
export interface FileStorage {
  /** Keeps the bytes under a new key and returns it. The file is there whole, or not at all. */
  put(source: FileSource): Promise<string>
  /** The bytes as a stream, or undefined when nothing is kept under the key. */
  get(key: string): Promise<Readable | undefined>
  /** Removes the file; a key with nothing under it is not an error. */
  delete(key: string): Promise<void>
}

/** 128 random bits, hex: unguessable, and safe as a file name because nothing else ever matches. */
const KEY = /^[0-9a-f]{32}$/

export function newStorageKey(): string {
  return randomBytes(16).toString('hex')
}

const asStream = (source: FileSource): Readable => (source instanceof Readable ? source : Readable.from([Buffer.from(source)]))

/**
 * Files on local disk under `root` (DATA_DIR/uploads), outside anything the web server serves:
 * `<root>/<first two characters of the key>/<key>`, so no directory grows past a few thousand entries.
 */
export class LocalDiskStorage implements FileStorage {
  constructor(private readonly root: string) {}

  #pathOf(key: string): string {
    // The key becomes a path: anything but our own shape could walk out of the root.
    if (!KEY.test(key)) throw new Error('not a storage key')
    return path.join(this.root, key.slice(0, 2), key)
  }

  async put(source: FileSource): Promise<string> {
    const key = newStorageKey()
    // Written beside the final place (same file system) and renamed: a reader, or a crash, never sees
    // half a file under a real key. Leftovers in tmp/ are from crashes and can be removed at any time.
    const tmpDir = path.join(this.root, 'tmp')
    await fsp.mkdir(tmpDir, { recursive: true, mode: 0o700 })
    const temp = path.join(tmpDir, `${key}.part`)
    try {
      await pipeline(asStream(source), fs.createWriteStream(temp, { flags: 'wx', mode: 0o600 }))
      // Flushed before the rename, so after a power cut the name never points at missing bytes.
      const handle = await fsp.open(temp, 'r')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
      const final = this.#pathOf(key)
      await fsp.mkdir(path.dirname(final), { recursive: true, mode: 0o700 })
      await fsp.rename(temp, final)
    } catch (error) {
      await fsp.rm(temp, { force: true })
      throw error
    }
    return key
  }

  async get(key: string): Promise<Readable | undefined> {
    if (!KEY.test(key)) return undefined
    try {
      // Opened before streaming, so a missing file is known before any answer starts.
      const handle = await fsp.open(this.#pathOf(key), 'r')
      return handle.createReadStream()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }

  async delete(key: string): Promise<void> {
    if (!KEY.test(key)) return
    await fsp.rm(this.#pathOf(key), { force: true })
  }
}

/** Bytes in a map, for tests and for trying the portal without a disk to write to. */
export class MemoryStorage implements FileStorage {
  readonly files = new Map<string, Buffer>()

  async put(source: FileSource): Promise<string> {
    const chunks: Buffer[] = []
    for await (const chunk of asStream(source)) chunks.push(Buffer.from(chunk as Uint8Array))
    const key = newStorageKey()
    this.files.set(key, Buffer.concat(chunks))
    return key
  }

  async get(key: string): Promise<Readable | undefined> {
    const bytes = this.files.get(key)
    return bytes && Readable.from([bytes])
  }

  async delete(key: string): Promise<void> {
    this.files.delete(key)
  }
}
