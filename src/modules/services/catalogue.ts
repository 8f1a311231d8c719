import type { ConvenienceFeeSchedule } from './convenience-fee.js'
import type { ServiceDefinition } from './definition.js'
import type { Answers } from './field-rules.js'
import { feesFor, type FeeQuote } from './fees.js'
import { formatDefinitionError, loadDefinitions, SERVICES_DIR, type DefinitionError, type LoadedDefinition, type LoadOptions } from './load-definitions.js'

/** Definitions failed their checks: the portal does not start with them. The message lists each problem. */
export class ServiceDefinitionsError extends Error {
  constructor(readonly errors: DefinitionError[]) {
    super(`${errors.length} problem(s) in the service definitions:\n${errors.map((error) => `  ${formatDefinitionError(error)}`).join('\n')}`)
    this.name = 'ServiceDefinitionsError'
  }
}

/**
 * Every published version of every service. New applications start on `latest`; an application keeps
 * the version it started with and reads it back with `version`, so publishing a new version never
 * changes a draft under the person's feet.
 */
export class ServiceCatalogue {
  private readonly bySlug = new Map<string, Map<number, ServiceDefinition>>()

  constructor(
    definitions: readonly (LoadedDefinition | ServiceDefinition)[],
    readonly convenienceFees: ConvenienceFeeSchedule,
  ) {
    for (const item of definitions) {
      const definition = 'definition' in item ? item.definition : item
      const versions = this.bySlug.get(definition.slug) ?? new Map<number, ServiceDefinition>()
      if (versions.has(definition.version)) throw new Error(`${definition.slug} version ${definition.version} given twice`)
      versions.set(definition.version, deepFreeze(definition))
      this.bySlug.set(definition.slug, versions)
    }
  }

  latest(slug: string): ServiceDefinition | undefined {
    const versions = this.bySlug.get(slug)
    if (!versions) return undefined
    return versions.get(Math.max(...versions.keys()))
  }

  version(slug: string, version: number): ServiceDefinition | undefined {
    return this.bySlug.get(slug)?.get(version)
  }

  /** The versions kept for a service, oldest first. */
  versions(slug: string): number[] {
    return [...(this.bySlug.get(slug)?.keys() ?? [])].sort((a, b) => a - b)
  }

  /** The latest version of every service, by agency then slug. */
  list(): ServiceDefinition[] {
    return [...this.bySlug.keys()]
      .map((slug) => this.latest(slug) as ServiceDefinition)
      .sort((a, b) => a.agency.localeCompare(b.agency) || a.slug.localeCompare(b.slug))
  }

  forAgency(agency: string): ServiceDefinition[] {
    return this.list().filter((definition) => definition.agency === agency)
  }

  feesFor(definition: ServiceDefinition, answers: Readonly<Answers>): FeeQuote {
    return feesFor(definition, answers, this.convenienceFees)
  }
}

/**
 * Loads and checks the definitions; throws `ServiceDefinitionsError` (listing file:line: reason) if any
 * is invalid, so that a definition with an error never reaches anyone.
 */
export async function loadCatalogue(dir = SERVICES_DIR, options: LoadOptions = {}): Promise<ServiceCatalogue> {
  const { definitions, convenienceFees, errors } = await loadDefinitions(dir, options)
  if (errors.length || !convenienceFees) throw new ServiceDefinitionsError(errors)
  return new ServiceCatalogue(definitions, convenienceFees)
}

/** Definitions are shared by every request: nothing may change one in place. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
