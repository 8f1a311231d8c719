import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Db } from '../../platform/db/database.js'
import type { Database } from '../../platform/db/schema.js'
import { Invalid, type FieldError } from '../../platform/http/errors.js'
import { isLanguage, type Language } from '../../platform/i18n/i18n.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import { toE164 } from '../../platform/sms/phone-number.js'
import { notify, type NotificationRequest } from '../notifications/service.js'
import type { SubscriptionChannel } from './subscriptions-tables.js'
import {
  confirmSubscription,
  countWrongCode,
  deleteSubscription,
  findPendingByAddress,
  findPendingBySecret,
  findSubscriptionByLink,
  replaceSubscriptionComponents,
  upsertPendingSubscription,
} from './subscriptions-store.js'

/** How long a confirmation link or code stays open; the messages say so. */
export const PENDING_HOURS = 48
/** Wrong codes allowed against one code; then the person asks for a new one. */
export const MAX_CODE_ATTEMPTS = 5

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/
/** Kenyan mobile numbers (07..., 01...) in the form toE164 gives them. */
const KENYAN_MOBILE = /^\+254[17]\d{8}$/
/** Link tokens as we issue them (base64url); anything else is not looked up. */
export const TOKEN = /^[A-Za-z0-9_-]{20,64}$/

export interface SubscribeForm {
  channel: string
  email: string
  phone: string
  language: string
  components: string[]
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

export function readSubscribeForm(body: unknown, language: Language): SubscribeForm {
  const f = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  return {
    channel: text(f.channel),
    email: text(f.email).slice(0, 400),
    phone: text(f.phone).slice(0, 40),
    language: text(f.language) || language,
    // Checkboxes arrive as one string or several.
    components: [f.components].flat().filter((v): v is string => typeof v === 'string' && v.length <= 40),
  }
}

/** 0712 345 678, 0112 345 678 or +254 712 345 678, as +254712345678; undefined for anything else. */
export function kenyanMobile(raw: string): string | undefined {
  const phone = toE164(raw)
  return phone && KENYAN_MOBILE.test(phone) ? phone : undefined
}

export const digest = (value: string) => createHash('sha256').update(value).digest('hex')
/** Six digits are guessable offline: the hash is scoped to the number. */
const codeHash = (phone: string, code: string) => digest(`status-subscription:${phone}:${code}`)

export type LinkState = 'ok' | 'unknown'

/**
 * Subscribing to status updates: confirmed opt-in by an emailed link or a texted code, unsubscribing
 * by the link every message carries. Answers never say whether an address was already subscribed.
 */
export class SubscriptionService {
  constructor(
    private readonly db: Db,
    private readonly jobs: Pick<JobQueue, 'enqueue'>,
    private readonly publicUrl: string,
    private readonly knownComponents: () => Promise<string[]>,
  ) {}

  /** Checks the form, then starts a pending subscription and sends its link or code. */
  async subscribe(form: SubscribeForm): Promise<{ channel: SubscriptionChannel; address: string }> {
    const errors: Record<string, FieldError> = {}
    const channel = form.channel === 'email' || form.channel === 'sms' ? form.channel : undefined
    if (!channel) errors.channel = { key: 'statusPage.subscribe.errors.channel' }
    const email = form.email.toLowerCase()
    const phone = kenyanMobile(form.phone)
    if (channel === 'email' && (!EMAIL.test(email) || email.length > 320)) errors.email = { key: 'statusPage.subscribe.errors.email' }
    if (channel === 'sms' && !phone) errors.phone = { key: 'statusPage.subscribe.errors.phone' }
    if (!isLanguage(form.language)) errors.language = { key: 'statusPage.subscribe.errors.language' }
    const known = new Set(await this.knownComponents())
    if (form.components.some((id) => !known.has(id))) errors.components = { key: 'statusPage.subscribe.errors.components' }
    if (Object.keys(errors).length > 0 || !channel || !isLanguage(form.language)) throw new Invalid(errors)

    const address = channel === 'email' ? email : phone!
    const language = form.language
    const secret = channel === 'email' ? randomBytes(32).toString('base64url') : String(randomInt(0, 1_000_000)).padStart(6, '0')
    const secretHash = channel === 'email' ? digest(secret) : codeHash(address, secret)
    await this.db.transaction().execute(async (trx) => {
      const id = await upsertPendingSubscription(trx, { channel, address, language, secretHash, expiresAt: new Date(Date.now() + PENDING_HOURS * 3600_000) })
      // Already confirmed, or just sent: nothing changes and nothing is sent, and the page is the same.
      if (!id) return
      await replaceSubscriptionComponents(trx, id, [...new Set(form.components)])
      const key = `status-subscription:${channel}:${randomUUID()}`
      const request: NotificationRequest =
        channel === 'email'
          ? { key, channel, to: address, language, template: 'status-subscription-link', params: { link: `${this.publicUrl}/status/subscribe/confirm/${secret}`, hours: PENDING_HOURS } }
          : { key, channel, to: address, language, template: 'status-subscription-code', params: { code: secret, hours: PENDING_HOURS } }
      await notify<Database>(trx, this.jobs, request)
    })
    return { channel, address }
  }

  /** Whether an emailed confirmation link would work now, without using it (mail scanners open links). */
  async confirmationLinkState(token: string): Promise<LinkState> {
    return TOKEN.test(token) && (await findPendingBySecret(this.db, digest(token))) ? 'ok' : 'unknown'
  }

  async confirmLink(token: string): Promise<LinkState> {
    if (!TOKEN.test(token)) return 'unknown'
    const pending = await findPendingBySecret(this.db, digest(token))
    return pending && (await confirmSubscription(this.db, pending.id, digest(token))) ? 'ok' : 'unknown'
  }

  /** Checks a texted code; every wrong one counts, and after too many the code no longer works. */
  async confirmCode(phoneRaw: string, codeRaw: string): Promise<void> {
    const phone = kenyanMobile(phoneRaw)
    const code = codeRaw.replace(/\s/g, '')
    const errors: Record<string, FieldError> = {}
    if (!phone) errors.phone = { key: 'statusPage.subscribe.errors.phone' }
    if (!/^\d{6}$/.test(code)) errors.code = { key: 'statusPage.subscribe.errors.codeFormat' }
    if (!phone || errors.code) throw new Invalid(errors)
    const pending = await findPendingByAddress(this.db, 'sms', phone)
    // No pending code for the number reads as a wrong code: the page does not tell who subscribed.
    if (!pending?.secret_hash) throw new Invalid({ code: { key: 'statusPage.subscribe.errors.codeWrong' } })
    if (pending.attempts >= MAX_CODE_ATTEMPTS) throw new Invalid({ code: { key: 'statusPage.subscribe.errors.codeTooMany' } })
    const given = codeHash(phone, code)
    if (!timingSafeEqual(Buffer.from(given), Buffer.from(pending.secret_hash))) {
      const attempts = await countWrongCode(this.db, pending.id)
      throw new Invalid({ code: { key: attempts >= MAX_CODE_ATTEMPTS ? 'statusPage.subscribe.errors.codeTooMany' : 'statusPage.subscribe.errors.codeWrong' } })
    }
    if (!(await confirmSubscription(this.db, pending.id, given))) throw new Invalid({ code: { key: 'statusPage.subscribe.errors.codeWrong' } })
  }

  async unsubscribeLinkState(token: string): Promise<LinkState> {
    return TOKEN.test(token) && (await findSubscriptionByLink(this.db, digest(token))) ? 'ok' : 'unknown'
  }

  /** Ends the subscription the link belongs to; 'unknown' when the link is not ours or was used. */
  async unsubscribe(token: string): Promise<LinkState> {
    if (!TOKEN.test(token)) return 'unknown'
    const subscription = await findSubscriptionByLink(this.db, digest(token))
    return subscription && (await deleteSubscription(this.db, subscription.id)) ? 'ok' : 'unknown'
  }
}
