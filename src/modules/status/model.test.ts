import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { snapshotOf } from './board.js'
import { currentStates, history, HISTORY_DAYS, worst, type Incident, type Maintenance, type StatusData } from './model.js'
import { parseNairobiTime } from './service.js'

const NOW = new Date('2026-11-26T09:00:00Z') // 12:00 in Nairobi
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000)
const text = { en: 'x', sw: 'x' }

function incident(overrides: Partial<Incident>): Incident {
  return { id: 'i', impact: 'degraded', title: text, status: 'investigating', startedAt: hoursAgo(1), resolvedAt: null, components: ['sms'], updates: [], ...overrides }
}
function maintenance(overrides: Partial<Maintenance>): Maintenance {
  return { id: 'm', message: text, startsAt: hoursAgo(1), endsAt: hoursAgo(-1), components: ['email'], ...overrides }
}
function data(incidents: Incident[], windows: Maintenance[] = []): StatusData {
  return { components: [{ id: 'portal' }, { id: 'sms' }, { id: 'email' }, { id: 'agency-dis', agency: { code: 'DIS', name: text } }], incidents, maintenance: windows }
}

describe('component state', () => {
  it('is operational with nothing open', () => {
    const states = currentStates(data([incident({ resolvedAt: hoursAgo(0.5) })], [maintenance({ startsAt: hoursAgo(-2), endsAt: hoursAgo(-3) })]), NOW)
    assert.deepEqual([...states.values()], ['operational', 'operational', 'operational', 'operational'])
  })

  it('is the worst impact of the open incidents naming it', () => {
    const states = currentStates(
      data([
        incident({ id: 'a', impact: 'degraded', components: ['sms', 'portal'] }),
        incident({ id: 'b', impact: 'major-outage', components: ['sms'] }),
        incident({ id: 'c', impact: 'partial-outage', components: ['agency-dis'], resolvedAt: hoursAgo(0.1) }),
      ]),
      NOW,
    )
    assert.equal(states.get('sms'), 'major-outage')
    assert.equal(states.get('portal'), 'degraded')
    assert.equal(states.get('agency-dis'), 'operational', 'a resolved incident no longer counts')
  })

  it('is under maintenance only while a window is active, and an incident outranks it', () => {
    assert.equal(currentStates(data([], [maintenance({})]), NOW).get('email'), 'under-maintenance')
    assert.equal(currentStates(data([], [maintenance({ startsAt: hoursAgo(-1), endsAt: hoursAgo(-2) })]), NOW).get('email'), 'operational', 'not yet started')
    assert.equal(currentStates(data([], [maintenance({ startsAt: hoursAgo(3), endsAt: hoursAgo(2) })]), NOW).get('email'), 'operational', 'over')
    assert.equal(currentStates(data([incident({ components: ['email'] })], [maintenance({})]), NOW).get('email'), 'degraded')
  })

  it('ranks states from operational to major outage', () => {
    assert.equal(worst([]), 'operational')
    assert.equal(worst(['under-maintenance', 'degraded']), 'degraded')
    assert.equal(worst(['partial-outage', 'major-outage', 'degraded']), 'major-outage')
  })
})

describe('90-day history', () => {
  it('colours each Nairobi day by its worst state, oldest first', () => {
    const days = history(
      data(
        [
          // 2026-11-20 from 23:00 to 02:00 Nairobi time: two days.
          incident({ id: 'a', impact: 'partial-outage', components: ['sms'], startedAt: new Date('2026-11-20T20:00:00Z'), resolvedAt: new Date('2026-11-20T23:00:00Z') }),
          incident({ id: 'b', impact: 'major-outage', components: ['sms'], startedAt: new Date('2026-11-21T05:00:00Z'), resolvedAt: new Date('2026-11-21T06:00:00Z') }),
          incident({ id: 'c', impact: 'degraded', components: ['sms'], startedAt: hoursAgo(2) }),
        ],
        [maintenance({ components: ['sms'], startsAt: new Date('2026-11-24T19:00:00Z'), endsAt: new Date('2026-11-24T20:00:00Z') })],
      ),
      'sms',
      NOW,
    )
    assert.equal(days.length, HISTORY_DAYS)
    assert.equal(days.at(-1)!.date, '2026-11-26')
    assert.equal(days[0]!.date, '2026-08-29')
    const problems = Object.fromEntries(days.filter((d) => d.state !== 'operational').map((d) => [d.date, d.state]))
    assert.deepEqual(problems, {
      '2026-11-20': 'partial-outage',
      '2026-11-21': 'major-outage',
      '2026-11-24': 'under-maintenance',
      '2026-11-26': 'degraded',
    })
  })

  it('counts an open incident on every day since it started', () => {
    const days = history(data([incident({ startedAt: new Date('2026-11-23T12:00:00Z') })]), 'sms', NOW)
    assert.deepEqual(days.slice(-4).map((d) => d.state), ['degraded', 'degraded', 'degraded', 'degraded'])
    assert.equal(days.at(-5)!.state, 'operational')
  })
})

describe('the banner key', () => {
  it('changes when an incident opens, gets an update or resolves, and not otherwise', () => {
    const open = incident({ updates: [{ id: 'u1', status: 'investigating', message: text, postedAt: hoursAgo(1) }] })
    const a = snapshotOf(data([open]), NOW, 1)
    const same = snapshotOf(data([open]), new Date(NOW.getTime() + 5000), 2)
    const updated = snapshotOf(data([{ ...open, updates: [...open.updates, { id: 'u2', status: 'identified', message: text, postedAt: NOW }] }]), NOW, 3)
    const resolved = snapshotOf(data([{ ...open, resolvedAt: NOW }]), NOW, 4)
    assert.equal(a.bannerKey, same.bannerKey)
    assert.notEqual(a.bannerKey, updated.bannerKey)
    assert.notEqual(a.bannerKey, resolved.bannerKey)
  })
})

describe('maintenance times', () => {
  it('reads the form’s times as Nairobi time', () => {
    assert.equal(parseNairobiTime('2026-12-01T22:00')?.toISOString(), '2026-12-01T19:00:00.000Z')
    assert.equal(parseNairobiTime('2026-12-01 22:00')?.toISOString(), '2026-12-01T19:00:00.000Z')
    assert.equal(parseNairobiTime('1 Dec 2026'), undefined)
    assert.equal(parseNairobiTime('2026-13-01 22:00'), undefined)
  })
})
