import { convenienceFee, type ConvenienceFeeSchedule } from './convenience-fee.js'
import { CURRENCIES, type Currency, type Language, type ServiceDefinition, type Text } from './definition.js'
import type { Answers } from './field-rules.js'
import { conditionHolds, shown } from './visibility.js'

/**
 * Money is integer cents (minor units) with a currency, everywhere in the engine. Definitions and the
 * fee schedule write whole shillings or dollars, as the gazette does; `cents` converts at the edge.
 */
export function cents(wholeUnits: number): number {
  return Math.round(wholeUnits * 100)
}

export interface FeeLine {
  /** The fee's id in the definition, or `convenience`. */
  id: string
  label: Text
  /** Cents. */
  amount: number
  currency: Currency
  kind: 'government' | 'convenience'
}

export interface FeeQuote {
  lines: FeeLine[]
  /** Cents per currency, convenience fee included; a currency with nothing to pay is absent. */
  totals: Partial<Record<Currency, number>>
}

/**
 * What an application costs for these answers: each government fee that applies, then, per currency,
 * the platform's convenience fee, shown as a line of its own (as on every eCitizen invoice).
 */
export function feesFor(definition: ServiceDefinition, answers: Readonly<Answers>, schedule: ConvenienceFeeSchedule): FeeQuote {
  const kept = shown(definition, answers).answers
  const lines: FeeLine[] = []
  for (const item of definition.fees.items) {
    if (item.when && !conditionHolds(item.when, kept)) continue
    let amount = item.amount
    if (item.byAnswer) {
      const answer = kept[item.byAnswer.question]
      amount = typeof answer === 'string' && Object.hasOwn(item.byAnswer.amounts, answer) ? item.byAnswer.amounts[answer] : undefined
    }
    if (amount === undefined || amount === 0) continue
    lines.push({ id: item.id, label: item.label, amount: cents(amount), currency: item.currency, kind: 'government' })
  }
  const totals: FeeQuote['totals'] = {}
  for (const currency of CURRENCIES) {
    const government = lines.filter((line) => line.currency === currency).reduce((sum, line) => sum + line.amount, 0)
    if (government === 0) continue
    const convenience = convenienceFee(schedule, currency, government)
    if (convenience > 0) lines.push({ id: 'convenience', label: schedule.label, amount: convenience, currency, kind: 'convenience' })
    totals[currency] = government + convenience
  }
  return { lines, totals }
}

/** "KES 7,500" or "USD 30.50": whole amounts without decimals, as fees are published. */
// Made once per language and kind: building an Intl formatter costs far more than using one.
const moneyFormats = new Map<string, Intl.NumberFormat>()

export function formatMoney(amountCents: number, currency: Currency, language: Language = 'en'): string {
  const whole = amountCents % 100 === 0
  const key = `${language}:${whole}`
  let format = moneyFormats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(language === 'sw' ? 'sw-KE' : 'en-KE', { minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 })
    moneyFormats.set(key, format)
  }
  return `${currency} ${format.format(amountCents / 100)}`
}
