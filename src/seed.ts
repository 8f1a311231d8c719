import type { Logger } from 'pino'
import type { DatabaseHandle } from './platform/db/database.js'
import { DEMO_AGENCIES } from './modules/agencies/demo-agencies.js'
import { countAgencies, upsertAgencies } from './modules/agencies/store.js'
import { seedDemoAccounts } from './modules/accounts/demo-accounts.js'
import { generateSlots, nairobiDate, seedOffices } from './modules/appointments/offices.js'
import { seedRegistry } from './modules/registry/seed.js'
import { seedDemoQueue } from './modules/backoffice/demo-queue.js'
import { loadCatalogue } from './modules/services/catalogue.js'
import { loadConfig } from './config.js'

/**
 * Demo data: fictional where it concerns people, public where it concerns agencies. Idempotent, so
 * `seed` can be run on a database that already has it.
 */
export async function seedDemoData(database: DatabaseHandle, logger: Logger): Promise<void> {
  const catalogue = await loadCatalogue()
  const registry = await database.db.transaction().execute(async (trx) => {
    await upsertAgencies(trx, DEMO_AGENCIES)
    const seeded = await seedRegistry(trx)
    await seedDemoAccounts(trx)
    await seedOffices(trx)
    await generateSlots(trx, { fromDate: nairobiDate(), days: 28 })
    // DCI's back-office queue is not empty on a first look: a few paid applications wait there.
    const queued = await seedDemoQueue(trx, catalogue, loadConfig().publicUrl)
    return { ...seeded, queued }
  })
  logger.info({ agencies: DEMO_AGENCIES.length, people: registry.people.length, businesses: registry.businesses.length, queued: registry.queued }, 'demo data seeded')
}

/** `start` seeds a database that has never been seeded, so a first run shows a living portal. */
export async function isEmpty(database: DatabaseHandle): Promise<boolean> {
  return (await countAgencies(database.db)) === 0
}
