import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { newReference } from '../services/reference.js'
import { lookupKeys } from './lookup.js'

describe('reading what a support agent typed into the search box', () => {
  it('reads a Kenyan mobile however it is written, never as an ID number', () => {
    for (const typed of ['0712 345 678', '0712345678', '+254712345678', '254712345678', ' +254 712-345-678 ']) {
      assert.deepEqual(lookupKeys(typed), { phone: '+254712345678', idNumber: undefined }, typed)
    }
  })

  it('reads ID and passport numbers, emails in any case, and references however typed', () => {
    assert.deepEqual(lookupKeys('12345678'), { phone: undefined, idNumber: '12345678' })
    assert.deepEqual(lookupKeys('a1234567'), { phone: undefined, idNumber: 'A1234567' })
    assert.deepEqual(lookupKeys(' Achieng@Example.KE '), { email: 'achieng@example.ke' })
    const reference = newReference('DIS')
    assert.deepEqual(lookupKeys(reference.toLowerCase().replace(/-/g, ' ')), { reference, billReference: reference.replace(/-/g, '') })
  })

  it('finds nothing to look for in blank or odd text', () => {
    assert.deepEqual(lookupKeys('   '), {})
    assert.deepEqual(lookupKeys('DIS-2222-2223'), { phone: undefined, idNumber: undefined }, 'a reference with a wrong check character')
    assert.deepEqual(lookupKeys('<script>'), { phone: undefined, idNumber: undefined })
  })
})
