import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { hashPassword } from '../../src/modules/accounts/password.js'
import { insertAccount, type Account } from '../../src/modules/accounts/store.js'
import type { Db } from '../../src/platform/db/database.js'
import { hashToken } from '../../src/platform/sessions/sessions.js'
import { insertSession } from '../../src/platform/sessions/store.js'
import type { Role, SecondFactor } from '../../src/platform/db/schema.js'

export const TEST_PASSWORD = 'a long and memorable passphrase'
/** The authenticator secret of test accounts made with secondFactor 'totp' (base32). */
export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
let counter = 0

/** A verified account straight into the database (for tests about what comes after registration). */
export async function createAccount(db: Db, overrides: { role?: Role; agencyCode?: string; secondFactor?: SecondFactor } = {}): Promise<Account> {
  counter++
  const n = String(process.pid % 1000).padStart(3, '0') + String(counter).padStart(4, '0')
  return insertAccount(db, {
    kind: overrides.role && overrides.role !== 'citizen' ? 'staff' : 'citizen',
    id_number: overrides.role && overrides.role !== 'citizen' ? null : `9${n}`,
    first_name: 'Achieng',
    last_name: 'Otieno',
    email: `person${n}@example.ke`,
    phone: `+2547${n.padStart(8, '0')}`,
    password_hash: await hashPassword(TEST_PASSWORD),
    role: overrides.role ?? 'citizen',
    agency_code: overrides.agencyCode ?? null,
    second_factor: overrides.secondFactor ?? 'sms',
    totp_secret: overrides.secondFactor === 'totp' ? TEST_TOTP_SECRET : null,
    email_verified_at: new Date(),
    phone_verified_at: new Date(),
  })
}

/** The latest message sent to a recipient, as the outbox holds it. */
export async function lastMessageTo(db: Db, recipient: string): Promise<string> {
  const row = await sql<{ body: string }>`select body from notifications where recipient = ${recipient} order by created_at desc, id desc limit 1`.execute(db)
  const body = row.rows[0]?.body
  if (!body) throw new Error(`no message to ${recipient}`)
  return body
}

export function codeIn(message: string): string {
  const code = /\b(\d{6})\b/.exec(message)?.[1]
  if (!code) throw new Error(`no code in: ${message}`)
  return code
}

/** A cookie jar for app.inject: keeps what the server sets, sends it back. */
export class Browser {
  readonly cookies = new Map<string, string>()

  constructor(private readonly app: FastifyInstance) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  #keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.maxAge !== undefined && cookie.maxAge <= 0) || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
    return response
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader } }))
  }

  /** Posts a form the way a browser does: with the CSRF token from the page it came from. */
  async submit(pageUrl: string, action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl)
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1]
    if (!token) throw new Error(`no form on ${pageUrl} (status ${page.statusCode})`)
    return this.post(action, { _csrf: token, ...fields })
  }

  async post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.#keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      }),
    )
  }
}

/**
 * A fully signed-in session for an account, straight into the database: for tests about what a role
 * may do, not about signing in. Returns the cookie header to send.
 */
export async function signedInCookie(db: Db, accountId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await insertSession(db, { tokenHash: hashToken(token), accountId, stage: 'signed-in', maxHours: 1 })
  return `session=${token}`
}

/** A cookie-keeping client already signed in as the account (see signedInCookie). */
export async function signedInBrowser(app: ConstructorParameters<typeof Browser>[0], db: Db, accountId: string): Promise<Browser> {
  const browser = new Browser(app)
  const [name, value] = (await signedInCookie(db, accountId)).split('=') as [string, string]
  browser.cookies.set(name, value)
  return browser
}
