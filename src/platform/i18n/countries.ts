import { createRequire } from 'node:module'
import countries from 'i18n-iso-countries'
import type { Language } from './i18n.js'

const require = createRequire(import.meta.url)
countries.registerLocale(require('i18n-iso-countries/langs/en.json') as countries.LocaleData)
countries.registerLocale(require('i18n-iso-countries/langs/sw.json') as countries.LocaleData)

export interface Country {
  code: string
  name: string
}

const byLanguage = new Map<Language, Country[]>()

/** ISO 3166-1 alpha-2 countries, named and sorted in the person's language. */
export function countryList(language: Language): Country[] {
  let list = byLanguage.get(language)
  if (!list) {
    list = Object.entries(countries.getNames(language, { select: 'official' }))
      .map(([code, name]) => ({ code, name }))
      .sort((a, b) => a.name.localeCompare(b.name, language))
    byLanguage.set(language, list)
  }
  return list
}

export function isCountryCode(code: string): boolean {
  return countries.isValid(code) && code.length === 2 && code === code.toUpperCase()
}
