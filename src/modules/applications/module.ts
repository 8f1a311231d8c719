import type { FastifyInstance } from 'fastify'
import type { Db } from '../../platform/db/database.js'
import type { JobQueue } from '../../platform/jobs/queue.js'
import type { PartiesService } from '../accounts/parties.js'
import type { ApplicationFor } from '../appointments/routes.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { allQuestions } from '../services/definition.js'
import { maxBytes } from '../services/field-rules.js'
import type { Bookings } from './appointment.js'
import { formRoutes } from './form-routes.js'
import { acceptMultipart } from './multipart.js'
import { ApplicationsService, type Uploads } from './service.js'
import { startRoutes } from './start-routes.js'
import type { RecordStatusChange } from './status.js'
import { statusRoutes } from './status-routes.js'
import { respondRoutes } from './respond-routes.js'

export interface ApplicationsModuleDeps {
  db: Db
  jobs: Pick<JobQueue, 'enqueue' | 'enqueueMany'>
  catalogue: ServiceCatalogue
  parties: Pick<PartiesService, 'partiesFor' | 'mayActFor'>
  uploads: Uploads
  /** The appointments module's bookings: check answers and the application page show the appointment. */
  appointments: Bookings
  publicUrl: string
  /** Where the dashboard is served; '/dashboard' unless a test puts it elsewhere. */
  dashboardPath?: string
  today?: () => string
}

/** The largest file any loaded definition accepts: the multipart limit (each question's own is checked after). */
function largestFile(catalogue: ServiceCatalogue): number {
  let largest = 5 * 1024 * 1024
  for (const latest of catalogue.list()) {
    for (const version of catalogue.versions(latest.slug)) {
      const definition = catalogue.version(latest.slug, version)!
      for (const { question } of allQuestions(definition)) if (question.type === 'file') largest = Math.max(largest, maxBytes(question))
    }
  }
  return largest
}

/**
 * Applying for services: start, the question pages, check and submit, the application page, withdraw,
 * and the dashboard. Returns the service; `recordStatusChange`, which the back-office and payments call
 * to move an application through its workflow; and `appointmentFor`, which the appointment pages use to
 * find the application they book for.
 */
export function applicationsModule(
  app: FastifyInstance,
  deps: ApplicationsModuleDeps,
): { applications: ApplicationsService; recordStatusChange: RecordStatusChange; appointmentFor: ApplicationFor } {
  const applications = new ApplicationsService(deps)
  const maxFileBytes = largestFile(deps.catalogue)
  startRoutes(app, { applications })
  statusRoutes(app, { db: deps.db, applications, bookings: deps.appointments, dashboardPath: deps.dashboardPath })
  respondRoutes(app, { db: deps.db, applications })
  // The question pages in a scope of their own: only they accept multipart (file questions).
  app.register(async (scope) => {
    await acceptMultipart(scope, maxFileBytes)
    formRoutes(scope, { applications, bookings: deps.appointments, maxFileBytes })
  })
  const appointmentFor: ApplicationFor = (session, id) => applications.appointmentRef(session.accountId, id)
  return { applications, recordStatusChange: applications.recordStatusChange, appointmentFor }
}
