/**
 * The documents module's setting, in the same shape as the portal's others: the private key that signs
 * issued documents. The key is checked when the settings are read (a wrong one stops the program with
 * one line naming the variable), and its value is never echoed back, in an error or anywhere else.
 */
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { blank, ModuleSettingError, type Env, type Setting } from '../../platform/module-settings.js'

export interface DocumentSettings {
  /** PKCS8 PEM or a private JWK, as given; undefined: the portal makes and keeps its own key. */
  documentSigningKey: string | undefined
}

export class DocumentSettingError extends ModuleSettingError {}

/**
 * The Ed25519 private key in `text`: PKCS8 PEM (`-----BEGIN PRIVATE KEY-----`, real line breaks or `\n`
 * escapes, as environment files often hold them) or a private JWK (`{"kty":"OKP","crv":"Ed25519",…}`).
 */
export function parseSigningKey(text: string): KeyObject {
  const raw = text.trim()
  let key: KeyObject
  try {
    key = raw.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(raw) as JsonWebKey, format: 'jwk' })
      : createPrivateKey({ key: raw.replace(/\\n/g, '\n'), format: 'pem' })
  } catch {
    throw new DocumentSettingError('DOCUMENT_SIGNING_KEY', 'must be an Ed25519 private key: PKCS8 PEM or a private JWK')
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new DocumentSettingError('DOCUMENT_SIGNING_KEY', `must be an Ed25519 key (got ${key.asymmetricKeyType ?? 'another kind'})`)
  return key
}

export const DOCUMENT_SETTINGS = {
  documentSigningKey: {
    variable: 'DOCUMENT_SIGNING_KEY',
    description:
      'The Ed25519 private key that signs issued documents: PKCS8 PEM or a private JWK; every process must share it. Unset: the portal makes one on first use and keeps it in its database (fine for one machine; set this in production). `ecitizen documents rotate-key` makes the next one.',
    defaultText: '(unset: generated, kept in the database)',
    read: (raw) => {
      if (blank(raw)) return undefined
      parseSigningKey(raw as string)
      return (raw as string).trim()
    },
  },
} satisfies { [K in keyof DocumentSettings]: Setting<DocumentSettings[K]> }

export function readDocumentSettings(env: Env = process.env): DocumentSettings {
  return { documentSigningKey: DOCUMENT_SETTINGS.documentSigningKey.read(env.DOCUMENT_SIGNING_KEY) }
}
