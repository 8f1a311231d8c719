import type { LightMyRequestResponse } from 'fastify'
import { createAccount } from '../../../test/helpers/accounts.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase } from '../../../test/helpers/database.js'
import type { Role } from '../../platform/db/schema.js'
import { upsertAgencies } from '../agencies/store.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { Client } from '../applications/test-support.js'
import { findApplication, insertApplication, type Application } from '../applications/store.js'
import { startStage, type ActorRef } from '../applications/workflow.js'
import { newReference } from '../services/reference.js'
import { sampleAnswers } from '../services/sample-answers.js'
import type { BackofficeService } from './service.js'

/** Tests only: the whole app as src/app.ts wires it, on the portal's own service definitions. */
export interface BackofficeTestApp extends TestApp {
  backoffice: BackofficeService
}

export async function backofficeTestApp(): Promise<BackofficeTestApp> {
  const database = await freshDatabase()
  await upsertAgencies(database.db, DEMO_AGENCIES)
  const t = await testApp({ database })
  return { ...t, backoffice: t.app.modules.backoffice }
}

export interface StaffClient {
  id: string
  name: string
  client: Client
}

/** A member of an agency's staff with an authenticator app, signed in. */
export async function staffMember(t: TestApp, role: Role, agency: string): Promise<StaffClient> {
  const account = await createAccount(t.database.db, { role, agencyCode: agency, secondFactor: 'totp' })
  return { id: account.id, name: `${account.first_name} ${account.last_name}`, client: await Client.signedIn(t, account.id) }
}

/**
 * A submitted application, as a paid one arrives: written awaiting payment with valid answers, then
 * moved into its start stage by the real status change (timeline event, applicant's notices).
 */
export async function submitted(t: TestApp, options: { slug: string; accountId?: string; seed?: number; party?: string }): Promise<Application> {
  const catalogue = t.app.modules.catalogue
  const definition = catalogue.latest(options.slug)!
  const accountId = options.accountId ?? (await createAccount(t.database.db)).id
  return t.database.db.transaction().execute(async (trx) => {
    const draft = await insertApplication(trx, {
      reference: newReference(definition.agency),
      account_id: accountId,
      party_kind: 'self',
      party_id: null,
      party_name: options.party ?? 'Achieng Otieno',
      service_slug: definition.slug,
      agency_code: definition.agency,
      definition_version: definition.version,
      answers: JSON.stringify(sampleAnswers(definition, { seed: options.seed ?? 1 })),
      current_page: null,
      status: 'awaiting-payment',
      declaration_accepted_at: new Date(),
    })
    return t.app.modules.recordStatusChange(trx, draft, { to: startStage(definition).id, actor: { kind: 'system' } })
  })
}

/** Moves an application on as its workflow allows (test set-up: the back-office's own routes are under test). */
export async function moveTo(t: TestApp, application: Application, to: string, actor: ActorRef, note?: string): Promise<Application> {
  return t.database.db.transaction().execute(async (trx) => {
    const current = (await findApplication(trx, application.id))!
    return t.app.modules.recordStatusChange(trx, current, { to, actor, note })
  })
}

/** The version the case page's action forms carry, read from the page as a browser would. */
export function versionOn(page: LightMyRequestResponse): string {
  const version = /name="version" value="(\d+)"/.exec(page.body)?.[1]
  if (!version) throw new Error(`no action form on the page (status ${page.statusCode})`)
  return version
}

export const caseUrl = (application: Pick<Application, 'reference'>) => `/backoffice/applications/${application.reference}`
