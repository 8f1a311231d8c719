import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint } from 'jose'
import { sql } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { Executor } from '../applications/store.js'
import { parseSigningKey } from './settings.js'

/**
 * The keys that sign documents.
 *
 * - With DOCUMENT_SIGNING_KEY set (production), every process signs with that key; its public half is
 *   recorded in `document_signing_keys` in the transaction of each document it signs (a no-op after the
 *   first), and its private half is never written anywhere. Web processes stay stateless: a new process
 *   needs only its settings.
 * - Without it (the embedded default), the portal makes a key on first use and keeps it in the same
 *   table, private half included. The database, not a file in DATA_DIR: state lives in the database
 *   only, so every process using it (web, worker, another machine) signs with the same key, a backup
 *   keeps the key with the documents it signed, and a test's in-memory database has a key of its own.
 *   The price is that whoever can read the database can sign: hence the setting in production.
 *
 * A key's id (kid) is its RFC 7638 thumbprint cut to 16 characters (96 bits): the same key gets the same
 * id in every process without coordination, and the QR code stays small.
 */
export interface SigningKey {
  kid: string
  privateKey: KeyObject
}

export interface PublicJwk {
  kty: string
  crv: string
  x: string
}

export const KID_LENGTH = 16
/** How long a kid we do not know waits before the table is read again: garbage kids cost no query. */
const RELOAD_AFTER_MS = 30_000

export function publicJwkOf(key: KeyObject): PublicJwk {
  const { kty, crv, x } = createPublicKey(key).export({ format: 'jwk' })
  return { kty: kty!, crv: crv!, x: x! }
}

export async function kidOf(jwk: PublicJwk): Promise<string> {
  return (await calculateJwkThumbprint(jwk, 'sha256')).slice(0, KID_LENGTH)
}

/** A fresh Ed25519 key pair: the private key as PKCS8 PEM, and its kid and public JWK. */
export async function generateSigningKey(): Promise<{ kid: string; pem: string; publicJwk: PublicJwk }> {
  const { privateKey } = generateKeyPairSync('ed25519')
  const publicJwk = publicJwkOf(privateKey)
  return { kid: await kidOf(publicJwk), pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicJwk }
}

async function recordKey(executor: Executor, key: { kid: string; publicJwk: PublicJwk; source: 'setting' | 'generated'; pem?: string }): Promise<void> {
  await executor
    .insertInto('document_signing_keys')
    .values({ kid: key.kid, public_jwk: JSON.stringify(key.publicJwk), source: key.source, private_pkcs8: key.pem ?? null })
    .onConflict((oc) => oc.doNothing())
    .execute()
}

function currentGenerated(executor: Executor) {
  return executor
    .selectFrom('document_signing_keys')
    .select(['kid', 'private_pkcs8'])
    .where('source', '=', 'generated')
    .where('retired_at', 'is', null)
    .executeTakeFirst()
}

export class SigningKeys {
  private readonly fromSetting?: KeyObject
  private settingKid?: Promise<string>
  /** Private keys read from the table, by kid: imported once. */
  private readonly privateKeys = new Map<string, KeyObject>()
  /** Every public key we ever used, by kid (keys never change; a kid is never reused). */
  private publicKeys = new Map<string, KeyObject>()
  private loadedAt = 0
  private loading?: Promise<void>
  /** The published set as JSON, read at most once a minute: verifiers fetch it often. */
  private jwks?: { body: string; kids: Set<string>; expires: number }

  constructor(
    private readonly db: Db,
    /** DOCUMENT_SIGNING_KEY, when set. */
    signingKey?: string,
  ) {
    if (signingKey) this.fromSetting = parseSigningKey(signingKey)
  }

  /** The key that signs now, made (embedded default) or recorded (setting) in the caller's transaction. */
  async current(trx: Executor): Promise<SigningKey> {
    if (this.fromSetting) {
      const publicJwk = publicJwkOf(this.fromSetting)
      const kid = await (this.settingKid ??= kidOf(publicJwk))
      await recordKey(trx, { kid, publicJwk, source: 'setting' })
      this.signedWith(kid)
      return { kid, privateKey: this.fromSetting }
    }
    let row = await currentGenerated(trx)
    if (!row) {
      // Two processes making the first key at once: the unique index keeps one, and both read it back.
      const made = await generateSigningKey()
      await recordKey(trx, { ...made, source: 'generated' })
      row = await currentGenerated(trx)
      if (!row) throw new Error('no signing key after making one')
    }
    let privateKey = this.privateKeys.get(row.kid)
    if (!privateKey) {
      privateKey = createPrivateKey({ key: row.private_pkcs8!, format: 'pem' })
      this.privateKeys.set(row.kid, privateKey)
    }
    this.signedWith(row.kid)
    return { kid: row.kid, privateKey }
  }

  /** A key this process signs with is published at once, not after the minute the set is kept. */
  private signedWith(kid: string): void {
    if (this.jwks && !this.jwks.kids.has(kid)) this.jwks = undefined
  }

  /** The JWK Set to publish at /.well-known/jwks.json, as its JSON text. */
  async jwksJson(today: string): Promise<string> {
    if (!this.jwks || this.jwks.expires < Date.now()) {
      const keys = await this.published(today)
      const body = JSON.stringify({ keys: keys.map((key) => ({ ...key, alg: 'EdDSA', use: 'sig' })) })
      this.jwks = { body, kids: new Set(keys.map((key) => key.kid)), expires: Date.now() + 60_000 }
    }
    return this.jwks.body
  }

  /**
   * The public key of a kid we have used, else undefined; answered from memory once loaded. `recorded`
   * says the document's record names this kid: a key another process began using moments ago is then
   * read at once, rather than after the wait that keeps garbage kids cheap.
   */
  async publicKey(kid: string, recorded = false): Promise<KeyObject | undefined> {
    const known = this.publicKeys.get(kid)
    if (known) return known
    if (!recorded && Date.now() - this.loadedAt < RELOAD_AFTER_MS) return undefined
    await (this.loading ??= this.loadPublicKeys().finally(() => (this.loading = undefined)))
    return this.publicKeys.get(kid)
  }

  private async loadPublicKeys(): Promise<void> {
    const rows = await this.db.selectFrom('document_signing_keys').select(['kid', 'public_jwk']).execute()
    this.publicKeys = new Map(rows.map((row) => [row.kid, createPublicKey({ key: { ...row.public_jwk }, format: 'jwk' })]))
    this.loadedAt = Date.now()
  }


  /**
   * The public keys to publish: the one signing now, and every other that signed a document still
   * valid (not expired, not revoked), so rotating never invalidates what was issued before.
   */
  async published(today: string): Promise<(PublicJwk & { kid: string })[]> {
    const rows = await this.db
      .selectFrom('document_signing_keys as k')
      .select(['k.kid', 'k.public_jwk'])
      .where((eb) =>
        eb.or([
          eb('k.retired_at', 'is', null),
          eb.exists(
            eb
              .selectFrom('issued_documents as d')
              .select(sql`1`.as('one'))
              .whereRef('d.signing_key_id', '=', 'k.kid')
              .where('d.revoked_at', 'is', null)
              .where((inner) => inner.or([inner('d.valid_until', 'is', null), inner('d.valid_until', '>=', sql<string>`${today}::date`)])),
          ),
        ]),
      )
      .orderBy('k.created_at')
      .execute()
    const keys = rows.map((row) => ({ kid: row.kid, kty: row.public_jwk.kty, crv: row.public_jwk.crv, x: row.public_jwk.x }))
    // The setting's key is published before it signs anything: a verifier may fetch the set first.
    if (this.fromSetting) {
      const publicJwk = publicJwkOf(this.fromSetting)
      const kid = await (this.settingKid ??= kidOf(publicJwk))
      if (!keys.some((key) => key.kid === kid)) keys.push({ kid, ...publicJwk })
    }
    return keys
  }
}

export interface Rotation {
  kid: string
  /** Where the new private key went: the database (embedded default), or a file for DOCUMENT_SIGNING_KEY. */
  stored: 'database' | 'file'
}

/**
 * Makes the next signing key; every earlier key stays to verify what it signed. Without
 * DOCUMENT_SIGNING_KEY the new key is kept in the database and signs from the next document on. With
 * it, the private key is written to `privateKeyFile` (created, never overwritten, readable by its owner
 * only) for the operator to put in DOCUMENT_SIGNING_KEY, and its public key is published at once, so
 * verifiers know it before the first document it signs.
 */
export async function rotateSigningKey(
  db: Db,
  options: { signingKey?: string; writePrivateKey?: (pem: string) => Promise<void> },
): Promise<Rotation> {
  const made = await generateSigningKey()
  if (options.signingKey) {
    if (!options.writePrivateKey) throw new Error('with DOCUMENT_SIGNING_KEY set, the new private key needs somewhere to go')
    await options.writePrivateKey(made.pem)
  }
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('document_signing_keys').set({ retired_at: sql<Date>`now()` }).where('retired_at', 'is', null).execute()
    await recordKey(trx, options.signingKey ? { ...made, pem: undefined, source: 'setting' } : { ...made, source: 'generated' })
  })
  return { kid: made.kid, stored: options.signingKey ? 'file' : 'database' }
}
