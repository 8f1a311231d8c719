import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { newBookingCode, normaliseBookingCode } from './codes.js'

describe('booking codes', () => {
  it('are two groups of four, with no characters that read alike', () => {
    const codes = Array.from({ length: 500 }, newBookingCode)
    for (const code of codes) assert.match(code, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/)
    assert.equal(new Set(codes).size, codes.length)
  })

  it('are read back however they were typed, and nonsense is not a code', () => {
    assert.equal(normaliseBookingCode(' k7qm 3xpa '), 'K7QM-3XPA')
    assert.equal(normaliseBookingCode('K7QM3XPA'), 'K7QM-3XPA')
    assert.equal(normaliseBookingCode('K7QM-3XP0'), undefined, 'zero is never used')
    assert.equal(normaliseBookingCode('K7QM-3XP'), undefined)
    assert.equal(normaliseBookingCode(''), undefined)
  })
})
