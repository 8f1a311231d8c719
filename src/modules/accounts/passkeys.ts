import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { sql } from 'kysely'
import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import { NotFound } from '../../platform/http/errors.js'
import type { PasskeyChallengePurpose } from './passkey-tables.js'
import { findAccount } from './store.js'

/** How long a person has to answer their browser's passkey prompt, and how long its challenge lives. */
const CEREMONY_MS = 120_000
const CHALLENGE_MINUTES = 5
export const NAME_MAX = 60
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface PasskeySummary {
  id: string
  name: string
  createdAt: Date
  lastUsedAt: Date | null
}

/** Why a ceremony was refused: recorded in the audit log, never shown in more detail than "try again". */
export type Refusal = 'no-challenge' | 'malformed' | 'unknown-credential' | 'not-verified' | 'counter' | 'duplicate'

export type CeremonyResult = { ok: true } | { ok: false; reason: Refusal }

/** The browser's answer, as posted: JSON text from a form field. Anything that is not an object is malformed. */
function parseResponse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { id?: unknown }).id === 'string'
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Passkeys (WebAuthn) as a second factor, after the password. The relying party is the host of
 * PUBLIC_URL: a passkey made for it works only there, which is what makes passkeys resist phishing.
 */
export class PasskeyService {
  readonly rpID: string
  readonly origin: string
  private readonly rpName: string

  constructor(
    private readonly db: Db,
    settings: { publicUrl: string; rpName: string },
  ) {
    const url = new URL(settings.publicUrl)
    this.rpID = url.hostname
    this.origin = url.origin
    this.rpName = settings.rpName
  }

  findAccount(id: string) {
    return findAccount(this.db, id)
  }

  async list(accountId: string): Promise<PasskeySummary[]> {
    const rows = await this.db
      .selectFrom('passkeys')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .execute()
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at }))
  }

  /** Options for navigator.credentials.create(), for a signed-in person adding a passkey. */
  async registrationOptions(accountId: string, sessionHash: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const account = await findAccount(this.db, accountId)
    if (!account) throw new NotFound('no such account')
    const existing = await this.#credentials(accountId)
    const options = await generateRegistrationOptions({
      rpName: this.rpName,
      rpID: this.rpID,
      userName: account.email,
      userDisplayName: `${account.first_name} ${account.last_name}`,
      // The account's id, not its email or ID number: authenticators may show or sync this handle.
      userID: new Uint8Array(Buffer.from(account.id.replace(/-/g, ''), 'hex')),
      timeout: CEREMONY_MS,
      attestationType: 'none',
      // The same authenticator twice would add nothing; the browser says so instead of making one.
      excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: c.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    })
    await this.#keepChallenge(sessionHash, 'register', options.challenge)
    return options
  }

  /** Checks the browser's answer and adds the passkey; it becomes the account's second factor. */
  async register(accountId: string, sessionHash: string, responseText: string, name: string, context: RequestContext): Promise<CeremonyResult> {
    const challenge = await this.#takeChallenge(sessionHash, 'register')
    const response = parseResponse(responseText)
    let result: CeremonyResult = { ok: false, reason: challenge ? 'malformed' : 'no-challenge' }
    if (challenge && response) {
      const verification = await verifyRegistrationResponse({
        response: response as unknown as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        // The password came first: the passkey is the second factor whether or not it checked a PIN.
        requireUserVerification: false,
      }).catch(() => undefined)
      if (verification?.verified) {
        const { credential } = verification.registrationInfo
        result = await this.db.transaction().execute(async (trx) => {
          const added = await trx
            .insertInto('passkeys')
            .values({
              account_id: accountId,
              credential_id: credential.id,
              public_key: credential.publicKey,
              counter: credential.counter,
              transports: (credential.transports ?? []).filter((t) => /^[a-z-]{1,20}$/.test(t)).slice(0, 8),
              name: name.trim().slice(0, NAME_MAX),
            })
            .onConflict((oc) => oc.column('credential_id').doNothing())
            .returning('id')
            .executeTakeFirst()
          if (!added) return { ok: false, reason: 'duplicate' } as const
          await trx.updateTable('accounts').set({ second_factor: 'passkey' }).where('id', '=', accountId).execute()
          await audit(trx, { action: 'passkey.register', outcome: 'success', actorId: accountId, subjectType: 'passkey', subjectId: added.id, details: { name: name.trim().slice(0, NAME_MAX) } }, context)
          return { ok: true } as const
        })
      } else result = { ok: false, reason: 'not-verified' }
    }
    if (!result.ok) {
      await audit(this.db, { action: 'passkey.register', outcome: 'failure', actorId: accountId, subjectType: 'account', subjectId: accountId, details: { reason: result.reason } }, context)
    }
    return result
  }

  /** Options for navigator.credentials.get(), at the sign-in second-factor stage. */
  async authenticationOptions(accountId: string, sessionHash: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const existing = await this.#credentials(accountId)
    if (existing.length === 0) throw new NotFound('no passkeys')
    const options = await generateAuthenticationOptions({
      rpID: this.rpID,
      allowCredentials: existing.map((c) => ({ id: c.credential_id, transports: c.transports })),
      timeout: CEREMONY_MS,
      userVerification: 'preferred',
    })
    await this.#keepChallenge(sessionHash, 'sign-in', options.challenge)
    return options
  }

  /** Checks a signature from one of the account's own passkeys over this session's challenge. */
  async authenticate(accountId: string, sessionHash: string, responseText: string, context: RequestContext): Promise<CeremonyResult> {
    const challenge = await this.#takeChallenge(sessionHash, 'sign-in')
    const response = parseResponse(responseText)
    let result: CeremonyResult = { ok: false, reason: challenge ? 'malformed' : 'no-challenge' }
    const stored =
      challenge && response
        ? await this.db
            .selectFrom('passkeys')
            .select(['id', 'credential_id', 'public_key', 'counter', 'transports'])
            .where('account_id', '=', accountId)
            .where('credential_id', '=', String(response.id))
            .executeTakeFirst()
        : undefined
    if (challenge && response && !stored) result = { ok: false, reason: 'unknown-credential' }
    if (challenge && response && stored) {
      let reason: Refusal = 'not-verified'
      const verification = await verifyAuthenticationResponse({
        response: response as unknown as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        credential: { id: stored.credential_id, publicKey: new Uint8Array(stored.public_key), counter: Number(stored.counter), transports: stored.transports },
        requireUserVerification: false,
      }).catch((error: unknown) => {
        // The library refuses a counter that did not grow: the sign of a cloned authenticator.
        if (error instanceof Error && /counter/i.test(error.message)) reason = 'counter'
        return undefined
      })
      if (verification?.verified) {
        const next = verification.authenticationInfo.newCounter
        let update = this.db.updateTable('passkeys').set({ counter: next, last_used_at: sql<Date>`now()` }).where('id', '=', stored.id)
        // Authenticators without a counter always send 0; the others must move forward, even under a race.
        if (next > 0) update = update.where('counter', '<', String(next))
        const updated = await update.executeTakeFirst()
        result = updated.numUpdatedRows === 1n ? { ok: true } : { ok: false, reason: 'counter' }
      } else {
        result = { ok: false, reason }
      }
    }
    await audit(
      this.db,
      {
        action: 'sign-in.second-factor',
        outcome: result.ok ? 'success' : 'failure',
        actorId: accountId,
        subjectType: 'account',
        subjectId: accountId,
        details: result.ok ? { method: 'passkey' } : { method: 'passkey', reason: result.reason },
      },
      context,
    )
    return result
  }

  /**
   * Removes one of the person's own passkeys (another person's is not found). Without passkeys the
   * second factor falls back to the authenticator app if there is one, else to SMS codes.
   */
  async remove(accountId: string, passkeyId: string, context: RequestContext): Promise<void> {
    if (!UUID.test(passkeyId)) throw new NotFound('no such passkey')
    await this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('passkeys').where('id', '=', passkeyId).where('account_id', '=', accountId).returning('id').executeTakeFirst()
      if (!removed) throw new NotFound('no such passkey')
      const left = await trx.selectFrom('passkeys').select((eb) => eb.fn.countAll<string>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow()
      let fallback: 'totp' | 'sms' | undefined
      if (Number(left.n) === 0) {
        const account = await findAccount(trx, accountId)
        if (account?.second_factor === 'passkey') {
          fallback = account.totp_secret ? 'totp' : 'sms'
          await trx.updateTable('accounts').set({ second_factor: fallback }).where('id', '=', accountId).execute()
        }
      }
      await audit(trx, { action: 'passkey.remove', outcome: 'success', actorId: accountId, subjectType: 'passkey', subjectId: passkeyId, details: { remaining: Number(left.n), secondFactor: fallback ?? null } }, context)
    })
  }

  #credentials(accountId: string) {
    return this.db.selectFrom('passkeys').select(['credential_id', 'transports']).where('account_id', '=', accountId).execute()
  }

  /** One open challenge per session and purpose: asking again replaces it. Stale ones are swept here. */
  async #keepChallenge(sessionHash: string, purpose: PasskeyChallengePurpose, challenge: string): Promise<void> {
    await this.db.deleteFrom('passkey_challenges').where('expires_at', '<', sql<Date>`now()`).execute()
    await this.db
      .insertInto('passkey_challenges')
      .values({ session_hash: sessionHash, purpose, challenge, expires_at: sql<Date>`now() + make_interval(mins => ${CHALLENGE_MINUTES})` })
      .onConflict((oc) => oc.columns(['session_hash', 'purpose']).doUpdateSet((eb) => ({ challenge: eb.ref('excluded.challenge'), expires_at: eb.ref('excluded.expires_at') })))
      .execute()
  }

  /** Takes the challenge out (so it is used once, even by two racing requests); none when expired. */
  async #takeChallenge(sessionHash: string, purpose: PasskeyChallengePurpose): Promise<string | undefined> {
    const row = await this.db
      .deleteFrom('passkey_challenges')
      .where('session_hash', '=', sessionHash)
      .where('purpose', '=', purpose)
      .returning(['challenge', sql<boolean>`expires_at > now()`.as('live')])
      .executeTakeFirst()
    return row?.live ? row.challenge : undefined
  }
}
