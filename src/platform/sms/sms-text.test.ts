import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { gsmLength } from './gsm.js'
import { isE164, toE164 } from './phone-number.js'

describe('phone numbers', () => {
  it('writes Kenyan numbers as +254', () => {
    for (const typed of ['0712345678', '0712 345 678', '712345678', '254712345678', '+254712345678', '+254 712-345-678', '0110123456']) {
      assert.match(toE164(typed) ?? '', /^\+254(712345678|110123456)$/, typed)
    }
  })

  it('keeps other countries’ numbers given with +', () => {
    assert.equal(toE164('+255 754 123 456'), '+255754123456')
    assert.equal(toE164('+44 7700 900123'), '+447700900123')
  })

  it('refuses what cannot be a number', () => {
    for (const typed of ['', '12345', '07123456789', '+2547123', '0812345678', 'phone', '+254812345678', '00254712345678']) {
      assert.equal(toE164(typed), undefined, typed)
    }
  })

  it('knows E.164 when it sees it', () => {
    assert.equal(isE164('+254712345678'), true)
    assert.equal(isE164('0712345678'), false)
    assert.equal(isE164('+254 712345678'), false)
  })
})

describe('the GSM alphabet', () => {
  it('counts basic characters once and extension characters twice', () => {
    assert.equal(gsmLength('Code 123456. Usimpe mtu yeyote.'), 31)
    assert.equal(gsmLength('€5 [a]'), 9)
  })

  it('refuses characters outside it', () => {
    assert.equal(gsmLength('Don’t'), undefined, 'a curly apostrophe')
    assert.equal(gsmLength('ok 👍'), undefined)
  })
})
