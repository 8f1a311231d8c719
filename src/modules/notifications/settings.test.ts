import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NOTIFICATION_SETTINGS, NotificationSettingError, readNotificationSettings } from './settings.js'

describe('notification settings', () => {
  it('keeps everything in the local outbox by default', () => {
    assert.deepEqual(readNotificationSettings({}), {
      smtpUrl: undefined,
      mailFrom: undefined,
      atUsername: undefined,
      atApiKey: undefined,
      atSenderId: undefined,
      atBaseUrl: 'https://api.africastalking.com',
    })
  })

  it('reads each variable', () => {
    const settings = readNotificationSettings({
      SMTP_URL: 'smtps://mailer:pw@smtp.example:465',
      MAIL_FROM: 'eCitizen <no-reply@ecitizen.example>',
      AT_USERNAME: 'ecitizen',
      AT_API_KEY: 'atsk_123',
      AT_SENDER_ID: 'ECITIZEN',
      AT_BASE_URL: 'https://api.sandbox.africastalking.com/',
    })
    assert.equal(settings.smtpUrl, 'smtps://mailer:pw@smtp.example:465')
    assert.equal(settings.mailFrom, 'eCitizen <no-reply@ecitizen.example>')
    assert.equal(settings.atUsername, 'ecitizen')
    assert.equal(settings.atApiKey, 'atsk_123')
    assert.equal(settings.atSenderId, 'ECITIZEN')
    assert.equal(settings.atBaseUrl, 'https://api.sandbox.africastalking.com')
  })

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ SMTP_URL: 'http://mail.example', MAIL_FROM: 'a@b' }, 'SMTP_URL', /smtp:\/\/ or smtps:\/\//],
    [{ SMTP_URL: 'smtp://mail.example' }, 'MAIL_FROM', /must be set when SMTP_URL/],
    [{ SMTP_URL: 'smtp://mail.example', MAIL_FROM: 'nobody' }, 'MAIL_FROM', /email address/],
    [{ AT_USERNAME: 'ecitizen' }, 'AT_API_KEY', /must be set when AT_USERNAME/],
    [{ AT_API_KEY: 'atsk_123' }, 'AT_USERNAME', /must be set when AT_API_KEY/],
    [{ AT_SENDER_ID: 'A much too long sender' }, 'AT_SENDER_ID', /1 to 11/],
    [{ AT_BASE_URL: 'api.africastalking.com' }, 'AT_BASE_URL', /URL/],
  ]
  for (const [env, variable, reason] of bad) {
    it(`names ${variable} when ${JSON.stringify(env)}`, () => {
      assert.throws(() => readNotificationSettings(env), (error: unknown) => {
        assert.ok(error instanceof NotificationSettingError)
        assert.equal(error.variable, variable)
        assert.match(error.message, reason)
        assert.equal(error.message, `${variable} ${error.reason}`)
        return true
      })
    })
  }

  it('never echoes a mail server password', () => {
    assert.throws(() => readNotificationSettings({ SMTP_URL: 'smtp://u:hunter2@', MAIL_FROM: 'a@b' }), (error: Error) => {
      assert.doesNotMatch(error.message, /hunter2/)
      return true
    })
  })

  it('documents each setting', () => {
    for (const setting of Object.values(NOTIFICATION_SETTINGS)) {
      assert.match(setting.variable, /^[A-Z_]+$/)
      assert.ok(setting.description.length > 20 && setting.defaultText, setting.variable)
    }
  })
})
