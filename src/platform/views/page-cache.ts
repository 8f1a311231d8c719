/**
 * Rendered HTML of public pages that look the same for every visitor (in one language), kept for a
 * short time. Rendering the home page's templates costs far more than serving it; under a rush (an
 * announcement, a deadline) this keeps the front door fast. Bounded, so odd URLs cannot grow it.
 */
export class PageCache {
  readonly #entries = new Map<string, { html: string; expires: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): string | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expires <= this.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.html
  }

  set(key: string, html: string): void {
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.set(key, { html, expires: this.now() + this.ttlMs })
  }
}
