import type { FastifyRequest } from 'fastify'
import type { LayoutPart } from '../../platform/views/views.js'
import { memo, type StatusBoard } from './board.js'
import { isActive } from './model.js'
import { adviceFor, componentName } from './names.js'

export interface BannerItem {
  title: string
  affected: string[]
  advice: { key: string; agency?: string }[]
  /** Maintenance only: when it is due to end. */
  until?: Date
}

/**
 * The notification banner every page shows while an incident is open or maintenance is under way. It
 * comes from the board's memory (no query per page), and its cache key follows what it says, so the
 * cached home page is re-rendered the moment the banner changes.
 */
export function statusBannerSource(board: StatusBoard): (request: FastifyRequest) => LayoutPart | undefined {
  return (request) => {
    const snapshot = board.peek()
    if (!snapshot) return undefined
    const lang = request.language()
    const items = memo(snapshot, `banner:${lang}`, (): BannerItem[] => {
      const { components } = snapshot.data
      const describe = (ids: string[]) => ({
        affected: ids.map((id) => componentName(components, id, lang, request.t)),
        // One piece of advice per component, each once.
        advice: ids.map((id) => adviceFor(components, id, lang)).filter((a, i, all) => all.findIndex((b) => b.key === a.key && b.agency === a.agency) === i),
      })
      const mode = snapshot.data.maintenanceMode
      // What the probes found and no open incident already names: people are told before an admin writes it up.
      const named = new Set(snapshot.openIncidents.flatMap((incident) => incident.components))
      const detected = (snapshot.data.detected ?? []).map((d) => d.component).filter((id) => !named.has(id))
      return [
        ...(mode ? [{ title: mode.message[lang], affected: [], advice: [] }] : []),
        ...snapshot.openIncidents.map((incident) => ({ title: incident.title[lang], ...describe(incident.components) })),
        ...snapshot.currentMaintenance
          .filter((window) => isActive(window, snapshot.asOf))
          .map((window) => ({ title: window.message[lang], until: window.endsAt, ...describe(window.components) })),
        ...(detected.length ? [{ title: request.t('statusDetection.banner'), ...describe(detected) }] : []),
      ]
    })
    if (items.length === 0) return { data: {}, cacheKey: 'ok' }
    return { data: { statusBanner: { items } }, cacheKey: snapshot.bannerKey }
  }
}
