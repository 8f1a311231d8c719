import type { Db } from '../../platform/db/database.js'

export interface OutgoingMessage {
  /** Deduplicates retries: the same key is sent once. */
  key: string
  channel: 'sms' | 'email'
  to: string
  language: 'en' | 'sw'
  template: string
  params: Record<string, string | number>
}

/** Sends in the caller's transaction (the notifications outbox), so a message exists iff the change does. */
export interface Messenger {
  send(executor: Db, message: OutgoingMessage): Promise<void>
}
