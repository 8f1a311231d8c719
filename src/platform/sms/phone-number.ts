/**
 * Phone numbers as people type them, turned into E.164 (+254712345678), the form SMS gateways take.
 * Kenyan numbers may be written locally (0712 345 678, 712345678) or with the country code with or
 * without "+"; other countries' numbers must carry "+" and their country code.
 */
const KENYA = /^(?:\+?254|0)?([17]\d{8})$/
const INTERNATIONAL = /^\+[1-9]\d{7,14}$/

export function toE164(raw: string): string | undefined {
  const compact = raw.trim().replace(/[\s().-]/g, '')
  const kenyan = KENYA.exec(compact)
  if (kenyan) return `+254${kenyan[1]}`
  // A +254 number that did not match above has the wrong length or prefix: refuse it rather than guess.
  if (compact.startsWith('+254')) return undefined
  return INTERNATIONAL.test(compact) ? compact : undefined
}

export function isE164(value: string): boolean {
  return INTERNATIONAL.test(value) && toE164(value) === value
}
