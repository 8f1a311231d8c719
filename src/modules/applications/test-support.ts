import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { DatabaseHandle } from '../../platform/db/database.js'
import { signedInCookie } from '../../../test/helpers/accounts.js'
import { freshDatabase } from '../../../test/helpers/database.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { upsertAgencies } from '../agencies/store.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { visibleQuestions, type Answers } from '../services/answers.js'
import type { Page, ServiceDefinition } from '../services/definition.js'
import type { FileAnswer } from '../services/file-types.js'
import type { ApplicationsService } from './service.js'
import type { RecordStatusChange } from './status.js'

/** Tests only: the app with the applications module wired as src/app.ts will wire it. */
export interface ApplicationsTestApp extends TestApp {
  applications: ApplicationsService
  recordStatusChange: RecordStatusChange
}

export const DASHBOARD = '/dashboard'

/** `database`: share another app's (a second release on the same data); closing stays with its owner. */
export async function applicationsTestApp(
  catalogue: ServiceCatalogue,
  options: { database?: DatabaseHandle } = {},
): Promise<ApplicationsTestApp> {
  const database = options.database ?? (await freshDatabase())
  await upsertAgencies(database.db, DEMO_AGENCIES)
  const t = await testApp({ database, catalogue })
  const { applications, recordStatusChange } = t.app.modules
  return { ...t, applications, recordStatusChange }
}

type Fields = [string, string][]

/** A signed-in person's browser: cookies kept, forms posted with the token of the page they came from. */
export class Client {
  private readonly cookies = new Map<string, string>()
  private token = ''

  constructor(private readonly app: FastifyInstance) {}

  static async signedIn(t: TestApp, accountId: string): Promise<Client> {
    const client = new Client(t.app)
    const [name, value] = (await signedInCookie(t.database.db, accountId)).split('=') as [string, string]
    client.cookies.set(name, value)
    return client
  }

  private get header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) this.cookies.set(cookie.name, cookie.value)
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1]
    if (token) this.token = token
    return response
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: { cookie: this.header } }))
  }

  /** Posts a urlencoded form (repeated names allowed) with the last page's CSRF token. */
  async post(url: string, fields: Fields | Record<string, string> = []): Promise<LightMyRequestResponse> {
    const pairs = Array.isArray(fields) ? fields : Object.entries(fields)
    const payload = new URLSearchParams([['_csrf', this.token], ...pairs]).toString()
    return this.keep(
      await this.app.inject({ method: 'POST', url, headers: { cookie: this.header, 'content-type': 'application/x-www-form-urlencoded' }, payload }),
    )
  }

  /** Posts a multipart form, as a browser does for a page with a file question. */
  async postMultipart(url: string, fields: Fields, files: { name: string; filename: string; type: string; bytes: Uint8Array }[]): Promise<LightMyRequestResponse> {
    const form = new FormData()
    form.append('_csrf', this.token)
    for (const [name, value] of fields) form.append(name, value)
    for (const file of files) form.append(file.name, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.filename)
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    const payload = Buffer.from(await request.arrayBuffer())
    return this.keep(
      await this.app.inject({ method: 'POST', url, headers: { cookie: this.header, 'content-type': request.headers.get('content-type')! }, payload }),
    )
  }
}

/** A small file whose first bytes say what it is, as a real one's do. */
export function fileBytes(type: string): Uint8Array {
  const head = type === 'application/pdf' ? [...Buffer.from('%PDF-1.4\n')] : type === 'image/png' ? [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] : [0xff, 0xd8, 0xff, 0xe0]
  return Uint8Array.from([...head, ...Array.from({ length: 200 }, (_, index) => index % 251)])
}

/** What a browser sends for one page filled in with these answers (unanswered fields go empty). */
export function pageForm(definition: ServiceDefinition, page: Page, answers: Answers): { fields: Fields; files: Parameters<Client['postMultipart']>[2] } {
  const fields: Fields = []
  const files: Parameters<Client['postMultipart']>[2] = []
  for (const question of visibleQuestions(definition, page, answers)) {
    const value = answers[question.id]
    switch (question.type) {
      case 'date': {
        const [year = '', month = '', day = ''] = typeof value === 'string' ? value.split('-') : []
        fields.push([`${question.id}-day`, day], [`${question.id}-month`, month], [`${question.id}-year`, year])
        break
      }
      case 'address': {
        const address = (value ?? {}) as Record<string, string>
        for (const part of ['line1', 'line2', 'town', 'postalCode']) fields.push([`${question.id}-${part}`, address[part] ?? ''])
        break
      }
      case 'checkboxes':
        for (const item of (value as string[] | undefined) ?? []) fields.push([question.id, item])
        break
      case 'radio':
      case 'yesno':
        if (value !== undefined) fields.push([question.id, String(value)])
        break
      case 'file': {
        const file = value as FileAnswer | undefined
        if (file) files.push({ name: question.id, filename: file.name, type: file.type, bytes: fileBytes(file.type) })
        break
      }
      default:
        fields.push([question.id, value === undefined ? '' : String(value)])
    }
  }
  return { fields, files }
}
