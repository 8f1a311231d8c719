import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadCatalogue } from './catalogue.js'
import { convenienceFee } from './convenience-fee.js'
import { formatMoney } from './fees.js'

const catalogue = await loadCatalogue()
const schedule = catalogue.convenienceFees
const quote = (slug: string, answers: Record<string, string>) => {
  const definition = catalogue.latest(slug)
  assert.ok(definition)
  return catalogue.feesFor(definition, answers)
}

describe('fees', () => {
  for (const [pages, fee] of [['34', 7500], ['50', 9500], ['66', 12500]] as const) {
    it(`an ordinary passport of ${pages} pages costs KES ${fee} plus the KES 50 convenience fee`, () => {
      const { lines, totals } = quote('ordinary-passport', { applicationType: 'first', pages })
      assert.deepEqual(
        lines.map((line) => [line.id, line.amount, line.currency, line.kind]),
        [
          ['passport', fee * 100, 'KES', 'government'],
          ['convenience', 5000, 'KES', 'convenience'],
        ],
      )
      assert.deepEqual(totals, { KES: (fee + 50) * 100 })
      assert.deepEqual(lines[0]?.label, { en: 'Ordinary passport', sw: 'Pasipoti ya kawaida' })
      assert.deepEqual(lines[1]?.label.en, 'Convenience fee')
    })
  }

  it('a lost passport is replaced for KES 20,000 whatever the pages', () => {
    const { lines, totals } = quote('ordinary-passport', { applicationType: 'replacement', pages: '66' })
    assert.deepEqual(lines.map((line) => line.id), ['replacement', 'convenience'])
    assert.deepEqual(totals, { KES: 2_005_000 })
  })

  it('a fee chosen by an answer not given yet is not charged', () => {
    assert.deepEqual(quote('ordinary-passport', { applicationType: 'first' }), { lines: [], totals: {} })
  })

  it('an eTA is charged in US dollars, with the USD 1 convenience fee', () => {
    const { lines, totals } = quote('electronic-travel-authorisation', {})
    assert.deepEqual(lines.map((line) => [line.amount, line.currency]), [[3000, 'USD'], [100, 'USD']])
    assert.deepEqual(totals, { USD: 3100 })
  })

  it('a business name search costs KES 150 a name, and the convenience fee follows the total', () => {
    assert.deepEqual(quote('business-name-search', { nameCount: '1' }).totals, { KES: 15_500 })
    assert.deepEqual(quote('business-name-search', { nameCount: '2' }).totals, { KES: 31_500 })
    assert.deepEqual(quote('business-name-search', { nameCount: '3' }).totals, { KES: 46_500 })
  })

  it('a driving licence renewal costs KES 650 or 1,450 by the period, a birth certificate 200 or 1,000', () => {
    assert.deepEqual(quote('driving-licence-renewal', { renewalPeriod: '1' }).totals, { KES: 67_000 })
    assert.deepEqual(quote('driving-licence-renewal', { renewalPeriod: '3' }).totals, { KES: 150_000 })
    assert.deepEqual(quote('birth-certificate', { requestType: 'first' }).totals, { KES: 21_000 })
    assert.deepEqual(quote('birth-certificate', { requestType: 'replacement' }).totals, { KES: 105_000 })
  })

  it('the convenience fee follows the gazetted bands at their edges', () => {
    const fee = (shillings: number) => convenienceFee(schedule, 'KES', shillings * 100) / 100
    assert.deepEqual(
      [1, 199, 200, 299, 300, 499, 500, 699, 700, 999, 1000, 250_000].map(fee),
      [5, 5, 10, 10, 15, 15, 20, 20, 25, 25, 50, 50],
    )
    assert.equal(convenienceFee(schedule, 'KES', 19_999), 500, 'KES 199.99 is still under 200')
    assert.equal(convenienceFee(schedule, 'KES', 0), 0)
    assert.equal(convenienceFee(schedule, 'USD', 1), 100)
  })

  it('are written as people read them', () => {
    assert.equal(formatMoney(750_000, 'KES'), 'KES 7,500')
    assert.equal(formatMoney(3050, 'USD'), 'USD 30.50')
  })
})
