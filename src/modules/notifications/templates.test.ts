import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LANGUAGES } from '../../platform/i18n/i18n.js'
import { gsmLength, SINGLE_SMS_LENGTH } from '../../platform/sms/gsm.js'
import { isTemplateName, renderTemplate, TEMPLATES, type TemplateName } from './templates.js'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
const names = Object.keys(TEMPLATES) as TemplateName[]

/** Realistic values: a 6-digit code, a typical validity, a link as long as the portal's will be. */
const SAMPLE = {
  code: '493817',
  minutes: 10,
  name: 'Nyokabi',
  link: 'https://ecitizen.go.ke/account/verify-email/5f0c7d2a9b3e4f61a8c2',
  reference: 'DIS-7K4M-9QX3',
  service: 'Apply for an ordinary passport',
  stage: 'Returned for correction',
  amount: 'KES 7,550',
  bill: 'DIS7K4M9QX3',
  mpesa: 'RLA0R69NXM',
  receipt: 'RCPT-7K4M-9QX3',
  balance: 'KES 0',
  reason: 'Paid twice',
  agency: 'Department of Immigration Services',
  count: 12,
  date: '4 June 2025',
  cases: 'DIS-7K4M-9QX3: Apply for an ordinary passport, Awaiting approval, 3 June 2025',
  incident: 'M-Pesa payments failing',
  closing: 'Payments work again. We apologise for the inconvenience.',
  what: 'paying bill DIS7K4M9QX3',
  status: 'Identified',
  update: 'We found the cause and are fixing it.',
  affected: 'M-Pesa payment prompt, Paybill',
  window: '1 Dec 22:00 - 2 Dec 02:00',
  hours: 48,
  statusPage: 'https://ecitizen.go.ke/status',
}

describe('message templates', () => {
  it('has the messages accounts need, in both languages', () => {
    for (const name of ['email-verification', 'phone-verification', 'sign-in-code', 'password-reset', 'password-changed']) {
      assert.ok(isTemplateName(name), name)
    }
    assert.equal(isTemplateName('toString'), false)
  })

  it('uses the same placeholders in English and Kiswahili, and writes nothing empty', () => {
    for (const name of names) {
      const en = TEMPLATES[name].en
      for (const language of LANGUAGES) {
        const texts = TEMPLATES[name][language]
        assert.deepEqual(placeholders(texts.subject + texts.text), placeholders(en.subject + en.text), `${name} ${language}`)
        assert.ok(texts.subject.trim() && texts.text.trim(), `${name} ${language} is empty`)
      }
    }
  })

  it('writes everything in the GSM alphabet, and a code message fits one SMS', () => {
    for (const name of names) {
      for (const language of LANGUAGES) {
        const { text } = renderTemplate(name, language, SAMPLE as never)
        const length = gsmLength(text)
        assert.notEqual(length, undefined, `${name} ${language} has a character outside the GSM alphabet`)
        if (!text.includes(SAMPLE.link)) assert.ok((length ?? 0) <= SINGLE_SMS_LENGTH, `${name} ${language}: ${length} characters`)
      }
    }
  })

  it('fills the placeholders', () => {
    const sw = renderTemplate('sign-in-code', 'sw', { code: '493817', minutes: 10 })
    assert.equal(sw.subject, 'Nambari yako ya kuingia')
    assert.match(sw.text, /^Nambari yako ya kuingia ni 493817\. .*dakika 10\./)
    assert.match(renderTemplate('password-reset', 'en', { link: SAMPLE.link, minutes: 30 }).text, /within 30 minutes:\n\nhttps:\/\/ecitizen/)
  })

  it('refuses to render with a value missing', () => {
    assert.throws(() => renderTemplate('sign-in-code', 'en', { code: '493817' } as never), /needs a value for \{minutes\}/)
  })
})
