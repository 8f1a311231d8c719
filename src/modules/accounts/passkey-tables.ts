import type { ColumnType, Generated } from 'kysely'

/** Table types of migration 0008_passkeys; platform/db/schema.ts's Database extends PasskeyTables. */

export interface PasskeysTable {
  id: Generated<string>
  account_id: string
  /** base64url, as the browser sends it. */
  credential_id: string
  /** COSE-encoded public key (bytea: Buffer from pg, Uint8Array from PGlite). */
  public_key: ColumnType<Uint8Array, Uint8Array, never>
  /** bigint: read back as a string by pg, as a number by PGlite. */
  counter: ColumnType<string | number, string | number | undefined, string | number>
  transports: ColumnType<string[], string[] | undefined, string[]>
  name: string
  created_at: Generated<Date>
  last_used_at: ColumnType<Date | null, never, Date | null>
}

export type PasskeyChallengePurpose = 'register' | 'sign-in'

export interface PasskeyChallengesTable {
  session_hash: string
  purpose: PasskeyChallengePurpose
  challenge: string
  expires_at: Date
}

export interface PasskeyTables {
  passkeys: PasskeysTable
  passkey_challenges: PasskeyChallengesTable
}
