/**
 * Horizontal bar charts as SVG markup, drawn on the server: no script, and no style attribute or
 * element (the content security policy allows neither inline), only SVG presentation attributes. The
 * chart is an image named by its <title> and described by its <desc>; the table beside it carries the
 * same figures for anyone who cannot see it.
 */

export interface Bar {
  label: string
  value: number
  /** The value as the page writes it ("75%", "KES 1,000"), printed at the end of the bar. */
  display: string
}

export interface BarChart {
  /** Unique on the page: the title's and description's element ids start with it. */
  id: string
  title: string
  description: string
  bars: Bar[]
  /** The value a full-width bar stands for (100 for shares); the largest value when not given. */
  max?: number
}

const WIDTH = 640
const LABEL_HEIGHT = 18
const BAR_HEIGHT = 20
const ROW_GAP = 14
const ROW = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
/** Room at the end of the longest bar for its value. */
const VALUE_ROOM = 130
const BAR_COLOUR = '#1d70b8'
const TEXT_COLOUR = '#0b0c0c'

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/** Ids may only carry letters, digits, hyphens and underscores. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '-')
}

export function barChart(chart: BarChart): string {
  const id = safeId(chart.id)
  const largest = Math.max(0, ...chart.bars.map((bar) => (Number.isFinite(bar.value) ? bar.value : 0)))
  const max = chart.max ?? largest
  const scale = max > 0 ? (WIDTH - VALUE_ROOM) / max : 0
  const height = Math.max(ROW, chart.bars.length * ROW)
  const rows = chart.bars.map((bar, index) => {
    const top = index * ROW
    // A negative or missing value draws no bar; its figure is still printed.
    const length = Math.round(Math.max(0, Math.min(bar.value, max)) * scale) || 0
    return [
      `<g>`,
      `<text x="0" y="${top + 14}" font-size="14" fill="${TEXT_COLOUR}">${escapeXml(bar.label)}</text>`,
      `<rect x="0" y="${top + LABEL_HEIGHT}" width="${length}" height="${BAR_HEIGHT}" fill="${BAR_COLOUR}"></rect>`,
      `<text x="${length + 6}" y="${top + LABEL_HEIGHT + 15}" font-size="14" font-weight="bold" fill="${TEXT_COLOUR}">${escapeXml(bar.display)}</text>`,
      `</g>`,
    ].join('')
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-bar-chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" focusable="false">`,
    `<title id="${id}-title">${escapeXml(chart.title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(chart.description)}</desc>`,
    ...rows,
    `</svg>`,
  ].join('')
}
