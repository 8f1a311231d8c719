import type { Currency, Text } from './definition.js'
import { checkAgainstSchema, createValidator, type Problem } from './schema-check.js'
import type { ValidateFunction } from 'ajv/dist/2020.js'

/** Where, under the services folder, the platform's own fee schedule lives (data, like the services). */
export const CONVENIENCE_FEE_FILE = '_platform/convenience-fee.yaml'

/** One band: invoices whose government total is below `under` (whole units) pay `fee`; the last band has no `under`. */
export interface ConvenienceBand {
  under?: number
  fee: number
}

export interface ConvenienceFeeSchedule {
  source: string
  label: Text
  bands: Record<Currency, ConvenienceBand[]>
}

const band = {
  type: 'object',
  additionalProperties: false,
  required: ['fee'],
  properties: { under: { type: 'integer', minimum: 1 }, fee: { type: 'integer', minimum: 0, maximum: 100000 } },
}
const text = {
  type: 'object',
  additionalProperties: false,
  required: ['en', 'sw'],
  properties: { en: { type: 'string', minLength: 1 }, sw: { type: 'string', minLength: 1 } },
}
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'label', 'bands'],
  properties: {
    source: { type: 'string', minLength: 1 },
    label: text,
    bands: {
      type: 'object',
      additionalProperties: false,
      required: ['KES', 'USD'],
      properties: { KES: { type: 'array', minItems: 1, items: band }, USD: { type: 'array', minItems: 1, items: band } },
    },
  },
}

let validator: ValidateFunction | undefined

/** Schema problems, then the band order: ascending `under`, and only the last band open-ended. */
export function checkConvenienceFees(value: unknown): Problem[] {
  const problems = checkAgainstSchema(value, (validator ??= createValidator(SCHEMA)))
  if (problems.length) return problems
  const schedule = value as ConvenienceFeeSchedule
  for (const [currency, bands] of Object.entries(schedule.bands)) {
    bands.forEach((entry, index) => {
      const path = ['bands', currency, index]
      const last = index === bands.length - 1
      if (last && entry.under !== undefined) problems.push({ path, message: `bands.${currency}: the last band has no "under": it covers every larger amount` })
      if (!last && entry.under === undefined) problems.push({ path, message: `bands.${currency}[${index}]: only the last band may leave out "under"` })
      const previous = bands[index - 1]?.under
      if (previous !== undefined && entry.under !== undefined && entry.under <= previous) {
        problems.push({ path, message: `bands.${currency}[${index}]: "under" must be larger than the band before` })
      }
    })
  }
  return problems
}

/** The convenience fee, in cents, for an invoice whose government fees total `governmentCents`. */
export function convenienceFee(schedule: ConvenienceFeeSchedule, currency: Currency, governmentCents: number): number {
  if (governmentCents <= 0) return 0
  const bands = schedule.bands[currency]
  const match = bands.find((entry) => entry.under === undefined || governmentCents < entry.under * 100) ?? bands[bands.length - 1]
  return (match?.fee ?? 0) * 100
}
