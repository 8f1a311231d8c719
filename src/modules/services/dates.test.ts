import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { addToDate, expiryDate, formatDate, isDateBound, makeDate, resolveBound, todayInKenya } from './dates.js'

describe('dates', () => {
  it('are real calendar days', () => {
    assert.equal(makeDate(2024, 2, 29), '2024-02-29')
    assert.equal(makeDate(2023, 2, 29), undefined)
    assert.equal(makeDate(2024, 13, 1), undefined)
    assert.equal(makeDate(999, 1, 1), undefined)
  })

  it('resolve bounds relative to today, keeping the day within the month', () => {
    assert.equal(resolveBound('today', '2025-06-15'), '2025-06-15')
    assert.equal(resolveBound('today-18y', '2024-02-29'), '2006-02-28')
    assert.equal(resolveBound('today+6m', '2025-08-31'), '2026-02-28')
    assert.equal(resolveBound('today+90d', '2025-12-15'), '2026-03-15')
    assert.equal(resolveBound('2024-03-01', '2025-06-15'), '2024-03-01')
    assert.ok(isDateBound('today-120y') && !isDateBound('yesterday') && !isDateBound('2023-02-29'))
    assert.equal(addToDate('2025-01-31', 1, 'm'), '2025-02-28')
  })

  it('give expiry dates, today in Kenya, and the written form', () => {
    assert.equal(expiryDate('2025-06-15', { years: 10 }), '2035-06-14')
    assert.equal(expiryDate('2025-06-15', { days: 90 }), '2025-09-12')
    assert.equal(todayInKenya(new Date('2025-06-14T21:30:00Z')), '2025-06-15', 'EAT is three hours ahead of UTC')
    assert.equal(formatDate('2007-03-27'), '27/03/2007')
  })
})
