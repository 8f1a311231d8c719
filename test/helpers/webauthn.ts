import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'

// The little CBOR that WebAuthn needs: unsigned and negative integers, byte and text strings, maps.
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n])
  if (n < 256) return Buffer.from([(major << 5) | 24, n])
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255])
  const b = Buffer.alloc(5)
  b[0] = (major << 5) | 26
  b.writeUInt32BE(n, 1)
  return b
}

type CborValue = number | string | Uint8Array | Map<number | string, CborValue>

function cbor(value: CborValue): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)])
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value])
  const parts = [head(5, value.size)]
  for (const [k, v] of value) parts.push(cbor(k), cbor(v))
  return Buffer.concat(parts)
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest()
const b64url = (data: Buffer) => data.toString('base64url')

/** What a browser's ceremony may get wrong, or an attacker may try. */
export interface Tamper {
  origin?: string
  rpId?: string
  type?: string
  challenge?: string
}

/**
 * A software authenticator (ES256, attestation "none"), producing the JSON passkeys.js posts: enough to
 * test the server's checks without a browser.
 */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(16)
  counter = 0
  readonly #privateKey: KeyObject
  readonly #publicJwk: { x?: string; y?: string }

  constructor(
    readonly origin = 'http://localhost:3000',
    readonly rpId = 'localhost',
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.#privateKey = privateKey
    this.#publicJwk = publicKey.export({ format: 'jwk' })
  }

  get id(): string {
    return b64url(this.credentialId)
  }

  #clientData(type: string, challenge: string, tamper: Tamper): Buffer {
    return Buffer.from(JSON.stringify({ type: tamper.type ?? type, challenge: tamper.challenge ?? challenge, origin: tamper.origin ?? this.origin, crossOrigin: false }))
  }

  #authData(flags: number, extra: Buffer = Buffer.alloc(0), rpId = this.rpId): Buffer {
    const count = Buffer.alloc(4)
    count.writeUInt32BE(this.counter)
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, extra])
  }

  /** An answer to registration options (as JSON text). */
  register(options: { challenge: string }, tamper: Tamper = {}): string {
    const coseKey = cbor(
      new Map<number, CborValue>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(this.#publicJwk.x!, 'base64url')],
        [-3, Buffer.from(this.#publicJwk.y!, 'base64url')],
      ]),
    )
    const idLength = Buffer.from([this.credentialId.length >> 8, this.credentialId.length & 255])
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, coseKey])
    // Flags: user present, user verified, attested credential data included.
    const authData = this.#authData(0x45, attested, tamper.rpId)
    const attestationObject = cbor(new Map<string, CborValue>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]))
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(this.#clientData('webauthn.create', options.challenge, tamper)), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
    })
  }

  /** An answer to authentication options (as JSON text); each use moves the counter on, as a real one does. */
  authenticate(options: { challenge: string }, tamper: Tamper = {}): string {
    this.counter++
    const authData = this.#authData(0x05, undefined, tamper.rpId)
    const clientData = this.#clientData('webauthn.get', options.challenge, tamper)
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.#privateKey)
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(signature) },
      clientExtensionResults: {},
    })
  }
}
