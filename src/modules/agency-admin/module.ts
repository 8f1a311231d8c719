import type { FastifyInstance } from 'fastify'
import type { Db } from '../../platform/db/database.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { invitationRoutes } from './invitation-routes.js'
import { InvitationService } from './invitations.js'
import { reportRoutes } from './report-routes.js'
import { AgencyReports } from './reports.js'
import { StaffAdminService } from './staff.js'
import { staffRoutes } from './staff-routes.js'

export interface AgencyAdminDeps {
  db: Db
  jobs: JobQueue
  catalogue: ServiceCatalogue
  publicUrl: string
}

/** The agency admin area under /backoffice/admin (staff, reports, settlement) and the invitee's link. */
export function agencyAdminModule(app: FastifyInstance, deps: AgencyAdminDeps) {
  const staff = new StaffAdminService(deps.db)
  const invitations = new InvitationService(deps.db, deps.jobs, deps.publicUrl)
  const reports = new AgencyReports(deps.db, deps.catalogue)
  staffRoutes(app, { staff, invitations })
  invitationRoutes(app, { invitations })
  reportRoutes(app, { reports })
  return { staff, invitations, reports }
}
