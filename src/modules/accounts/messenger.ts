import type { Db } from '../../platform/db/database.js'

export interface OutgoingMessage {
  /** Deduplicates retries: the same key is sent once. */
  key: string
  channel: 'sms' | 'email'
  to: string
  language: 'en' | 'sw'
  template: string
  params: Record<string, string | number>
  /**
   * Also filed in this account's inbox, once per event (however many channels carry it). Left out for
   * messages that carry a secret, or that go to an address that is not the account's.
   */
  inbox?: { accountId: string; event: string }
}

/** Sends in the caller's transaction (the notifications outbox), so a message exists iff the change does. */
export interface Messenger {
  send(executor: Db, message: OutgoingMessage): Promise<void>
}
