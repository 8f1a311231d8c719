import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SeededRandom } from '../registry/random.js'
import { agencyOfReference, isValidReference, newReference, normaliseReference, REFERENCE_ALPHABET } from './reference.js'

const TYPEABLE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const random = new SeededRandom(7)
const samples = ['DIS', 'CRS', 'NRB', 'BRS', 'NTSA', 'DCI', 'ECD', 'KRA', 'AB', 'ABCDE'].flatMap((agency) =>
  Array.from({ length: 30 }, () => newReference(agency, (max) => random.int(0, max - 1))),
)

describe('application references', () => {
  it('look like DIS-7K4M-9QX3 and use no look-alike characters', () => {
    assert.equal(REFERENCE_ALPHABET.length, 31)
    for (const char of '01ILO') assert.ok(!REFERENCE_ALPHABET.includes(char), char)
    for (const reference of samples) {
      assert.match(reference, /^[A-Z]{2,5}-[2-9][2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{4}$/)
      assert.ok(isValidReference(reference), reference)
    }
    assert.match(newReference('DIS'), /^DIS-/)
    assert.throws(() => newReference('dis'), RangeError)
  })

  it('are accepted however they are typed: lower case, spaces, dashes, dots', () => {
    const reference = samples[0] as string
    const compact = reference.replace(/-/g, '')
    for (const typed of [reference.toLowerCase(), compact, ` ${compact.slice(0, 3)} ${compact.slice(3, 7)} ${compact.slice(7)} `, reference.replace(/-/g, '.'), reference.replace(/-/g, ' - ')]) {
      assert.equal(normaliseReference(typed), reference, typed)
    }
    assert.equal(agencyOfReference(reference.toLowerCase()), 'DIS')
  })

  it('catch every single wrong character, at every position, for every sample', () => {
    let tried = 0
    for (const reference of samples) {
      const compact = reference.replace(/-/g, '')
      for (let position = 0; position < compact.length; position++) {
        for (const char of TYPEABLE) {
          if (char === compact[position]) continue
          const typo = compact.slice(0, position) + char + compact.slice(position + 1)
          assert.equal(isValidReference(typo), false, `${reference} → ${typo}`)
          tried++
        }
      }
    }
    assert.ok(tried > 100_000)
  })

  it('catch every swap of two neighbouring characters, for every sample', () => {
    for (const reference of samples) {
      const compact = reference.replace(/-/g, '')
      for (let position = 0; position + 1 < compact.length; position++) {
        if (compact[position] === compact[position + 1]) continue
        const swapped = compact.slice(0, position) + compact[position + 1] + compact[position] + compact.slice(position + 2)
        assert.equal(isValidReference(swapped), false, `${reference} → ${swapped}`)
      }
    }
  })

  it('refuse what is not a reference', () => {
    for (const text of ['', 'DIS', 'DIS-2222-222', 'DIS-2222-22222', 'D-2222-2222', 'ABCDEF-2222-2222', 'DIS-A222-2222', 'x'.repeat(100)]) {
      assert.equal(isValidReference(text), false, text)
    }
  })
})
