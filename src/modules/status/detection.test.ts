import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { advance, detect, UNDETECTED, type Detection, type Measurement, type Rounds } from './detection.js'
import { DETECTION_SETTINGS } from './detection-settings.js'
import { currentStates } from './model.js'
import { componentOfRequest } from './probes-traffic.js'
import { MPESA } from '../../../test/helpers/mpesa.js'

const ROUNDS: Rounds = { breach: 3, recovery: 3 }

/** Runs the detector over a series of rounds (true = breached), collecting each state and change. */
function run(series: boolean[], rounds: Rounds) {
  let detection: Detection = UNDETECTED
  return series.map((breached) => {
    const { next, change } = advance(detection, breached, rounds)
    detection = next
    return { state: next.state, change }
  })
}

describe('the detector', () => {
  it('degrades only after the configured breaches in a row, and recovers only after as many passes', () => {
    const states = run([true, true, false, true, true, true, true, false, false, true, false, false, false], ROUNDS).map((r) => r.change ?? r.state[0])
    // A pass in between starts the count again, both ways.
    assert.deepEqual(states, ['o', 'o', 'o', 'o', 'o', 'degraded', 'd', 'd', 'd', 'd', 'd', 'd', 'recovered'])
  })

  it('is degraded exactly when the last change was a degradation, for any series and settings', () => {
    const rounds = fc.record({ breach: fc.integer({ min: 1, max: 5 }), recovery: fc.integer({ min: 1, max: 5 }) })
    fc.assert(
      fc.property(rounds, fc.array(fc.boolean(), { maxLength: 60 }), (settings, series) => {
        const results = run(series, settings)
        let last: string | undefined
        results.forEach((result, i) => {
          last = result.change ?? last
          assert.equal(result.state, last === 'degraded' ? 'degraded' : 'operational')
          // Changes alternate: never two degradations without a recovery between them.
          if (result.change) assert.notEqual(result.change, results.slice(0, i).findLast((r) => r.change)?.change)
          if (result.change === 'degraded') assert.ok(i + 1 >= settings.breach && series.slice(i + 1 - settings.breach, i + 1).every(Boolean), 'a sustained breach')
          if (result.change === 'recovered') assert.ok(series.slice(i + 1 - settings.recovery, i + 1).every((b) => !b), 'a sustained recovery')
        })
        // And the converse: a run of `breach` breaches while operational always degrades.
        const tail = series.slice(-settings.breach)
        if (tail.length === settings.breach && tail.every(Boolean)) assert.equal(results.at(-1)!.state, 'degraded')
      }),
    )
  })

  it('judges every measured or remembered component, any breach counting', () => {
    const measurements: Measurement[] = [
      { component: 'portal', signal: 'database-latency', value: 40, limit: 500 },
      { component: 'portal', signal: 'queue-lag', value: 61, limit: 60 },
      { component: 'sms', signal: 'message-failures', value: 25, limit: 25, sample: 40 },
    ]
    const previous = new Map<string, Detection>([
      ['portal', { state: 'operational', streak: 2 }],
      ['email', { state: 'degraded', streak: 2 }],
    ])
    const results = detect(measurements, previous, ROUNDS)
    assert.deepEqual(
      results.map((r) => [r.component, r.next.state, r.change, r.breaches.map((b) => b.signal)]),
      [
        ['email', 'operational', 'recovered', []],
        ['portal', 'degraded', 'degraded', ['queue-lag']],
        ['sms', 'operational', undefined, []],
      ],
      'at the limit is not a breach; an unmeasured degraded component counts as passing',
    )
  })
})

describe('detected states on the page', () => {
  it('are degraded at least, and never hide a worse incident', () => {
    const now = new Date('2026-11-26T09:00:00Z')
    const text = { en: 'x', sw: 'x' }
    const states = currentStates(
      {
        components: [{ id: 'portal' }, { id: 'sms' }, { id: 'email' }],
        incidents: [{ id: 'i', impact: 'major-outage', title: text, status: 'investigating', startedAt: now, resolvedAt: null, components: ['sms'], updates: [] }],
        maintenance: [],
        detected: ['portal', 'sms'].map((component) => ({ component, since: now, reason: text })),
      },
      now,
    )
    assert.deepEqual(Object.fromEntries(states), { portal: 'degraded', sms: 'major-outage', email: 'operational' })
  })
})

describe('the component a request belongs to', () => {
  const agencies: Record<string, string> = { 'good-conduct': 'DCI' }
  const cases: [string, string | undefined][] = [
    ['/sign-in', 'sign-in'],
    ['/sign-in/code?next=/account', 'sign-in'],
    ['/register', 'sign-in'],
    ['/signing-rules', 'portal'],
    ['/payments/invoices/ABC123/prompt', 'payments-prompt'],
    // Daraja's addresses carry the secret segment, whatever it is.
    [MPESA.callback, 'payments-prompt'],
    [MPESA.confirmation, 'payments-paybill'],
    [`${MPESA.validation}?x=1`, 'payments-paybill'],
    [MPESA.statusResult, 'payments-prompt'],
    ['/payments/mpesa/Zq8-x_7Kc2bR0tate3dSecret4567890abcd/c2b/confirmation', 'payments-paybill'],
    ['/payments/mpesa/c2b/confirmation', 'payments-paybill'],
    ['/payments/mpesa/callback', 'payments-prompt'],
    ['/payments/invoices/C2B/prompt', 'payments-prompt'],
    ['/services/good-conduct/apply', 'agency-dci'],
    ['/services/unknown', 'portal'],
    ['/account', 'portal'],
    ['/healthz', undefined],
    ['/metrics', undefined],
    ['/assets/app.css', undefined],
  ]
  for (const [url, component] of cases) {
    it(`${url} → ${component ?? 'not counted'}`, () => assert.equal(componentOfRequest(url, (slug) => agencies[slug]), component))
  }
})

describe('detection settings', () => {
  it('default to detection within a minute', () => {
    const read = (key: keyof typeof DETECTION_SETTINGS) => DETECTION_SETTINGS[key].read(undefined, {})
    assert.ok(read('statusProbeIntervalSeconds') * read('statusBreachRounds') < 60)
    assert.equal(DETECTION_SETTINGS.statusErrorRatePercent.read('15', {}), 15)
    assert.throws(() => DETECTION_SETTINGS.statusErrorRatePercent.read('0', {}), /STATUS_ERROR_RATE_PERCENT must be between 1 and 100/)
    assert.throws(() => DETECTION_SETTINGS.statusBreachRounds.read('two', {}), /must be a whole number/)
  })
})
