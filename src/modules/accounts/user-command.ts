import { parseArgs } from 'node:util'
import type { Db } from '../../platform/db/database.js'
import { changeRole, createStaffAccount, StaffAccountError, STAFF_ACCOUNT_ROLES } from './staff.js'

export const USER_HELP = `Usage:
  ecitizen user create --role ROLE [--agency CODE] --email EMAIL --phone PHONE --name "FIRST LAST"
  ecitizen user role --email EMAIL --role ROLE [--agency CODE]

Roles: ${STAFF_ACCOUNT_ROLES.join(', ')} (and citizen, for "user role" only).
Agency roles (agency_*) need --agency; the others must not have one.
"create" prints a one-off password once: hand it over privately. At first sign-in the person must set
up an authenticator app or a passkey. "role" ends the person's sessions; both are written to the audit log.`

/** `ecitizen user …`: returns the exit code; what it prints goes to `out`, never to the logs. */
export async function userCommand(db: Db, argv: string[], out: (line: string) => void): Promise<number> {
  const [action, ...rest] = argv
  let values: Record<string, string | undefined>
  try {
    values = parseArgs({
      args: rest,
      options: { role: { type: 'string' }, agency: { type: 'string' }, email: { type: 'string' }, phone: { type: 'string' }, name: { type: 'string' } },
      strict: true,
    }).values
  } catch (error) {
    out(`${(error as Error).message}\n\n${USER_HELP}`)
    return 2
  }
  const actor = { description: 'command line' }
  try {
    if (action === 'create') {
      const [firstName = '', ...last] = (values.name ?? '').trim().split(/\s+/)
      const { account, password } = await createStaffAccount(
        db,
        { role: values.role ?? '', agencyCode: values.agency, email: values.email ?? '', phone: values.phone ?? '', firstName, lastName: last.join(' ') },
        actor,
      )
      out(`Created ${account.role}${account.agency_code ? ` (${account.agency_code})` : ''} account for ${account.email}.`)
      out(`One-off password: ${password}`)
      out('At first sign-in they must set up an authenticator app or a passkey.')
      return 0
    }
    if (action === 'role') {
      const account = await changeRole(db, values.email ?? '', values.role ?? '', values.agency, actor)
      out(`${account.email} is now ${account.role}${account.agency_code ? ` (${account.agency_code})` : ''}; their sessions have ended.`)
      return 0
    }
  } catch (error) {
    if (error instanceof StaffAccountError) {
      out(`ecitizen: ${error.message}`)
      return 2
    }
    throw error
  }
  out(USER_HELP)
  return 2
}
