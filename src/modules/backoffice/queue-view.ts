import { roleMay } from '../../platform/access/access.js'
import type { Translate } from '../../platform/i18n/i18n.js'
import { statusTag, type StatusTag } from '../applications/dashboard.js'
import { longDate } from '../applications/detail.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { IsoDate } from '../services/dates.js'
import type { Language } from '../services/definition.js'
import { countText, filterParams, type QueueFilter, type QueueResult } from './queue.js'
import type { Staff } from './service.js'

/** The deadline as a tag when it needs attention: overdue (red) or due today (orange). */
export function slaTag(expectedBy: string | null, today: IsoDate, t: Translate): StatusTag | undefined {
  if (!expectedBy || expectedBy > today) return undefined
  return expectedBy < today ? { text: t('backoffice.sla.overdue'), classes: 'govuk-tag--red' } : { text: t('backoffice.sla.dueToday'), classes: 'govuk-tag--orange' }
}

export const caseHref = (reference: string) => `/backoffice/applications/${reference}`

/** What the queue page shows: the filters as chosen, the counts, one page of cases, and the way on. */
export function queueView(catalogue: ServiceCatalogue, staff: Staff, filter: QueueFilter, page: QueueResult, today: IsoDate, language: Language, t: Translate) {
  const mayClaim = roleMay(staff.role, 'backoffice.decide')
  const items = page.rows.map((row) => ({
    reference: row.reference,
    href: caseHref(row.reference),
    service: catalogue.version(row.service_slug, row.definition_version)?.name[language] ?? row.service_slug,
    party: row.party_name,
    stage: statusTag(catalogue, row, language, t),
    submittedAt: row.submitted_at,
    expectedBy: row.expected_by ? longDate(row.expected_by, language) : undefined,
    sla: filter.view === 'open' ? slaTag(row.expected_by, today, t) : undefined,
    assignee: row.assignee_id ? (row.assignee_id === staff.accountId ? t('backoffice.queue.you') : page.assignees.get(row.assignee_id)) : undefined,
    claimable: mayClaim && filter.view === 'open' && row.assignee_id === null,
  }))
  const services = new Map(page.stages.map((stage) => [stage.service, stage.serviceName[language]]))
  const stageOptions = new Map<string, string>()
  for (const stage of page.stages) {
    if (stage.open !== (filter.view === 'open') || (filter.service && stage.service !== filter.service)) continue
    if (!stageOptions.has(stage.stage)) stageOptions.set(stage.stage, stage.name[language])
  }
  const link = (over: Parameters<typeof filterParams>[1]) => `/backoffice?${filterParams({ view: 'open' }, over)}`
  const counts = [...services].map(([service, name]) => ({
    name,
    stages: page.counts
      .filter((entry) => entry.stage.service === service)
      .map((entry) => ({ name: entry.stage.name[language], count: countText(entry.count), href: link({ service, stage: entry.stage.stage }) })),
  })).filter((group) => group.stages.length > 0)
  const here = filterParams(filter)
  return {
    filter,
    items,
    services: [...services].map(([value, text]) => ({ value, text, selected: value === filter.service })),
    stageOptions: [...stageOptions].map(([value, text]) => ({ value, text, selected: value === filter.stage })),
    counts,
    overdue: { count: countText(page.overdue), href: link({ sla: 'overdue' }) },
    dueToday: { count: countText(page.dueToday), href: link({ sla: 'due-today' }) },
    nextHref: page.next ? `/backoffice?${here ? `${here}&` : ''}after=${page.next}` : undefined,
    firstHref: filter.after ? `/backoffice${here ? `?${here}` : ''}` : undefined,
    returnTo: `/backoffice${here ? `?${here}` : ''}`,
  }
}
