import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { addWorkingDays, easterSunday, holidaysOf, isWorkingDay, workingDaysBetween } from './working-days.js'

describe('Kenyan working days', () => {
  it('knows Easter and the fixed holidays, and keeps a Sunday holiday on the Monday', () => {
    assert.equal(easterSunday(2024), '2024-03-31')
    assert.equal(easterSunday(2025), '2025-04-20')
    const year = holidaysOf(2025)
    for (const day of ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-01', '2025-06-01', '2025-10-10', '2025-10-20', '2025-12-12', '2025-12-25', '2025-12-26', '2025-03-31']) {
      assert.ok(year.has(day), day)
    }
    // Madaraka Day 2025 fell on a Sunday: Monday 2 June was the holiday.
    assert.ok(year.has('2025-06-02'))
    assert.equal(isWorkingDay('2025-06-02'), false)
  })

  it('skips weekends and holidays', () => {
    assert.equal(addWorkingDays('2025-06-06', 1), '2025-06-09', 'Friday + 1 is Monday')
    assert.equal(addWorkingDays('2025-05-30', 2), '2025-06-04', 'over a weekend and Madaraka Day kept on Monday')
    assert.equal(addWorkingDays('2025-12-24', 1), '2025-12-29', 'over Christmas, Boxing Day and the weekend')
    assert.equal(addWorkingDays('2025-04-17', 1), '2025-04-22', 'over Good Friday, the weekend and Easter Monday')
    assert.equal(addWorkingDays('2025-03-03', 0), '2025-03-03')
  })

  it('counts the working days left before a deadline, the inverse of adding them', () => {
    assert.equal(workingDaysBetween('2025-06-06', '2025-06-09'), 1, 'Friday to Monday')
    assert.equal(workingDaysBetween('2025-05-30', '2025-06-04'), 2)
    assert.equal(workingDaysBetween('2025-12-24', '2025-12-29'), 1)
    assert.equal(workingDaysBetween('2025-03-03', '2025-03-03'), 0)
    assert.equal(workingDaysBetween('2025-03-05', '2025-03-03'), 0, 'a deadline already passed leaves nothing')
    for (const [from, days] of [['2025-04-16', 3], ['2025-12-19', 7], ['2026-01-02', 15]] as const) {
      assert.equal(workingDaysBetween(from, addWorkingDays(from, days)), days)
    }
  })
})
