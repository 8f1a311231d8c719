/** The rows `seed --bench` writes: a realistic mix of people, services, statuses and answers. */
import { statusForStage } from './modules/applications/workflow.js'
import { addWorkingDays } from './modules/applications/working-days.js'
import type { ApplicationStatus, Outcome, PartyKind } from './modules/applications/tables.js'
import { CHRISTIAN_NAMES, COMMUNITIES, MUSLIM_NAMES } from './modules/registry/demo-names.js'
import { SeededRandom } from './modules/registry/random.js'
import type { ServiceCatalogue } from './modules/services/catalogue.js'
import { todayInKenya } from './modules/services/dates.js'
import type { ServiceDefinition, Stage } from './modules/services/definition.js'
import { newReference } from './modules/services/reference.js'
import { sampleAnswers } from './modules/services/sample-answers.js'
import { visiblePages } from './modules/services/visibility.js'

export const STATUS_MIX: { value: ApplicationStatus; weight: number }[] = [
  { value: 'draft', weight: 12 },
  { value: 'awaiting-payment', weight: 8 },
  { value: 'in-progress', weight: 22 },
  { value: 'action-needed', weight: 8 },
  { value: 'completed', weight: 50 },
]
export const OUTCOME_MIX: { value: Outcome; weight: number }[] = [
  { value: 'issued', weight: 86 },
  { value: 'rejected', weight: 6 },
  { value: 'withdrawn', weight: 8 },
]
/** How often each service is applied for, relative to one another (unlisted services: 5). */
export const SERVICE_WEIGHTS: Record<string, number> = {
  'certificate-of-good-conduct': 30,
  'ordinary-passport': 20,
  'driving-licence-renewal': 20,
  'provisional-driving-licence': 8,
  'birth-certificate': 8,
  'business-name-search': 8,
  'business-name-registration': 4,
}
/** The dashboard person's 50, chosen so that every group has more than one page. */
export const DASHBOARD_MIX: [ApplicationStatus, number][] = [
  ['action-needed', 5],
  ['draft', 8],
  ['awaiting-payment', 7],
  ['in-progress', 15],
  ['completed', 15],
]
/** Answer sets per service: a handful, reused (the table's size matters here, not their variety). */
export const TEMPLATES_PER_SERVICE = 4

export const DAY = 86_400_000
export const HOUR = 3_600_000
export const FIRST_NAMES = [...CHRISTIAN_NAMES.female, ...CHRISTIAN_NAMES.male, ...MUSLIM_NAMES.female, ...MUSLIM_NAMES.male]
export const SURNAMES = [...new Set(COMMUNITIES.flatMap((community) => community.surnames))]

export interface Person {
  id: string
  firstName: string
  lastName: string
}

export interface ServicePlan {
  definition: ServiceDefinition
  weight: number
  start: Stage
  inProgress: Stage[]
  actionNeeded: Stage[]
  ends: Map<Outcome, Stage>
  /** Per answer set: the full answers' template index, and the partial ones a draft at page p has. */
  answerSets: { full: number; pages: string[]; partial: number[] }[]
}

/** Application rows as column arrays, the shape `unnest` reads. */
export class Columns {
  reference: string[] = []
  account_id: string[] = []
  party_kind: PartyKind[] = []
  party_id: (string | null)[] = []
  party_name: string[] = []
  service_slug: string[] = []
  agency_code: string[] = []
  definition_version: number[] = []
  template: number[] = []
  current_page: (string | null)[] = []
  status: ApplicationStatus[] = []
  stage: (string | null)[] = []
  outcome: (Outcome | null)[] = []
  declared_at: (string | null)[] = []
  submitted_at: (string | null)[] = []
  expected_by: (string | null)[] = []
  created_at: string[] = []
  updated_at: string[] = []
}

/** Builds application rows: a service, a status and a stage that fit its workflow, dates over the last year. */
export class ApplicationFactory {
  readonly templates: unknown[] = []
  readonly plans: ServicePlan[]
  private readonly expectedCache = new Map<string, string>()

  constructor(
    catalogue: ServiceCatalogue,
    private readonly random: SeededRandom,
    private readonly now: number,
  ) {
    const today = todayInKenya(new Date(now))
    this.plans = catalogue
      .list()
      .filter((definition) => definition.applicants.accountKinds.includes('citizen'))
      .map((definition) => {
        const stages = definition.workflow.stages
        const start = stages.find((stage) => stage.start)!
        const answerSets = Array.from({ length: TEMPLATES_PER_SERVICE }, (_, seed) => {
          const answers = sampleAnswers(definition, { seed: seed + 1, today })
          const pages = visiblePages(definition, answers)
          const full = this.template(answers)
          const partial = pages.map((_page, p) => {
            const earlier = new Set(pages.slice(0, p).flatMap((page) => page.questions.map((question) => question.id)))
            return this.template(Object.fromEntries(Object.entries(answers).filter(([id]) => earlier.has(id))))
          })
          return { full, pages: pages.map((page) => page.id), partial }
        })
        return {
          definition,
          weight: SERVICE_WEIGHTS[definition.slug] ?? 5,
          start,
          inProgress: stages.filter((stage) => statusForStage(stage) === 'in-progress'),
          actionNeeded: stages.filter((stage) => statusForStage(stage) === 'action-needed'),
          ends: new Map(stages.filter((stage) => stage.end).map((stage) => [stage.end!, stage])),
          answerSets,
        }
      })
    if (this.plans.length === 0) throw new Error('no service a citizen may apply for: nothing to seed')
  }

  private template(answers: unknown): number {
    this.templates.push(answers)
    return this.templates.length - 1
  }

  plan(slug: string): ServicePlan {
    const plan = this.plans.find((candidate) => candidate.definition.slug === slug)
    if (!plan) throw new Error(`no service ${slug} for citizens`)
    return plan
  }

  /** The start stage of each service, for the timeline events. */
  startStages(): { slugs: string[]; stages: string[] } {
    return { slugs: this.plans.map((plan) => plan.definition.slug), stages: this.plans.map((plan) => plan.start.id) }
  }

  private expectedBy(updated: number, days: number): string {
    // Kenya keeps UTC+3 all year.
    const date = new Date(updated + 3 * HOUR).toISOString().slice(0, 10)
    const key = `${date}/${days}`
    let expected = this.expectedCache.get(key)
    if (!expected) {
      expected = addWorkingDays(date, days)
      this.expectedCache.set(key, expected)
    }
    return expected
  }

  add(rows: Columns, person: Person, options: { status?: ApplicationStatus; plan?: ServicePlan; complete?: boolean; within?: number } = {}): void {
    const random = this.random
    let status = options.status ?? random.weighted(STATUS_MIX)
    // Asked for one waiting on the applicant: a service whose workflow has such a stage.
    const candidates = options.status === 'action-needed' ? this.plans.filter((plan) => plan.actionNeeded.length > 0) : this.plans
    const plan = options.plan ?? random.weighted((candidates.length ? candidates : this.plans).map((value) => ({ value, weight: value.weight })))
    const definition = plan.definition
    let stage: Stage | null = null
    if (status === 'action-needed' && plan.actionNeeded.length === 0) status = 'in-progress'
    if (status === 'in-progress') stage = random.pick(plan.inProgress)
    else if (status === 'action-needed') stage = random.pick(plan.actionNeeded)
    else if (status === 'completed') {
      const outcome = random.weighted(OUTCOME_MIX.filter((item) => plan.ends.has(item.value)))
      stage = plan.ends.get(outcome)!
    }

    const set = random.pick(plan.answerSets)
    let template = set.full
    let currentPage: string | null = null
    if (status === 'draft' && !options.complete) {
      // Somewhere in the form: the answers of the pages before it (or all of them, at check answers).
      const p = random.int(0, set.pages.length)
      if (p < set.pages.length) {
        template = set.partial[p]!
        currentPage = set.pages[p]!
      }
    }

    const now = this.now
    const created = now - Math.floor(random.next() * (options.within ?? 365 * DAY))
    let declared: number | null = null
    let submitted: number | null = null
    let updated: number
    if (status === 'draft') {
      updated = created + Math.floor(random.next() * Math.min(3 * DAY, now - created))
    } else {
      declared = created + Math.floor(random.next() * Math.min(2 * HOUR, now - created))
      updated = declared
      if (stage) {
        submitted = declared + Math.floor(random.next() * Math.min(DAY, now - declared))
        updated = stage === plan.start ? submitted : submitted + Math.floor(random.next() * Math.min(30 * DAY, now - submitted))
      }
    }

    let partyKind: PartyKind = 'self'
    let partyId: string | null = null
    let partyName = `${person.firstName} ${person.lastName}`
    const allowed = definition.applicants.for
    // Drafts are the person's own: opening one checks again, against the registers, that they may act
    // for whom it is (and these children and businesses are in no register).
    const forOthers = status !== 'draft'
    if (forOthers && allowed.includes('business') && random.chance(0.3)) {
      partyKind = 'business'
      partyId = `BN-BENCH${String(random.int(0, 99_999_999)).padStart(8, '0')}`
      partyName = `${person.lastName} ${random.pick(['General Stores', 'Agrovet', 'Hardware', 'Enterprises'])}`
    } else if (forOthers && allowed.includes('dependant') && random.chance(0.12)) {
      partyKind = 'dependant'
      partyId = `BENCH${String(random.int(0, 99_999_999)).padStart(8, '0')}`
      partyName = `${random.pick(FIRST_NAMES)} ${person.lastName}`
    }

    rows.reference.push(newReference(definition.agency))
    rows.account_id.push(person.id)
    rows.party_kind.push(partyKind)
    rows.party_id.push(partyId)
    rows.party_name.push(partyName)
    rows.service_slug.push(definition.slug)
    rows.agency_code.push(definition.agency)
    rows.definition_version.push(definition.version)
    rows.template.push(template)
    rows.current_page.push(currentPage)
    rows.status.push(status)
    rows.stage.push(stage?.id ?? null)
    rows.outcome.push(stage?.end ?? null)
    rows.declared_at.push(declared === null ? null : new Date(declared).toISOString())
    rows.submitted_at.push(submitted === null ? null : new Date(submitted).toISOString())
    rows.expected_by.push(status === 'in-progress' && stage?.slaWorkingDays !== undefined ? this.expectedBy(updated, stage.slaWorkingDays) : null)
    rows.created_at.push(new Date(created).toISOString())
    rows.updated_at.push(new Date(updated).toISOString())
  }
}

/**
 * Writes the rows and their timelines in one statement: the applications (a reference that happens to
 * be taken already is skipped, and counted short), then for each one inserted its events — started;
 * declared and waiting for payment; submitted into the start stage; moved on to where it is now.
 */
