import fs from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { Db } from '../../platform/db/database.js'
import { rotateSigningKey } from './signing.js'

export const DOCUMENTS_HELP = `Usage:
  ecitizen documents rotate-key [--out FILE]

Makes the next key that signs issued documents. Every earlier key stays published at
/.well-known/jwks.json while documents it signed are valid, so nothing issued before stops verifying.
Without DOCUMENT_SIGNING_KEY, the new key is kept in the database and signs from the next document on.
With it, --out FILE is required: the new private key (PKCS8 PEM) is written there, readable by its owner
only; its public key is published at once. Put the file's contents in DOCUMENT_SIGNING_KEY, restart the
processes, then delete the file.`

/**
 * `ecitizen documents …`: returns the exit code; what it prints goes to `out`, never to the logs, and
 * never a private key.
 */
export async function documentsCommand(db: Db, settings: { documentSigningKey?: string }, argv: string[], out: (line: string) => void): Promise<number> {
  const [action, ...rest] = argv
  let values: { out?: string }
  try {
    values = parseArgs({ args: rest, options: { out: { type: 'string' } }, strict: true }).values
  } catch (error) {
    out(`${(error as Error).message}\n\n${DOCUMENTS_HELP}`)
    return 2
  }
  if (action !== 'rotate-key') {
    out(DOCUMENTS_HELP)
    return 2
  }
  if (settings.documentSigningKey && !values.out) {
    out(`ecitizen: DOCUMENT_SIGNING_KEY is set, so the new key must go to a file: give --out FILE\n\n${DOCUMENTS_HELP}`)
    return 2
  }
  // 'wx': never overwrite a file (it may hold the key in use); 0600: the owner alone may read it.
  const writePrivateKey = values.out ? (pem: string) => fs.writeFile(values.out!, pem, { flag: 'wx', mode: 0o600 }) : undefined
  try {
    const rotation = await rotateSigningKey(db, { signingKey: settings.documentSigningKey, writePrivateKey })
    if (rotation.stored === 'file') {
      out(`New signing key ${rotation.kid} written to ${values.out} and published.`)
      out('Put the file’s contents in DOCUMENT_SIGNING_KEY, restart the processes, then delete the file.')
    } else {
      out(`New signing key ${rotation.kid}: it signs from the next document on. Earlier keys still verify what they signed.`)
    }
    return 0
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      out(`ecitizen: ${values.out} already exists; choose a new file`)
      return 2
    }
    throw error
  }
}
