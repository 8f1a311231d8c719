import type { Db } from '../../platform/db/database.js'
import type { Translate } from '../../platform/i18n/i18n.js'
import { formatDateTime } from '../../platform/views/views.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import type { Language } from '../services/definition.js'
import { dashboardPage, isUuid, type DashboardRow } from './store.js'
import type { ApplicationStatus } from './tables.js'
import { findStage } from './workflow.js'
import { documentLinks, type DocumentLink } from '../documents/links.js'

/** The dashboard's groups, in the order a person cares about them. */
export const GROUPS: readonly { status: ApplicationStatus; key: string }[] = [
  { status: 'action-needed', key: 'actionNeeded' },
  { status: 'draft', key: 'drafts' },
  { status: 'awaiting-payment', key: 'awaitingPayment' },
  { status: 'in-progress', key: 'inProgress' },
  { status: 'completed', key: 'completed' },
]

export const PAGE_SIZE = 10

export interface StatusTag {
  text: string
  classes: string
}

export interface DashboardItem {
  id: string
  reference: string
  service: string
  forWhom: string
  tag: StatusTag
  updatedAt: Date
  href: string
  /** The issued document's PDF, while it stands. */
  document?: { href: string; text: string }
}

export interface DashboardGroup {
  status: ApplicationStatus
  title: string
  items: DashboardItem[]
  /** The next page of this group, when there is one. */
  more?: string
  /** The group as govukTable rows. */
  rows: ({ text: string } | { html: string })[][]
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!)
}

/** One row per application: the service (a link) over its reference, for whom, the status tag, when it last changed. */
function tableRows(items: DashboardItem[], language: Language): DashboardGroup['rows'] {
  return items.map((item) => [
    {
      html:
        `<a class="govuk-link" href="${item.href}">${escapeHtml(item.service)}</a><br><span class="govuk-body-s">${escapeHtml(item.reference)}</span>` +
        (item.document ? `<br><a class="govuk-link govuk-body-s" href="${item.document.href}">${escapeHtml(item.document.text)}</a>` : ''),
    },
    { text: item.forWhom },
    { html: `<strong class="govuk-tag ${item.tag.classes}">${escapeHtml(item.tag.text)}</strong>` },
    { text: formatDateTime(item.updatedAt, language) },
  ])
}

const TAG_CLASSES: Record<ApplicationStatus, string> = {
  draft: 'govuk-tag--grey',
  'awaiting-payment': 'govuk-tag--yellow',
  'in-progress': 'govuk-tag--blue',
  'action-needed': 'govuk-tag--orange',
  completed: 'govuk-tag--green',
}

/** The status as a tag: the workflow stage's own name once submitted, in the person's language. */
export function statusTag(
  catalogue: ServiceCatalogue,
  row: Pick<DashboardRow, 'service_slug' | 'definition_version' | 'status' | 'stage' | 'outcome'>,
  language: Language,
  t: Translate,
): StatusTag {
  const definition = catalogue.version(row.service_slug, row.definition_version)
  const stage = definition && findStage(definition, row.stage)
  const text = stage ? stage.name[language] : t(`applications.status.${row.status}`)
  const classes = row.outcome === 'rejected' ? 'govuk-tag--red' : row.outcome === 'withdrawn' ? 'govuk-tag--grey' : TAG_CLASSES[row.status]
  return { text, classes }
}

function documentFor(link: DocumentLink | undefined, t: Translate): DashboardItem['document'] {
  return link && !link.revokedAt ? { href: link.href, text: `${t('documents.download.dashboard')} (${link.number})` } : undefined
}

/** The opaque "more" cursor: the last row's exact updated_at and id. */
export function encodeCursor(row: Pick<DashboardRow, 'cursor_at' | 'id'>): string {
  return Buffer.from(`${row.cursor_at}|${row.id}`).toString('base64url')
}

export function decodeCursor(cursor: unknown): { at: string; id: string } | undefined {
  if (typeof cursor !== 'string' || cursor.length > 200) return undefined
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  // Only what encodeCursor writes: a timestamp as PostgreSQL prints it, and a uuid.
  if (!at || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(at) || !isUuid(id)) return undefined
  return { at, id }
}

/**
 * The signed-in person's applications, grouped, newest change first. Each group is one index range
 * read (PAGE_SIZE + 1 rows, to know whether there is more). With `only`, one group from a cursor on.
 */
export async function dashboardGroups(
  db: Db,
  catalogue: ServiceCatalogue,
  accountId: string,
  language: Language,
  t: Translate,
  only?: { status: ApplicationStatus; after?: { at: string; id: string } },
  basePath = '/dashboard',
): Promise<DashboardGroup[]> {
  const groups = only ? GROUPS.filter((group) => group.status === only.status) : GROUPS
  const pages = await Promise.all(groups.map((group) => dashboardPage(db, accountId, group.status, PAGE_SIZE + 1, only?.after)))
  const documents = await documentLinks(db, pages.flatMap((rows) => rows.slice(0, PAGE_SIZE)), language)
  return groups.map((group, index) => {
    const rows = pages[index]!
    const shown = rows.slice(0, PAGE_SIZE)
    const last = shown.at(-1)
    const items: DashboardItem[] = shown.map((row) => ({
      id: row.id,
      reference: row.reference,
      service: catalogue.version(row.service_slug, row.definition_version)?.name[language] ?? row.service_slug,
      forWhom: row.party_kind === 'self' ? t('applications.party.self') : row.party_name,
      tag: statusTag(catalogue, row, language, t),
      updatedAt: row.updated_at,
      href: `/applications/${row.id}`,
      document: documentFor(documents.get(row.id), t),
    }))
    return {
      status: group.status,
      title: t(`applications.dashboard.${group.key}`),
      items,
      rows: tableRows(items, language),
      more: rows.length > PAGE_SIZE && last ? `${basePath}?group=${group.status}&after=${encodeCursor(last)}` : undefined,
    }
  })
}
