import type { KeyObject } from 'node:crypto'
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose'
import type { Text } from '../services/definition.js'
import type { SigningKey } from './signing.js'
import type { DocumentKind } from './tables.js'

/**
 * The credential in a document's QR code: a compact JWS (EdDSA, Ed25519) over only what a verifier
 * needs to recognise the document. No ID number, date of birth or address: whoever scans the code
 * learns nothing the printed page does not already show them.
 */
export interface CredentialClaims {
  /** The portal that issued it: its public URL, where /.well-known/jwks.json is. */
  iss: string
  num: string
  kind: DocumentKind
  title: Text
  holder: string
  /** The issuing agency's code. */
  agency: string
  validFrom: string
  /** The last day it is valid, or null: it does not expire. */
  validUntil: string | null
  /** When it was issued, in seconds since 1970 (as JWT's iat). */
  iat: number
}

export const CREDENTIAL_ALG = 'EdDSA'
/** The media type of the payload (RFC 7515 `typ`), so it is never mistaken for another kind of token. */
export const CREDENTIAL_TYPE = 'ecitizen-document+jws'
/** A real credential is under 1,000 characters; anything far longer is not one of ours. */
const MAX_LENGTH = 4000

export async function signCredential(key: SigningKey, claims: CredentialClaims): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: CREDENTIAL_ALG, kid: key.kid, typ: CREDENTIAL_TYPE })
    .sign(key.privateKey)
}

/** Why a credential is not genuine: unreadable, a key we never used, or a signature that does not match. */
export type CredentialFailure = 'unreadable' | 'unknown-key' | 'bad-signature'

export type CredentialCheck = { genuine: true; kid: string; claims: CredentialClaims } | { genuine: false; reason: CredentialFailure }

const isText = (value: unknown): value is Text =>
  typeof value === 'object' && value !== null && typeof (value as Text).en === 'string' && typeof (value as Text).sw === 'string'

function readClaims(payload: Uint8Array): CredentialClaims | undefined {
  let claims: Partial<CredentialClaims>
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as Partial<CredentialClaims>
  } catch {
    return undefined
  }
  const ok =
    typeof claims === 'object' && claims !== null &&
    typeof claims.num === 'string' && typeof claims.kind === 'string' && isText(claims.title) &&
    typeof claims.holder === 'string' && typeof claims.agency === 'string' && typeof claims.validFrom === 'string' &&
    (claims.validUntil === null || typeof claims.validUntil === 'string') && typeof claims.iat === 'number'
  return ok ? (claims as CredentialClaims) : undefined
}

/**
 * Checks a credential's signature with the key its header names. `keyFor` answers the public key of a
 * kid we have used (undefined otherwise). Never throws on what a stranger sends.
 */
export async function checkCredential(jws: string, keyFor: (kid: string) => Promise<KeyObject | undefined>): Promise<CredentialCheck> {
  if (jws.length > MAX_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jws)) return { genuine: false, reason: 'unreadable' }
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(jws)
  } catch {
    return { genuine: false, reason: 'unreadable' }
  }
  if (header.alg !== CREDENTIAL_ALG || typeof header.kid !== 'string' || header.kid.length > 64) return { genuine: false, reason: 'unreadable' }
  const key = await keyFor(header.kid)
  if (!key) return { genuine: false, reason: 'unknown-key' }
  let payload: Uint8Array
  try {
    // Only EdDSA is accepted, whatever the header says: no algorithm confusion.
    payload = (await compactVerify(jws, key, { algorithms: [CREDENTIAL_ALG] })).payload
  } catch {
    return { genuine: false, reason: 'bad-signature' }
  }
  const claims = readClaims(payload)
  // Signed by our key but not our shape: we never signed it, so something is wrong with the key's use.
  if (!claims) return { genuine: false, reason: 'bad-signature' }
  return { genuine: true, kid: header.kid, claims }
}
