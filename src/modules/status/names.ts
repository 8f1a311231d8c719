import type { Language, Translate } from '../../platform/i18n/i18n.js'
import type { Component } from './model.js'

/** A component's name in the person's language: an agency's own name, else the locale's. */
export function componentName(components: Component[], id: string, lang: Language, t: Translate): string {
  const agency = components.find((c) => c.id === id)?.agency
  return agency ? agency.name[lang] : t(`statusPage.components.${id}`)
}

/** What to do instead while a component is affected: a locale key and what it names. */
export function adviceFor(components: Component[], id: string, lang: Language): { key: string; agency?: string } {
  const agency = components.find((c) => c.id === id)?.agency
  return agency ? { key: 'statusPage.advice.agency', agency: agency.name[lang] } : { key: `statusPage.advice.${id}` }
}
