import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ModuleSettingError } from '../../platform/module-settings.js'
import { DEVELOPMENT_CALLBACK_SECRET, MPESA_SETTINGS, MpesaSettingError, readMpesaSettings, SAFARICOM_CALLBACK_IPS } from './settings.js'

describe('M-Pesa settings', () => {
  it('uses the simulator by default, calling back to PUBLIC_URL', () => {
    assert.deepEqual(readMpesaSettings({}), {
      mpesaBaseUrl: 'https://sandbox.safaricom.co.ke',
      mpesaConsumerKey: undefined,
      mpesaConsumerSecret: undefined,
      mpesaShortcode: '222222',
      mpesaPasskey: undefined,
      mpesaCallbackUrl: 'http://localhost:3000',
      mpesaAllowedIps: [],
      mpesaCallbackSecret: DEVELOPMENT_CALLBACK_SECRET,
      mpesaCallbackSecretPrevious: undefined,
      mpesaC2bStatusCheck: false,
      mpesaInitiatorName: undefined,
      mpesaSecurityCredential: undefined,
      mpesaTimeoutMs: 15000,
    })
    assert.equal(readMpesaSettings({ PUBLIC_URL: 'https://ecitizen.example/' }).mpesaCallbackUrl, 'https://ecitizen.example')
    assert.equal(readMpesaSettings({ PORT: '8080' }).mpesaCallbackUrl, 'http://localhost:8080')
  })

  it('reads each variable', () => {
    const settings = readMpesaSettings({
      MPESA_BASE_URL: 'https://api.safaricom.co.ke/',
      MPESA_CONSUMER_KEY: 'key',
      MPESA_CONSUMER_SECRET: 'secret',
      MPESA_PASSKEY: 'passkey',
      MPESA_SHORTCODE: '174379',
      MPESA_CALLBACK_URL: 'https://pay.ecitizen.example',
      MPESA_ALLOWED_IPS: '196.201.214.200, 196.201.214.206',
    })
    assert.equal(settings.mpesaBaseUrl, 'https://api.safaricom.co.ke')
    assert.equal(settings.mpesaConsumerKey, 'key')
    assert.equal(settings.mpesaShortcode, '174379')
    assert.equal(settings.mpesaCallbackUrl, 'https://pay.ecitizen.example')
    assert.deepEqual(settings.mpesaAllowedIps, ['196.201.214.200', '196.201.214.206'])
  })

  const bad: [Record<string, string>, string][] = [
    [{ MPESA_CONSUMER_KEY: 'key' }, 'MPESA_CONSUMER_SECRET'],
    [{ MPESA_CONSUMER_SECRET: 's', MPESA_PASSKEY: 'p' }, 'MPESA_CONSUMER_KEY'],
    [{ MPESA_CONSUMER_KEY: 'k', MPESA_CONSUMER_SECRET: 's' }, 'MPESA_PASSKEY'],
    [{ MPESA_SHORTCODE: 'paybill' }, 'MPESA_SHORTCODE'],
    [{ MPESA_CALLBACK_URL: 'ecitizen.example' }, 'MPESA_CALLBACK_URL'],
    [{ MPESA_BASE_URL: 'ftp://x' }, 'MPESA_BASE_URL'],
    [{ MPESA_ALLOWED_IPS: '196.201.214.200, safaricom' }, 'MPESA_ALLOWED_IPS'],
    [{ NODE_ENV: 'production' }, 'MPESA_CALLBACK_SECRET'],
    [{ NODE_ENV: 'production', MPESA_CALLBACK_SECRET: DEVELOPMENT_CALLBACK_SECRET }, 'MPESA_CALLBACK_SECRET'],
    [{ MPESA_CALLBACK_SECRET: 'short' }, 'MPESA_CALLBACK_SECRET'],
    [{ MPESA_CALLBACK_SECRET_PREVIOUS: 'has/slash/in/it/which/is/not/allowed' }, 'MPESA_CALLBACK_SECRET_PREVIOUS'],
    [{ MPESA_C2B_STATUS_CHECK: 'yes' }, 'MPESA_C2B_STATUS_CHECK'],
    [{ MPESA_TIMEOUT_MS: '50' }, 'MPESA_TIMEOUT_MS'],
    [{ MPESA_CONSUMER_KEY: 'k', MPESA_CONSUMER_SECRET: 's', MPESA_PASSKEY: 'p', MPESA_C2B_STATUS_CHECK: 'on' }, 'MPESA_C2B_STATUS_CHECK'],
  ]
  for (const [env, variable] of bad) {
    it(`names ${variable} when ${JSON.stringify(env)}`, () => {
      assert.throws(() => readMpesaSettings(env), (error: unknown) => {
        // loadConfig turns every ModuleSettingError into its ConfigError.
        assert.ok(error instanceof MpesaSettingError && error instanceof ModuleSettingError)
        assert.equal(error.variable, variable)
        return true
      })
    })
  }

  it("allows only Safaricom's published callback addresses in production unless told otherwise", () => {
    const secret = 'a-production-secret-of-at-least-32-chars'
    assert.deepEqual(readMpesaSettings({ NODE_ENV: 'production', MPESA_CALLBACK_SECRET: secret }).mpesaAllowedIps, [...SAFARICOM_CALLBACK_IPS])
    assert.deepEqual(readMpesaSettings({ NODE_ENV: 'production', MPESA_CALLBACK_SECRET: secret, MPESA_ALLOWED_IPS: 'any' }).mpesaAllowedIps, [])
    assert.deepEqual(readMpesaSettings({ NODE_ENV: 'production', MPESA_CALLBACK_SECRET: secret, MPESA_ALLOWED_IPS: '10.0.0.1' }).mpesaAllowedIps, ['10.0.0.1'])
  })

  it('documents each setting', () => {
    for (const setting of Object.values(MPESA_SETTINGS)) {
      assert.match(setting.variable, /^MPESA_[A-Z0-9_]+$/)
      assert.ok(setting.description.length > 20 && setting.defaultText, setting.variable)
    }
  })
})
