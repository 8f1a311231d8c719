import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSenders } from './senders.js'
import { readNotificationSettings } from './settings.js'

describe('choosing the senders', () => {
  it('keeps both channels in the local outbox without providers', async () => {
    const senders = createSenders(readNotificationSettings({}))
    assert.deepEqual(senders.routes, { email: 'local outbox', sms: 'local outbox' })
    assert.match(await senders.email.send({ to: 'a@b.example', subject: 's', text: 't' }), /^outbox-[0-9a-f-]{36}$/)
    assert.match(await senders.sms.send({ to: '+254712345678', text: 't' }), /^outbox-[0-9a-f-]{36}$/)
  })

  it('uses SMTP and Africa’s Talking when configured, each on its own', () => {
    const smtp = { SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'no-reply@ecitizen.example' }
    const at = { AT_USERNAME: 'sandbox', AT_API_KEY: 'k' }
    assert.deepEqual(createSenders(readNotificationSettings(smtp)).routes, { email: 'smtp', sms: 'local outbox' })
    assert.deepEqual(createSenders(readNotificationSettings(at)).routes, { email: 'local outbox', sms: "Africa's Talking" })
    assert.deepEqual(createSenders(readNotificationSettings({ ...smtp, ...at })).routes, { email: 'smtp', sms: "Africa's Talking" })
  })
})
