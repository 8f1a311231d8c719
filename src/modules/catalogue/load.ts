import { loadCatalogue, ServiceCatalogue, ServiceDefinitionsError } from '../services/catalogue.js'
import { SERVICES_DIR, type LoadOptions } from '../services/load-definitions.js'
import { loadCategories, type Category } from './categories.js'

export interface LoadedServices {
  catalogue: ServiceCatalogue
  categories: Category[]
}

/**
 * Loads every service definition and the categories that group them, or throws ServiceDefinitionsError,
 * whose message lists each problem as `file:line: reason`. `start` calls this first, so a portal with a
 * broken definition or a category naming a missing service refuses to start and says why.
 */
export async function loadServicesOrExplain(dir = SERVICES_DIR, options: LoadOptions = {}): Promise<LoadedServices> {
  let catalogue: ServiceCatalogue
  try {
    catalogue = await loadCatalogue(dir, options)
  } catch (error) {
    if (!(error instanceof ServiceDefinitionsError)) throw error
    // Report the categories file's own mistakes in the same breath; its slugs cannot be checked while
    // definitions are broken (the broken ones would all look missing).
    const { errors } = await loadCategories(dir)
    throw errors.length ? new ServiceDefinitionsError([...error.errors, ...errors]) : error
  }
  return { catalogue, categories: await categoriesFor(catalogue, dir) }
}

/** The categories of an already loaded catalogue (for wiring that loaded it alone); throws as above. */
export async function categoriesFor(catalogue: ServiceCatalogue, dir = SERVICES_DIR): Promise<Category[]> {
  const slugs = new Set(catalogue.list().map((definition) => definition.slug))
  const { categories, errors } = await loadCategories(dir, slugs)
  if (errors.length) throw new ServiceDefinitionsError(errors)
  return categories
}
