import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RECEIPT_PREFIX } from '../payments/credit.js'
import { SeededRandom } from '../registry/random.js'
import { DOCUMENT_KINDS } from '../services/definition.js'
import { newReference } from '../services/reference.js'
import { DOCUMENT_PREFIXES, newDocumentNumber, normaliseDocumentNumber } from './numbers.js'

const random = new SeededRandom(11)
const samples = DOCUMENT_KINDS.flatMap((kind) => Array.from({ length: 40 }, () => newDocumentNumber(kind, (max) => random.int(0, max - 1))))
const TYPEABLE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

describe('document numbers', () => {
  it('look like LIC-7K4M-9QX3: a prefix per kind, no look-alike characters, a check character', () => {
    const prefixes = Object.values(DOCUMENT_PREFIXES)
    assert.equal(new Set(prefixes).size, DOCUMENT_KINDS.length, 'one prefix per kind')
    assert.ok(!prefixes.includes(RECEIPT_PREFIX), 'never a receipt')
    assert.equal(newDocumentNumber('licence').slice(0, 4), 'LIC-')
    assert.equal(newDocumentNumber('passport').slice(0, 4), 'PPT-')
    for (const number of samples) {
      assert.match(number, /^[A-Z]{3}-[2-9][2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{4}$/)
      assert.equal(normaliseDocumentNumber(number), number)
    }
  })

  it('are read however typed: lower case, spaces, dots', () => {
    const number = samples[0]!
    const compact = number.replace(/-/g, '')
    for (const typed of [number.toLowerCase(), compact, ` ${compact.slice(0, 3)} ${compact.slice(3, 7)} ${compact.slice(7)} `, number.replace(/-/g, '.')]) {
      assert.equal(normaliseDocumentNumber(typed), number, typed)
    }
  })

  it('catch every single wrong character and every swap of neighbours', () => {
    for (const number of samples) {
      const compact = number.replace(/-/g, '')
      for (let position = 0; position < compact.length; position++) {
        for (const char of TYPEABLE) {
          if (char === compact[position]) continue
          const typo = compact.slice(0, position) + char + compact.slice(position + 1)
          assert.equal(normaliseDocumentNumber(typo), undefined, `${number} → ${typo}`)
        }
        if (position + 1 < compact.length && compact[position] !== compact[position + 1]) {
          const swapped = compact.slice(0, position) + compact[position + 1] + compact[position] + compact.slice(position + 2)
          assert.equal(normaliseDocumentNumber(swapped), undefined, `${number} → ${swapped}`)
        }
      }
    }
  })

  it('are never a receipt or an application reference, however valid those are', () => {
    assert.equal(normaliseDocumentNumber(newReference(RECEIPT_PREFIX)), undefined)
    assert.equal(normaliseDocumentNumber(newReference('NTSA')), undefined)
    assert.equal(normaliseDocumentNumber(newReference('DIS')), undefined)
    for (const garbage of ['', 'LIC', 'LIC-2222-222', '<script>', 'x'.repeat(100), 'LIC-0000-0000']) assert.equal(normaliseDocumentNumber(garbage), undefined, garbage)
  })
})
