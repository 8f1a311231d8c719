import { audit, type RequestContext } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/db/database.js'
import type { Role } from '../../platform/db/schema.js'
import { Invalid, NotFound } from '../../platform/http/errors.js'
import { revokeAccountSessions } from '../../platform/sessions/store.js'
import {
  AGENCY_ROLES,
  countActiveAdmins,
  findAgencyStaff,
  listAgencyStaff,
  listOpenInvitations,
  lockAgency,
  setDeactivated,
  setRole,
  type StaffMember,
} from './store.js'
import type { AgencyRole } from './tables.js'

/** The signed-in agency admin: every record they touch must belong to `agency`. */
export interface AdminActor {
  accountId: string
  role: Role
  agency: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: string): boolean {
  return UUID.test(value)
}

export function isAgencyRole(value: string): value is AgencyRole {
  return (AGENCY_ROLES as readonly string[]).includes(value)
}

/**
 * An agency admin's view of their own agency's staff: roles within the agency, switching accounts off
 * and on. Each change locks the agency's row, so the last-admin rule holds under concurrent changes; each
 * is audited in its own transaction, and each refusal of the rules is audited as denied.
 */
export class StaffAdminService {
  constructor(private readonly db: Db) {}

  async overview(actor: AdminActor) {
    const [staff, invitations] = await Promise.all([listAgencyStaff(this.db, actor.agency), listOpenInvitations(this.db, actor.agency)])
    return { staff, invitations }
  }

  /** A member of the admin's own agency; anything else is 404 so another agency's staff are not revealed. */
  async member(actor: AdminActor, id: string): Promise<StaffMember> {
    const member = isUuid(id) ? await findAgencyStaff(this.db, actor.agency, id) : undefined
    if (!member) throw new NotFound('no such member of staff')
    return member
  }

  async changeRole(actor: AdminActor, id: string, role: string, context: RequestContext): Promise<void> {
    await this.member(actor, id)
    if (!isAgencyRole(role)) throw new Invalid({ role: { key: 'agencyAdmin.member.errors.role' } })
    await this.guarded(actor, id, 'account.role-change', context, async (trx, member) => {
      if (member.role === role) return
      if (member.role === 'agency_admin' && !member.deactivated_at && (await countActiveAdmins(trx, actor.agency, id)) === 0) {
        throw new Invalid({ role: { key: 'agencyAdmin.member.errors.lastAdmin' } })
      }
      await setRole(trx, id, role)
      // As at the command line: the person is signed out, and the new role applies from their next sign-in.
      await revokeAccountSessions(trx, id)
      await audit(
        trx,
        {
          action: 'account.role-change',
          outcome: 'success',
          actorId: actor.accountId,
          actorRole: actor.role,
          subjectType: 'account',
          subjectId: id,
          details: { from: member.role, to: role, fromAgency: actor.agency, toAgency: actor.agency, by: 'agency-admin' },
        },
        context,
      )
    })
  }

  /** Deactivating signs the account out everywhere at once; reactivating lets it sign in again. */
  async setActive(actor: AdminActor, id: string, active: boolean, context: RequestContext): Promise<void> {
    await this.member(actor, id)
    const action = active ? 'account.reactivated' : 'account.deactivated'
    await this.guarded(actor, id, action, context, async (trx, member) => {
      if (active === !member.deactivated_at) return
      if (!active && id === actor.accountId) throw new Invalid({ status: { key: 'agencyAdmin.member.errors.self' } })
      if (!active && member.role === 'agency_admin' && (await countActiveAdmins(trx, actor.agency, id)) === 0) {
        throw new Invalid({ status: { key: 'agencyAdmin.member.errors.lastAdmin' } })
      }
      await setDeactivated(trx, id, !active)
      if (!active) await revokeAccountSessions(trx, id)
      await audit(
        trx,
        { action, outcome: 'success', actorId: actor.accountId, actorRole: actor.role, subjectType: 'account', subjectId: id, details: { role: member.role, agency: actor.agency } },
        context,
      )
    })
  }

  /** Runs a change with the agency locked and the member re-read under the lock; audits a refusal. */
  private async guarded(
    actor: AdminActor,
    id: string,
    action: string,
    context: RequestContext,
    change: (trx: Db, member: StaffMember) => Promise<void>,
  ): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await lockAgency(trx, actor.agency)
        const member = await findAgencyStaff(trx, actor.agency, id)
        if (!member) throw new NotFound('no such member of staff')
        await change(trx, member)
      })
    } catch (error) {
      if (error instanceof Invalid) {
        const reason = Object.values(error.fields)[0]?.key.split('.').pop() ?? 'invalid'
        await audit(this.db, { action, outcome: 'denied', actorId: actor.accountId, actorRole: actor.role, subjectType: 'account', subjectId: id, details: { reason } }, context)
      }
      throw error
    }
  }
}
