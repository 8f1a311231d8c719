import type { Db } from '../../platform/db/database.js'
import type { AccountKind, Role, SecondFactor } from '../../platform/db/schema.js'
import { DEMO_RESIDENT, DEMO_WANJIKU } from '../registry/demo-fixed.js'
import { hashPassword } from './password.js'

/**
 * The authenticator-app secret of every demo staff account (base32), listed in the README so anyone
 * trying the demo can add it to an app. Demo data only: real staff set up their own.
 */
export const DEMO_STAFF_TOTP_SECRET = 'ECITIZENDEMOSTAFFSECRETKEYABCDEF'

export interface DemoAccount {
  kind: AccountKind
  role: Role
  agencyCode?: string
  idNumber?: string
  passport?: { number: string; nationality: string }
  firstName: string
  lastName: string
  email: string
  phone: string
  password: string
  secondFactor: SecondFactor
}

const staff = (role: Role, agencyCode: string | undefined, firstName: string, lastName: string, email: string, phone: string): DemoAccount => ({
  kind: 'staff',
  role,
  agencyCode,
  firstName,
  lastName,
  email: `${email}@demo.ecitizen.example`,
  phone,
  password: `demo passphrase for ${email.replace(/\./g, ' ')}`,
  secondFactor: 'totp',
})

/** Demo sign-ins for every role, listed in the README. Codes by SMS or email arrive in /dev/outbox. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  {
    kind: 'citizen',
    role: 'citizen',
    idNumber: DEMO_WANJIKU.idNumber!,
    firstName: DEMO_WANJIKU.firstName,
    lastName: DEMO_WANJIKU.lastName,
    email: 'wanjiku@demo.ecitizen.example',
    phone: '+254700000001',
    password: 'demo passphrase for wanjiku',
    secondFactor: 'sms',
  },
  {
    kind: 'resident',
    role: 'citizen',
    idNumber: DEMO_RESIDENT.idNumber!,
    firstName: DEMO_RESIDENT.firstName,
    lastName: DEMO_RESIDENT.lastName,
    email: 'helene@demo.ecitizen.example',
    phone: '+254700000002',
    password: 'demo passphrase for helene',
    secondFactor: 'email',
  },
  {
    kind: 'visitor',
    role: 'citizen',
    passport: { number: 'C01X00T47', nationality: 'DE' },
    firstName: 'Anna',
    lastName: 'Schmidt',
    email: 'anna@demo.ecitizen.example',
    phone: '+4915100000003',
    password: 'demo passphrase for anna',
    secondFactor: 'email',
  },
  staff('agency_officer', 'DCI', 'Joseph', 'Mwangi', 'officer.dci', '+254700000011'),
  staff('agency_supervisor', 'DCI', 'Grace', 'Wambui', 'supervisor.dci', '+254700000017'),
  staff('agency_admin', 'DCI', 'Peter', 'Odhiambo', 'admin.dci', '+254700000018'),
  staff('agency_officer', 'DIS', 'Mary', 'Achieng', 'officer.dis', '+254700000012'),
  staff('agency_supervisor', 'DIS', 'Samuel', 'Kiprono', 'supervisor.dis', '+254700000013'),
  staff('agency_admin', 'DIS', 'Faith', 'Njeri', 'admin.dis', '+254700000014'),
  staff('agency_finance', 'DIS', 'Kevin', 'Mutua', 'finance.dis', '+254700000019'),
  staff('support_agent', undefined, 'Daniel', 'Omondi', 'support', '+254700000015'),
  staff('platform_admin', undefined, 'Ruth', 'Wambui', 'platform.admin', '+254700000016'),
]

/** Creates the demo accounts that do not exist yet; never changes one that does. */
export async function seedDemoAccounts(db: Db): Promise<number> {
  let created = 0
  for (const demo of DEMO_ACCOUNTS) {
    const result = await db
      .insertInto('accounts')
      .values({
        kind: demo.kind,
        role: demo.role,
        agency_code: demo.agencyCode ?? null,
        id_number: demo.idNumber ?? null,
        passport_number: demo.passport?.number ?? null,
        nationality: demo.passport?.nationality ?? null,
        first_name: demo.firstName,
        last_name: demo.lastName,
        email: demo.email,
        phone: demo.phone,
        password_hash: await hashPassword(demo.password),
        second_factor: demo.secondFactor,
        totp_secret: demo.secondFactor === 'totp' ? DEMO_STAFF_TOTP_SECRET : null,
        email_verified_at: new Date(),
        phone_verified_at: new Date(),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst()
    if (result) created++
  }
  return created
}
