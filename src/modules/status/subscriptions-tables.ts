import type { Generated } from 'kysely'

/** Table types of migration 0023_status_subscriptions. */

export type SubscriptionChannel = 'email' | 'sms'

export interface StatusSubscriptionsTable {
  id: Generated<string>
  channel: SubscriptionChannel
  address: string
  language: 'en' | 'sw'
  secret_hash: string | null
  attempts: Generated<number>
  expires_at: Date
  last_sent_at: Generated<Date>
  confirmed_at: Date | null
  created_at: Generated<Date>
}

export interface StatusSubscriptionComponentsTable {
  subscription_id: string
  component: string
}

export interface StatusSubscriptionLinksTable {
  token_hash: string
  subscription_id: string
  created_at: Generated<Date>
}

/** The subscriptions' tables, merged into the portal's Database. */
export interface StatusSubscriptionTables {
  status_subscriptions: StatusSubscriptionsTable
  status_subscription_components: StatusSubscriptionComponentsTable
  status_subscription_links: StatusSubscriptionLinksTable
}
