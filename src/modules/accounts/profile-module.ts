import type { FastifyInstance } from 'fastify'
import type { Db } from '../../platform/db/database.js'
import type { BusinessRegistry, PopulationRegistry } from '../registry/registry.js'
import { BusinessLinkService } from './businesses.js'
import { contactRoutes } from './contact-routes.js'
import type { Messenger } from './messenger.js'
import { PartiesService } from './parties.js'
import { ProfileService } from './profile.js'
import { profileRoutes } from './profile-routes.js'
import { reauthenticationRoutes } from './reauthentication-routes.js'
import { relationshipsRoutes } from './relationships-routes.js'

export interface ProfileDeps {
  db: Db
  messenger: Messenger
  publicUrl: string
  registries: { population: PopulationRegistry; business: BusinessRegistry }
}

/**
 * The person's own account pages: confirm-password, profile, contact changes, dependants, businesses.
 * Returns the parties service, which the applications module needs to know whom a person may act for.
 */
export function profileModule(app: FastifyInstance, deps: ProfileDeps): { parties: PartiesService } {
  const { db, messenger, registries } = deps
  const profile = new ProfileService(db, messenger, deps.publicUrl)
  const parties = new PartiesService(db, registries.population, registries.business)
  reauthenticationRoutes(app, { db, messenger })
  profileRoutes(app, { profile })
  contactRoutes(app, { profile })
  relationshipsRoutes(app, { profile, parties, businessLinks: new BusinessLinkService(db, registries.business) })
  return { parties }
}
