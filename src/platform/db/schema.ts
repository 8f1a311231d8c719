import type { ColumnType, Generated } from 'kysely'
import type { NotificationTables } from '../../modules/notifications/tables.js'
import type { RegistryTables } from '../../modules/registry/tables.js'
import type { PasskeyTables } from '../../modules/accounts/passkey-tables.js'
import type { CatalogueTables } from '../../modules/catalogue/tables.js'
import type { ApplicationTables } from '../../modules/applications/tables.js'
import type { UploadTables } from '../../modules/uploads/tables.js'
import type { AppointmentTables } from '../../modules/appointments/tables.js'
import type { PaymentTables } from '../../modules/payments/tables.js'
import type { BackofficeTables } from '../../modules/backoffice/tables.js'
import type { AccountPendingContactColumns, ContactChangePurpose, ProfileTables, SessionReauthenticationColumns } from '../../modules/accounts/profile-tables.js'
import type { AccountDeactivationColumns, AgencyAdminTables } from '../../modules/agency-admin/tables.js'
import type { DocumentTables } from '../../modules/documents/tables.js'
import type { StatusTables } from '../../modules/status/tables.js'
import type { SupportTables } from '../../modules/support/tables.js'
import type { RestorationTables } from '../../modules/status/restoration-tables.js'
import type { DetectionTables } from '../../modules/status/detection-tables.js'
import type { StatusSubscriptionTables } from '../../modules/status/subscriptions-tables.js'

/** Table types, one interface per table; each module's migrations add theirs here. */
export interface AgenciesTable {
  code: string
  name_en: string
  name_sw: string
  summary_en: ColumnType<string, string | undefined, string>
  summary_sw: ColumnType<string, string | undefined, string>
  created_at: Generated<Date>
}

export interface SchemaMigrationsTable {
  name: string
  checksum: string
  applied_at: Generated<Date>
}

export interface FeedbackTable {
  id: Generated<string>
  idempotency_key: string
  page: string
  what_doing: string
  what_wrong: string
  language: string
  created_at: Generated<Date>
}

export interface AuditLogTable {
  id: Generated<string>
  occurred_at: Generated<Date>
  actor_id: string | null
  actor_role: string | null
  action: string
  subject_type: string | null
  subject_id: string | null
  outcome: 'success' | 'failure' | 'denied'
  ip: string | null
  request_id: string | null
  /** jsonb: written as a JSON string, read back as an object. */
  details: ColumnType<Record<string, unknown>, string, never>
}

export type Role = 'citizen' | 'agency_officer' | 'agency_supervisor' | 'agency_admin' | 'agency_finance' | 'support_agent' | 'platform_admin'
export type AccountKind = 'citizen' | 'resident' | 'visitor' | 'staff'
export type SecondFactor = 'sms' | 'email' | 'totp' | 'passkey'

export interface AccountsTable extends AccountPendingContactColumns, AccountDeactivationColumns {
  id: Generated<string>
  kind: AccountKind
  id_number: string | null
  passport_number: string | null
  nationality: string | null
  first_name: string
  last_name: string
  email: string
  email_verified_at: Date | null
  phone: string
  phone_verified_at: Date | null
  password_hash: string
  second_factor: Generated<SecondFactor>
  role: Generated<Role>
  agency_code: string | null
  language: Generated<'en' | 'sw'>
  failed_sign_ins: Generated<number>
  locked_until: Date | null
  created_at: Generated<Date>
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>
  totp_pending_secret: ColumnType<string | null, string | null | undefined, string | null>
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>
}

export interface RecoveryCodesTable {
  id: Generated<string>
  account_id: string
  code_hash: string
  used_at: Date | null
  created_at: Generated<Date>
}

export interface SessionsTable extends SessionReauthenticationColumns {
  token_hash: string
  account_id: string
  stage: 'second-factor' | 'signed-in'
  created_at: Generated<Date>
  last_seen_at: Generated<Date>
  expires_at: Date
  ip: string | null
  user_agent: string | null
  revoked_at: Date | null
}

export interface OneTimeCodesTable {
  id: Generated<string>
  account_id: string
  purpose: 'sign-in' | 'verify-phone' | 'verify-email' | 'reset-password' | ContactChangePurpose
  channel: 'sms' | 'email'
  secret_hash: string
  expires_at: Date
  used_at: Date | null
  attempts: Generated<number>
  created_at: Generated<Date>
}

/** Modules that own their table types contribute them here. */
export interface Database extends RegistryTables, NotificationTables, ProfileTables, PasskeyTables, ApplicationTables, CatalogueTables, UploadTables, AppointmentTables, PaymentTables, AgencyAdminTables, DocumentTables, BackofficeTables, StatusTables, RestorationTables, SupportTables, DetectionTables, StatusSubscriptionTables {
  accounts: AccountsTable
  agencies: AgenciesTable
  one_time_codes: OneTimeCodesTable
  recovery_codes: RecoveryCodesTable
  sessions: SessionsTable
  audit_log: AuditLogTable
  feedback: FeedbackTable
  schema_migrations: SchemaMigrationsTable
}
