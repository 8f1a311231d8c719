import type { ColumnType, Generated } from 'kysely'

/**
 * Table and column types of migration 0009_profile. The columns are added to tables declared in
 * platform/db/schema.ts (which extends these interfaces), so this module owns its own part of them.
 */

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>

/** sessions: when the person last typed their password in this session (sign-in or confirm-password). */
export interface SessionReauthenticationColumns {
  reauthenticated_at: Nullable<Date>
}

/** accounts: a new email or phone waiting for its link or code; the current one stays in force. */
export interface AccountPendingContactColumns {
  pending_email: Nullable<string>
  pending_phone: Nullable<string>
}

/** one_time_codes.purpose values added by 0009. */
export type ContactChangePurpose = 'change-email' | 'change-phone'

/** Businesses a person has linked; directorship is re-checked in the registry on every use. */
export interface AccountBusinessesTable {
  account_id: string
  registration_number: string
  linked_at: Generated<Date>
}

export interface ProfileTables {
  account_businesses: AccountBusinessesTable
}
