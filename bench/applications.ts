/**
 * Catalogue and applications scenarios, on the data `ecitizen seed --bench` adds: the catalogue (cached
 * pages), the dashboard of the person with 50 applications, saving a page of a draft, and submitting.
 * Submissions use up drafts: `seed --bench --drafts K` prepares K complete drafts of the submitter, the
 * harness reads their ids before the portal starts (draftIdsOf) and each request takes the next one.
 */
import { randomUUID } from 'node:crypto'
import type autocannon from 'autocannon'
import { sql } from 'kysely'
import { BENCH_DASHBOARD_EMAIL, BENCH_DRAFT_SERVICE, BENCH_PASSWORD, BENCH_SUBMITTER_EMAIL } from '../src/bench-seed.js'
import { openDatabase } from '../src/platform/db/database.js'
import { loadCatalogue } from '../src/modules/services/catalogue.js'
import { sampleAnswers } from '../src/modules/services/sample-answers.js'
import type { Answers } from '../src/modules/services/answers.js'
import type { Question } from '../src/modules/services/definition.js'
import type { Scenario } from './scenarios.js'

/** The page a draft-save request posts: the richest one (text, date, choice, county, email, phone checks). */
const SAVED_PAGE = 'personal-details'

/** A browser's cookie jar, reduced to what the bench needs. */
class Jar {
  private readonly cookies = new Map<string, string>()

  take(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const [name, ...value] = pair!.split('=')
      this.cookies.set(name!, value.join('='))
    }
  }

  get header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1]

/**
 * Signs a bench account in as a person would, reading the emailed code from the developer outbox; staff
 * type their authenticator app's code instead (`appCode`).
 */
export async function signIn(base: string, email: string, password = BENCH_PASSWORD, appCode?: () => string): Promise<{ cookie: string; jar: Jar }> {
  const jar = new Jar()
  const page = await fetch(`${base}/sign-in`)
  jar.take(page)
  const token = csrfOf(await page.text())
  if (!token) throw new Error('no sign-in form')
  const post = (url: string, fields: Record<string, string>) =>
    fetch(`${base}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, ...fields }).toString(),
    })
  const first = await post('/sign-in', { name: email, password })
  if (first.status !== 303) throw new Error(`sign-in of ${email} answered ${first.status}: was "seed --bench" run on this database?`)
  jar.take(first)
  const code = appCode ? appCode() : await emailedCode(base, email)
  const second = await post('/sign-in/code', { code })
  if (second.headers.get('location') !== '/dashboard') throw new Error(`the code for ${email} was refused`)
  jar.take(second)
  return { cookie: jar.header, jar }
}

async function emailedCode(base: string, email: string): Promise<string> {
  const outbox = await (await fetch(`${base}/dev/outbox`)).text()
  // Newest first: the first row addressed to this person that carries a sign-in code.
  const row = outbox.split('<tr').find((cells) => cells.includes(email) && /sign-in code is \d{6}/.test(cells))
  const code = row && /sign-in code is (\d{6})/.exec(row)?.[1]
  if (!code) throw new Error(`no sign-in code for ${email} in the outbox`)
  return code
}

/** The submitter's drafts, oldest first: read from the database before the portal opens it (PGlite is one process's). */
export async function draftIdsOf(options: { url?: string; dataDir?: string }): Promise<string[]> {
  const database = await openDatabase({ url: options.url, dataDir: options.dataDir, poolSize: 1 })
  try {
    const rows = await sql<{ id: string }>`
      select a.id from applications a join accounts c on c.id = a.account_id
      where lower(c.email) = ${BENCH_SUBMITTER_EMAIL} and a.status = 'draft' order by a.created_at, a.id`.execute(database.db)
    return rows.rows.map((row) => row.id)
  } finally {
    await database.close()
  }
}

/** What a browser posts for one page's questions (dates as three fields, an address as its parts). */
function formFields(questions: readonly Question[], answers: Answers): [string, string][] {
  const fields: [string, string][] = []
  for (const question of questions) {
    const value = answers[question.id]
    if (value === undefined) continue
    if (question.type === 'date') {
      const [year = '', month = '', day = ''] = String(value).split('-')
      fields.push([`${question.id}-day`, day], [`${question.id}-month`, month], [`${question.id}-year`, year])
    } else if (question.type === 'address') {
      for (const [part, text] of Object.entries(value as unknown as Record<string, string>)) fields.push([`${question.id}-${part}`, text])
    } else if (Array.isArray(value)) {
      for (const item of value) fields.push([question.id, String(item)])
    } else if (question.type !== 'file') {
      fields.push([question.id, String(value)])
    }
  }
  return fields
}

/**
 * Hands out each draft (or M-Pesa prompt) once, across scenarios and connections. When none is left the
 * request goes to an address that answers 404, so an exhausted pool shows as errors instead of cheap
 * repeat answers.
 */
export class DraftPool<T = string> {
  private next = 0
  exhausted = 0

  constructor(private readonly ids: readonly T[]) {}

  take(): T | undefined {
    if (this.next < this.ids.length) return this.ids[this.next++]
    this.exhausted++
    return undefined
  }

  get left(): number {
    return this.ids.length - this.next
  }

  /** Those handed out so far. */
  get taken(): readonly T[] {
    return this.ids.slice(0, this.next)
  }
}

const EXHAUSTED = '/bench/no-drafts-left'

/** What every browser sends: a page may go out compressed (most of a page's cost is writing its bytes). */
export const BROWSER = { 'accept-encoding': 'gzip, deflate, br' }

/** Public catalogue pages: the same for every visitor, so served from the page cache. */
export const CATALOGUE_SCENARIOS: Scenario[] = [
  { name: 'catalogue page /services', path: '/services', headers: BROWSER, target: { ratio: 0.5 } },
  { name: 'catalogue search /services?q=passport', path: '/services?q=passport', headers: BROWSER },
  { name: 'service page /services/ordinary-passport', path: '/services/ordinary-passport', headers: BROWSER },
]

/** The dashboard of the bench person with 50 applications (signs them in). */
export async function dashboardScenario(base: string): Promise<Scenario> {
  const { cookie } = await signIn(base, BENCH_DASHBOARD_EMAIL)
  const page = await fetch(`${base}/dashboard`, { headers: { cookie } })
  const html = await page.text()
  const rows = (html.match(/href="\/applications\/[0-9a-f-]{36}"/g) ?? []).length
  if (page.status !== 200 || rows < 30) throw new Error(`the bench person's dashboard answered ${page.status} with ${rows} applications`)
  return {
    name: `dashboard, person with 50 applications (${rows} shown)`,
    path: '/dashboard',
    headers: { ...BROWSER, cookie },
    target: { ratio: 0.25, p99Ms: 50 },
  }
}

/**
 * Saving a page of a draft, submitting, and both in turn (the person changes an answer from "check
 * answers", then submits). Saves rotate over a reserved set of drafts; submissions use each draft once.
 */
export async function draftScenarios(base: string, draftIds: readonly string[]): Promise<{ scenarios: Scenario[]; pool: DraftPool }> {
  if (draftIds.length < 200) throw new Error(`only ${draftIds.length} drafts to submit: seed more (BENCH_DRAFTS)`)
  const { jar } = await signIn(base, BENCH_SUBMITTER_EMAIL)
  // Saves rotate over the last few hundred drafts; the rest are submitted, oldest first.
  const saveIds = draftIds.slice(-Math.min(1000, Math.floor(draftIds.length / 5)))
  const pool = new DraftPool(draftIds.slice(0, draftIds.length - saveIds.length))
  const check = await fetch(`${base}/applications/${saveIds[0]}/check`, { headers: { cookie: jar.header } })
  jar.take(check)
  const token = csrfOf(await check.text())
  if (check.status !== 200 || !token) throw new Error(`the check-answers page of a bench draft answered ${check.status}`)
  const cookie = jar.header
  const headers = { cookie, 'content-type': 'application/x-www-form-urlencoded' }

  const definition = (await loadCatalogue()).latest(BENCH_DRAFT_SERVICE)!
  const page = definition.pages.find((candidate) => candidate.id === SAVED_PAGE)!
  const answers = sampleAnswers(definition, { seed: 7, allOptional: true })
  const saveBody = new URLSearchParams([['_csrf', token], ...formFields(page.questions, answers), ['returnTo', 'check']]).toString()
  const submitBody = () => new URLSearchParams({ _csrf: token, idempotencyKey: randomUUID(), declaration: 'yes' }).toString()

  let turn = 0
  // The request autocannon hands in carries the host and port; only the rest changes.
  const save = (request: autocannon.Request, id: string | undefined): autocannon.Request => ({
    ...request,
    method: 'POST',
    path: id ? `/applications/${id}/pages/${SAVED_PAGE}` : EXHAUSTED,
    headers,
    body: saveBody,
  })
  const submit = (request: autocannon.Request, id: string | undefined): autocannon.Request => ({
    ...request,
    method: 'POST',
    path: id ? `/applications/${id}/submit` : EXHAUSTED,
    headers,
    body: submitBody(),
  })

  const scenarios: Scenario[] = [
    {
      name: `draft page save (POST ${SAVED_PAGE})`,
      path: '/',
      requests: () => [{ setupRequest: (request) => save(request, saveIds[turn++ % saveIds.length]) }],
      expect: [303],
    },
    {
      name: 'submission (POST check answers, each draft once)',
      path: '/',
      requests: () => [{ setupRequest: (request) => submit(request, pool.take()) }],
      expect: [303],
    },
    {
      name: 'draft save + submission (a pair per draft)',
      path: '/',
      requests: () => [
        {
          setupRequest: (request, context) => {
            const pair = context as { id?: string }
            pair.id = pool.take()
            return save(request, pair.id)
          },
        },
        { setupRequest: (request, context) => submit(request, (context as { id?: string }).id) },
      ],
      expect: [303],
      unit: { name: 'pairs', requests: 2 },
      target: { perSecond: 500 },
    },
  ]
  return { scenarios, pool }
}

/** How many applications the numbered bench people hold (what `seed --bench --applications` counts). */
export async function benchApplicationCount(options: { url?: string; dataDir?: string }): Promise<number> {
  const database = await openDatabase({ url: options.url, dataDir: options.dataDir, poolSize: 1 })
  try {
    const rows = await sql<{ n: string }>`
      select count(*) as n from applications a join accounts c on c.id = a.account_id where c.email like 'person.%@bench.example'`.execute(database.db)
    return Number(rows.rows[0]?.n ?? 0)
  } finally {
    await database.close()
  }
}
