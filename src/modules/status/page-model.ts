import type { Language, Translate } from '../../platform/i18n/i18n.js'
import { historyOf, type StatusSnapshot } from './board.js'
import { isActive, type Incident } from './model.js'
import { componentName } from './names.js'

const DAY_FORMAT = {
  en: new Intl.DateTimeFormat('en-KE', { dateStyle: 'medium', timeZone: 'UTC' }),
  sw: new Intl.DateTimeFormat('sw-KE', { dateStyle: 'medium', timeZone: 'UTC' }),
}

/** What the status page template shows, in one language, worked out once per snapshot. */
export function statusPageModel(snapshot: StatusSnapshot, lang: Language, t: Translate) {
  const { components } = snapshot.data
  const name = (id: string) => componentName(components, id, lang, t)
  const incident = (i: Incident) => ({
    id: i.id,
    title: i.title[lang],
    impact: i.impact,
    status: i.status,
    startedAt: i.startedAt,
    resolvedAt: i.resolvedAt,
    affected: i.components.map(name).join(', '),
    updates: i.updates.map((u) => ({ status: u.status, message: u.message[lang], postedAt: u.postedAt })),
  })
  const rows = components.map((c) => {
    const days = historyOf(snapshot, c.id)
    return {
      id: c.id,
      name: name(c.id),
      state: snapshot.states.get(c.id) ?? 'operational',
      days,
      problemDays: days.filter((d) => d.state !== 'operational').map((d) => ({ ...d, label: DAY_FORMAT[lang].format(new Date(`${d.date}T00:00:00Z`)) })),
    }
  })
  return {
    allOperational: rows.every((row) => row.state === 'operational'),
    components: rows,
    openIncidents: snapshot.openIncidents.map(incident),
    pastIncidents: snapshot.data.incidents.filter((i) => i.resolvedAt).map(incident),
    maintenance: snapshot.currentMaintenance.map((m) => ({
      message: m.message[lang],
      startsAt: m.startsAt,
      endsAt: m.endsAt,
      active: isActive(m, snapshot.asOf),
      affected: m.components.map(name).join(', '),
    })),
  }
}

/** The machine-readable status: names and messages in both languages, times in ISO 8601. */
export function statusJson(snapshot: StatusSnapshot, names: Record<Language, Translate>) {
  const { components } = snapshot.data
  return {
    asOf: snapshot.asOf.toISOString(),
    components: components.map((c) => ({
      id: c.id,
      name: { en: componentName(components, c.id, 'en', names.en), sw: componentName(components, c.id, 'sw', names.sw) },
      state: snapshot.states.get(c.id) ?? 'operational',
      // Only the days that were not operational: the rest of the last 90 were.
      history: historyOf(snapshot, c.id).filter((d) => d.state !== 'operational'),
    })),
    incidents: snapshot.data.incidents.map((i) => ({
      id: i.id,
      impact: i.impact,
      status: i.status,
      title: i.title,
      components: i.components,
      startedAt: i.startedAt.toISOString(),
      resolvedAt: i.resolvedAt?.toISOString() ?? null,
      updates: i.updates.map((u) => ({ id: u.id, status: u.status, message: u.message, postedAt: u.postedAt.toISOString() })),
    })),
    maintenance: snapshot.currentMaintenance.map((m) => ({
      id: m.id,
      message: m.message,
      components: m.components,
      startsAt: m.startsAt.toISOString(),
      endsAt: m.endsAt.toISOString(),
      active: isActive(m, snapshot.asOf),
    })),
  }
}
