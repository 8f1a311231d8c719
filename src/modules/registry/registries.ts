import { EmbeddedBusinessRegistry, EmbeddedPopulationRegistry } from './embedded.js'
import type { RegistryHttpOptions } from './http-client.js'
import { HttpBusinessRegistry, HttpPopulationRegistry } from './http-registry.js'
import type { BusinessRegistry, PopulationRegistry } from './registry.js'
import type { AnyDb } from './tables.js'

export interface Registries {
  population: PopulationRegistry
  business: BusinessRegistry
}

export interface RegistrySettings {
  /** The population register's HTTP API; without it, the embedded register in our own database. */
  population?: RegistryHttpOptions
  /** The business registry's HTTP API; without it, the embedded registry. */
  business?: RegistryHttpOptions
}

/** The registries a deployment uses: each one over HTTP when configured, else embedded. */
export function openRegistries(db: AnyDb, settings: RegistrySettings = {}): Registries {
  return {
    population: settings.population ? new HttpPopulationRegistry(settings.population) : new EmbeddedPopulationRegistry(db),
    business: settings.business ? new HttpBusinessRegistry(settings.business) : new EmbeddedBusinessRegistry(db),
  }
}
