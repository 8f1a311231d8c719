import { APPLICATION_TEMPLATES } from './application-templates.js'
import { DOCUMENT_TEMPLATES } from './document-templates.js'
import { PAYMENT_TEMPLATES } from './payment-templates.js'
import { RESTORATION_TEMPLATES } from './restoration-templates.js'
import type { NotificationDb } from './store.js'
import type { NotificationChannel } from './tables.js'
import type { TemplateName } from './templates.js'

/** The kinds of message a person may choose channels for. Everything else is a security or service message. */
export const CATEGORIES = ['applications', 'payments', 'documents', 'service'] as const
export type Category = (typeof CATEGORIES)[number]

export interface ChannelChoice {
  email: boolean
  sms: boolean
}

const CATEGORY_OF = new Map<string, Category>([
  ...Object.keys(APPLICATION_TEMPLATES).map((name) => [name, 'applications'] as const),
  ...Object.keys(PAYMENT_TEMPLATES).map((name) => [name, 'payments'] as const),
  ...Object.keys(DOCUMENT_TEMPLATES).map((name) => [name, 'documents'] as const),
  ...Object.keys(RESTORATION_TEMPLATES).map((name) => [name, 'service'] as const),
])

/**
 * The category a template belongs to, or undefined when it always goes out: sign-in codes, password
 * resets, contact changes and the like must reach the person even if they turned everything else off.
 */
export function categoryOf(template: TemplateName | string): Category | undefined {
  return CATEGORY_OF.get(template)
}

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value)
}

/** Every category's choice for a person; a category never changed has every channel on. */
export async function preferencesOf(db: NotificationDb, accountId: string): Promise<Record<Category, ChannelChoice>> {
  const rows = await db.selectFrom('notification_preferences').select(['category', 'email', 'sms']).where('account_id', '=', accountId).execute()
  const choices = Object.fromEntries(CATEGORIES.map((c) => [c, { email: true, sms: true }])) as Record<Category, ChannelChoice>
  for (const row of rows) if (isCategory(row.category)) choices[row.category] = { email: row.email, sms: row.sms }
  return choices
}

export async function savePreferences(db: NotificationDb, accountId: string, choices: Record<Category, ChannelChoice>): Promise<void> {
  await db
    .insertInto('notification_preferences')
    .values(CATEGORIES.map((category) => ({ account_id: accountId, category, ...choices[category] })))
    .onConflict((oc) =>
      oc.columns(['account_id', 'category']).doUpdateSet((eb) => ({
        email: eb.ref('excluded.email'),
        sms: eb.ref('excluded.sms'),
        updated_at: new Date(),
      })),
    )
    .execute()
}

/** Whether a message of this template may go to this person on this channel. */
export async function channelAllowed(db: NotificationDb, accountId: string, template: string, channel: NotificationChannel): Promise<boolean> {
  return (await allowedChannels(db, accountId, template))[channel]
}

/** Both channels' answers in one lookup: what a message to a person checks before it goes out. */
export async function allowedChannels(db: NotificationDb, accountId: string, template: string): Promise<Record<NotificationChannel, boolean>> {
  const category = categoryOf(template)
  if (!category) return { email: true, sms: true }
  const row = await db
    .selectFrom('notification_preferences')
    .select(['email', 'sms'])
    .where('account_id', '=', accountId)
    .where('category', '=', category)
    .executeTakeFirst()
  return row ? { email: row.email, sms: row.sms } : { email: true, sms: true }
}
