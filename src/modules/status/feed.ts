import type { Language, Translate } from '../../platform/i18n/i18n.js'
import type { StatusSnapshot } from './board.js'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
const xml = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

interface Entry {
  id: string
  title: string
  published: Date
  updated: Date
  link: string
  content: string
}

/**
 * The Atom feed (RFC 4287): each incident is an entry (updated with its latest update) and so is each
 * update, so a feed reader announces both a new incident and every change to one.
 */
export function atomFeed(snapshot: StatusSnapshot, options: { lang: Language; t: Translate; publicUrl: string; portalName: string }): string {
  const { lang, t, publicUrl, portalName } = options
  const page = `${publicUrl}/status`
  const entries: Entry[] = []
  for (const incident of snapshot.data.incidents) {
    const link = `${page}#incident-${incident.id}`
    const latest = incident.updates[0]?.postedAt ?? incident.startedAt
    entries.push({
      id: `urn:uuid:${incident.id}`,
      title: incident.title[lang],
      published: incident.startedAt,
      updated: latest,
      link,
      content: t('statusPage.feed.incident', { impact: t(`statusPage.states.${incident.impact}`), status: t(`statusPage.statuses.${incident.status}`) }),
    })
    for (const update of incident.updates) {
      entries.push({
        id: `urn:uuid:${update.id}`,
        title: `${incident.title[lang]}: ${t(`statusPage.statuses.${update.status}`)}`,
        published: update.postedAt,
        updated: update.postedAt,
        link,
        content: update.message[lang],
      })
    }
  }
  entries.sort((a, b) => b.updated.getTime() - a.updated.getTime() || a.id.localeCompare(b.id))
  const updated = entries[0]?.updated ?? snapshot.asOf
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${lang}">`,
    `  <id>${xml(page)}</id>`,
    `  <title>${xml(t('statusPage.feed.title', { portal: portalName }))}</title>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(`${page}/feed.atom${lang === 'sw' ? '?lang=sw' : ''}`)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(page)}"/>`,
    `  <author><name>${xml(portalName)}</name></author>`,
    ...entries.map((entry) =>
      [
        '  <entry>',
        `    <id>${entry.id}</id>`,
        `    <title>${xml(entry.title)}</title>`,
        `    <published>${entry.published.toISOString()}</published>`,
        `    <updated>${entry.updated.toISOString()}</updated>`,
        `    <link rel="alternate" type="text/html" href="${xml(entry.link)}"/>`,
        `    <content type="text">${xml(entry.content)}</content>`,
        '  </entry>',
      ].join('\n'),
    ),
    '</feed>',
    '',
  ]
  return lines.join('\n')
}
