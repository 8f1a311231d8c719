import type { Db } from '../../platform/db/database.js'
import { DEMO_WANJIKU } from '../registry/demo-fixed.js'
import { hashPassword } from './password.js'

/** Demo sign-ins, listed in the README. Their codes arrive in the developer outbox (/dev/outbox). */
export const DEMO_ACCOUNTS = [
  {
    kind: 'citizen' as const,
    idNumber: DEMO_WANJIKU.idNumber!,
    firstName: DEMO_WANJIKU.firstName,
    lastName: DEMO_WANJIKU.lastName,
    email: 'wanjiku@demo.ecitizen.example',
    phone: '+254700000001',
    password: 'demo passphrase for wanjiku',
  },
]

/** Creates the demo accounts that do not exist yet; never changes one that does. */
export async function seedDemoAccounts(db: Db): Promise<number> {
  let created = 0
  for (const demo of DEMO_ACCOUNTS) {
    const result = await db
      .insertInto('accounts')
      .values({
        kind: demo.kind,
        id_number: demo.idNumber,
        first_name: demo.firstName,
        last_name: demo.lastName,
        email: demo.email,
        phone: demo.phone,
        password_hash: await hashPassword(demo.password),
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
