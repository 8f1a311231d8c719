import fs from 'node:fs'
import { fileURLToPath } from 'node:url'

export const LANGUAGES = ['en', 'sw'] as const
export type Language = (typeof LANGUAGES)[number]
export type Translate = (key: string, params?: Record<string, string | number>) => string

const LOCALES_DIR = fileURLToPath(new URL('../../../locales/', import.meta.url))

type Messages = Record<string, string>

function flatten(tree: Record<string, unknown>, prefix = '', out: Messages = {}): Messages {
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out[name] = value
    else if (value && typeof value === 'object') flatten(value as Record<string, unknown>, name, out)
    else throw new Error(`locale key ${name} must be a string or an object`)
  }
  return out
}

/**
 * `locales/en.json` holds the shared strings; a module may keep its own beside it as
 * `locales/<module>.en.json`, so modules never edit one file at once. A key defined twice is an error.
 */
export function loadMessages(dir = LOCALES_DIR): Record<Language, Messages> {
  const read = (language: Language) => {
    const files = fs
      .readdirSync(dir)
      .filter((name) => name === `${language}.json` || name.endsWith(`.${language}.json`))
      .sort()
    const merged: Messages = {}
    for (const file of files) {
      const messages = flatten(JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8')) as Record<string, unknown>)
      for (const [key, value] of Object.entries(messages)) {
        if (key in merged) throw new Error(`locale key ${key} is defined twice (${file})`)
        merged[key] = value
      }
    }
    return merged
  }
  return { en: read('en'), sw: read('sw') }
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
}

/** The first supported language in an Accept-Language header, if any. */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { language: tag.toLowerCase().split('-')[0], quality: q ? Number(q.slice(2)) : 1 }
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality)
  return ranked.map((entry) => entry.language).find(isLanguage)
}

export class Translator {
  constructor(private readonly messages: Record<Language, Messages>) {}

  /** English stands in for a missing Kiswahili string; a test keeps both files complete. */
  for(language: Language): Translate {
    const primary = this.messages[language]
    const fallback = this.messages.en
    return (key, params) => {
      const template = primary[key] ?? fallback[key] ?? key
      return params ? template.replace(/\{(\w+)\}/g, (match, name: string) => String(params[name] ?? match)) : template
    }
  }
}
