import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEMO_WANJIKU } from './demo-fixed.js'
import { adulthoodCutoff, assertDate, comparableName, identityMatches, isUnder18, kenyaToday } from './registry.js'

describe('registry rules', () => {
  it('compares names without case, accents or stray spaces', () => {
    assert.equal(comparableName('  HÉLÈNE '), 'helene')
    assert.equal(comparableName('Mary   Anne'), 'mary anne')
    assert.equal(comparableName("M'Mbijiwe"), "m'mbijiwe")
    assert.notEqual(comparableName('Wanjiku'), comparableName('Wanjiru'))
  })

  it('matches a claimed identity on ID number, first name and year of birth', () => {
    const claim = { idNumber: '12345678', firstName: 'wanjiku', yearOfBirth: 1990 }
    assert.equal(identityMatches(DEMO_WANJIKU, claim), true)
    assert.equal(identityMatches(DEMO_WANJIKU, { ...claim, idNumber: ' 1234 5678 ' }), true)
    assert.equal(identityMatches(DEMO_WANJIKU, { ...claim, firstName: 'Kamau' }), false, 'the surname is not the first name')
    assert.equal(identityMatches(DEMO_WANJIKU, { ...claim, yearOfBirth: 1991 }), false)
    assert.equal(identityMatches(DEMO_WANJIKU, { ...claim, idNumber: '12345679' }), false)
  })

  it('counts someone as an adult from their 18th birthday', () => {
    assert.equal(adulthoodCutoff('2026-11-26'), '2008-11-26')
    assert.equal(isUnder18('2008-11-27', '2026-11-26'), true)
    assert.equal(isUnder18('2008-11-26', '2026-11-26'), false, '18 today')
  })

  it('lets a leap-day child come of age on 1 March, and never asks the database for 29 February of a common year', () => {
    assert.equal(isUnder18('2008-02-29', '2026-02-28'), true)
    assert.equal(isUnder18('2008-02-29', '2026-03-01'), false)
    assert.equal(adulthoodCutoff('2024-02-29'), '2006-02-28')
    assert.equal(isUnder18('2006-02-28', '2024-02-29'), false)
    assert.equal(isUnder18('2006-03-01', '2024-02-29'), true)
    assert.equal(adulthoodCutoff('2044-02-29'), '2026-02-28')
    assert.equal(adulthoodCutoff('2036-02-29'), '2018-02-28')
  })

  it("gives Kenya's date, three hours ahead of UTC", () => {
    assert.equal(kenyaToday(new Date('2026-12-31T20:59:59Z')), '2026-12-31')
    assert.equal(kenyaToday(new Date('2026-12-31T21:00:00Z')), '2027-01-01')
  })

  it('refuses dates that are not written YYYY-MM-DD or do not exist', () => {
    assert.doesNotThrow(() => assertDate('2024-02-29', 'today'))
    assert.throws(() => assertDate('2026-02-29', 'today'), RangeError)
    assert.throws(() => assertDate('2026-2-1', 'today'), RangeError)
    assert.throws(() => assertDate('yesterday', 'today'), /today must be a date/)
  })
})
