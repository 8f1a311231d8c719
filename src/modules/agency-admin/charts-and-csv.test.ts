import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { barChart } from './chart.js'
import { csvCell, toCsv } from '../../platform/csv.js'
import { calendarDays, isIsoDate, percentile, periodOf, readRange } from './report-math.js'

describe('report CSV files', () => {
  it('quotes text, doubles its quotes and keeps commas and line breaks inside the cell', () => {
    assert.equal(toCsv([['a,b', 'say "hi"', 'two\r\nlines'], [1, 2.5, null]]), '"a,b","say ""hi""","two\r\nlines"\r\n1,2.5,\r\n')
  })

  it('disarms text a spreadsheet would run as a formula, but leaves our numbers alone', () => {
    for (const text of ['=SUM(A1:A2)', '+254700000000', '-1+2', '@cmd', '\tx', '\rx', '  =1+1']) {
      assert.equal(csvCell(text), `"'${text.replace(/"/g, '""')}"`, JSON.stringify(text))
    }
    assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`)
    assert.equal(csvCell(-200), '-200')
    assert.equal(csvCell('Alpha - permit'), '"Alpha - permit"')
    assert.equal(csvCell(Number.NaN), '')
  })
})

describe('report charts', () => {
  const chart = barChart({
    id: 'chart-x',
    title: 'Applications <by> service',
    description: 'Alpha & "Beta"',
    bars: [
      { label: 'Alpha', value: 4, display: '4' },
      { label: '<script>alert(1)</script>', value: 2, display: '2' },
      { label: 'Nothing', value: -3, display: '-3' },
    ],
  })

  it('is an image named by its title and described by its description', () => {
    assert.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="app-bar-chart" role="img" aria-labelledby="chart-x-title chart-x-desc" viewBox="0 0 640 156" width="100%" focusable="false">/)
    assert.match(chart, /<title id="chart-x-title">Applications &lt;by&gt; service<\/title><desc id="chart-x-desc">Alpha &amp; &quot;Beta&quot;<\/desc>/)
    assert.ok(chart.endsWith('</svg>'))
  })

  it('draws bars to scale, none for a negative value, and escapes every label', () => {
    const widths = [...chart.matchAll(/<rect [^>]*width="(\d+)"/g)].map((m) => Number(m[1]))
    assert.deepEqual(widths, [510, 255, 0])
    assert.doesNotMatch(chart, /<script>/)
    assert.match(chart, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  })

  it('uses presentation attributes only: nothing the content security policy would block', () => {
    assert.doesNotMatch(chart, /style|<script|on[a-z]+=/i)
    assert.match(barChart({ id: 'e', title: 'Empty', description: 'No rows', bars: [] }), /viewBox="0 0 640 52"/)
  })

  it('scales shares to a whole of 100', () => {
    const share = barChart({ id: 's', title: 'Share', description: 'd', bars: [{ label: 'A', value: 50, display: '50%' }], max: 100 })
    assert.match(share, /width="255"/)
  })
})

describe('report periods and figures', () => {
  it('interpolates percentiles as percentile_cont does', () => {
    assert.equal(percentile([4, 6, 8, 10], 0.5), 7)
    assert.ok(Math.abs(percentile([4, 6, 8, 10], 0.9)! - 9.4) < 1e-9)
    assert.equal(percentile([5], 0.9), 5)
    assert.equal(percentile([], 0.5), null)
  })

  it('reads Kenyan days as the instants they cover', () => {
    assert.deepEqual(periodOf({ from: '2025-03-01', to: '2025-03-31' }), { from: new Date('2025-02-28T21:00:00Z'), to: new Date('2025-03-31T21:00:00Z') })
    assert.equal(calendarDays('2025-02-27', '2025-03-01'), 2)
    assert.equal(isIsoDate('2025-02-29'), false)
    assert.equal(isIsoDate('2024-02-29'), true)
  })

  it('defaults to the last 30 days and refuses ranges that make no sense', () => {
    assert.deepEqual(readRange({}, '2025-03-31'), { from: '2025-03-02', to: '2025-03-31' })
    assert.deepEqual(readRange({ from: '2025-01-01' }, '2025-03-31'), { from: '2025-01-01', to: '2025-03-31' })
    assert.throws(() => readRange({ from: '2025-03-02', to: '2025-03-01' }, '2025-03-31'), /invalid input/)
    assert.throws(() => readRange({ from: '2023-01-01', to: '2025-03-01' }, '2025-03-31'), /invalid input/)
    assert.throws(() => readRange({ from: 'yesterday' }, '2025-03-31'), /invalid input/)
  })
})
