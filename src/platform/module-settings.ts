/**
 * What a module's own settings share with the portal's (src/config.ts spreads them in): their shape,
 * their error, and the small readers. Modules cannot import the config itself: it imports them.
 */

export type Env = Record<string, string | undefined>

export interface Setting<T> {
  variable: string
  description: string
  defaultText: string
  read: (raw: string | undefined, env: Env) => T
}

/** A bad setting, naming its variable; the portal's loadConfig turns it into its ConfigError. */
export class ModuleSettingError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable} ${reason}`)
    this.name = new.target.name
  }
}

export const blank = (raw: string | undefined): boolean => raw === undefined || raw.trim() === ''

/** Connection strings carry passwords: never echo one back. */
export function redact(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@')
}
