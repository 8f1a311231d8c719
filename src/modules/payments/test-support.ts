import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { createAccount } from '../../../test/helpers/accounts.js'
import { SAMPLE_DEFINITION, servicesFolder } from '../../../test/helpers/service-definitions.js'
import { upsertAgencies } from '../agencies/store.js'
import { DEMO_AGENCIES } from '../agencies/demo-agencies.js'
import { freshDatabase } from '../../../test/helpers/database.js'
import { testApp, type TestApp } from '../../../test/helpers/app.js'
import { insertApplication, type Application } from '../applications/store.js'
import { loadCatalogue } from '../services/catalogue.js'
import type { Invoice } from './model.js'
import type { PaymentsService } from './service.js'

/** Tests only: a before-submission service whose fee is KES 1,000 (kind a) or 7,500 (kind b), plus the convenience fee. */
export const PAID_SERVICE = SAMPLE_DEFINITION.replace('slug: sample-service', 'slug: paid-service')
  .replace('amounts: { a: 100, b: 200 }', 'amounts: { a: 1000, b: 7500 }')
  // The applicant may withdraw once submitted.
  .replace(
    '    - { id: done, name: { en: Done, sw: Imekamilika }, end: issued }\n',
    '    - { id: done, name: { en: Done, sw: Imekamilika }, end: issued }\n    - { id: withdrawn, name: { en: Withdrawn, sw: Imeondolewa }, end: withdrawn }\n',
  )
  .replace(
    '  transitions:\n',
    '  transitions:\n    - { from: submitted, to: withdrawn, by: [applicant], label: { en: Withdraw, sw: Ondoa } }\n',
  )

export interface PaymentsTestApp extends TestApp {
  payments: PaymentsService
}

/**
 * The app as src/app.ts wires it, on a catalogue with one paid service; `routes` adds test-only routes,
 * `options` settings as variables would (MPESA_ALLOWED_IPS, say) and the M-Pesa inbox's retry timing.
 */
export async function paymentsTestApp(
  routes?: (app: FastifyInstance, payments: PaymentsService) => void,
  options: Pick<Parameters<typeof testApp>[0] & object, 'env' | 'mpesaInbox'> = {},
): Promise<PaymentsTestApp> {
  const database = await freshDatabase()
  await upsertAgencies(database.db, DEMO_AGENCIES)
  const catalogue = await loadCatalogue(servicesFolder({ 'DIS/paid-service.yaml': PAID_SERVICE }))
  const t = await testApp({ ...options, database, catalogue, routes: (app) => routes?.(app, app.modules.payments) })
  return { ...t, payments: t.app.modules.payments }
}

/** An application waiting for payment and its invoice, straight into the database (as submit leaves them). */
export async function awaitingPayment(t: PaymentsTestApp, options: { accountId?: string; kind?: 'a' | 'b' } = {}): Promise<{ application: Application; invoice: Invoice; accountId: string }> {
  const accountId = options.accountId ?? (await createAccount(t.database.db)).id
  const definition = t.app.modules.catalogue.latest('paid-service')!
  return t.database.db.transaction().execute(async (trx) => {
    const application = await insertApplication(trx, {
      reference: `DIS-${randomUUID().slice(0, 8)}`,
      account_id: accountId,
      party_kind: 'self',
      party_id: null,
      party_name: 'Achieng Otieno',
      service_slug: 'paid-service',
      agency_code: 'DIS',
      definition_version: definition.version,
      answers: JSON.stringify({ kind: options.kind ?? 'a' }),
      current_page: null,
      status: 'awaiting-payment',
      declaration_accepted_at: new Date(),
    })
    const invoice = await t.payments.raiseInvoice(trx, application)
    return { application, invoice, accountId }
  })
}
