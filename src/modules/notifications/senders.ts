import { randomUUID } from 'node:crypto'
import { smtpEmailSender } from '../../platform/mail/smtp.js'
import { africasTalkingSmsSender } from '../../platform/sms/africas-talking.js'
import type { Senders } from './service.js'
import type { NotificationSettings } from './settings.js'

export interface ConfiguredSenders extends Senders {
  /** Where each channel goes, for the start-up log line. */
  routes: { email: 'smtp' | 'local outbox'; sms: "Africa's Talking" | 'local outbox' }
}

/**
 * Without a provider the message already sits in the notifications table, which is the local outbox:
 * "sending" only gives it an id, and the developer outbox page shows it.
 */
const localOutbox = { send: async () => `outbox-${randomUUID()}` }

export function createSenders(settings: NotificationSettings): ConfiguredSenders {
  const email = settings.smtpUrl && settings.mailFrom ? smtpEmailSender({ url: settings.smtpUrl, from: settings.mailFrom }) : undefined
  const sms =
    settings.atUsername && settings.atApiKey
      ? africasTalkingSmsSender({
          username: settings.atUsername,
          apiKey: settings.atApiKey,
          senderId: settings.atSenderId,
          baseUrl: settings.atBaseUrl,
        })
      : undefined
  return {
    email: email ?? localOutbox,
    sms: sms ?? localOutbox,
    routes: { email: email ? 'smtp' : 'local outbox', sms: sms ? "Africa's Talking" : 'local outbox' },
  }
}
