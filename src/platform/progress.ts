/**
 * A progress bar for long commands, on standard error so standard output stays clean. On a terminal it
 * redraws one line (at most ten times a second); otherwise (a log file, CI) it prints a plain line at
 * every tenth of the way, so the output stays readable and short.
 */
export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

const WIDTH = 30

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

const count = (n: number) => n.toLocaleString('en-GB')

export class Progress {
  private done = 0
  private readonly started: number
  private lastDraw = 0
  private lastTenth = -1
  private finished = false

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now()
    this.draw(true)
  }

  /** `n` more units done. */
  add(n: number): void {
    this.done = Math.min(this.total, this.done + n)
    this.draw(false)
  }

  /**
   * The line as it stands: label, percentage, counts, rate, time left; with `columns`, a bar after the
   * label as wide as the terminal leaves room for (at most 30 characters).
   */
  line(columns?: number): string {
    const share = this.total === 0 ? 1 : this.done / this.total
    const seconds = (this.now() - this.started) / 1000
    const rate = seconds > 0 ? this.done / seconds : 0
    const left = rate > 0 ? (this.total - this.done) / rate : Infinity
    const rest = [
      `${String(Math.floor(share * 100)).padStart(3)}%`,
      `${count(this.done)}/${count(this.total)}`,
      `${count(Math.round(rate))}/s`,
      this.done >= this.total ? `in ${duration(seconds)}` : `${duration(left)} left`,
    ].join('  ')
    if (columns === undefined) return `${this.label}  ${rest}`
    const width = Math.min(WIDTH, columns - 1 - this.label.length - rest.length - 6)
    if (width < 5) return `${this.label}  ${rest}`.slice(0, columns - 1)
    const filled = Math.round(share * width)
    return `${this.label}  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]  ${rest}`
  }

  private draw(force: boolean): void {
    if (this.finished) return
    if (this.stream.isTTY) {
      const now = this.now()
      if (!force && now - this.lastDraw < 100 && this.done < this.total) return
      this.lastDraw = now
      this.stream.write(`\r${this.line(this.stream.columns || 80)}\x1b[K`)
    } else {
      const tenth = this.total === 0 ? 10 : Math.floor((this.done / this.total) * 10)
      if (tenth === this.lastTenth || (tenth === 10 && this.done < this.total)) return
      this.lastTenth = tenth
      this.stream.write(`${this.line()}\n`)
    }
  }

  /** Ends the line (the terminal's cursor moves on); prints the final state if it was not shown. */
  finish(): void {
    if (this.finished) return
    if (this.stream.isTTY) {
      if (this.done < this.total || this.now() - this.lastDraw >= 100) this.draw(true)
      this.stream.write('\n')
    } else if (this.lastTenth !== 10) {
      this.lastTenth = 10
      this.stream.write(`${this.line()}\n`)
    }
    this.finished = true
  }
}
