import type { FastifyInstance } from 'fastify'
import type { Db } from '../../platform/db/database.js'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import type { JobDefinition, JobQueue } from '../../platform/jobs/queue.js'
import { statusAdminRoutes } from './admin-routes.js'
import { statusBannerSource } from './banner.js'
import { StatusBoard } from './board.js'
import { maintenanceGuard, maintenanceModeOf, maintenanceModeRoutes } from './maintenance-mode.js'
import type { ComponentState, Incident, MaintenanceMode } from './model.js'
import { recordInterruptions } from './interruptions.js'
import { restorationJobs, restorationListener } from './restoration.js'
import { statusRoutes } from './routes.js'
import { statusSubscriptions, type StatusSubscriptions } from './subscriptions.js'
import { StatusService } from './service.js'

/** What other modules may ask of the status module. */
export interface StatusModule {
  board: StatusBoard
  service: StatusService
  /** Every component and its state now (from memory; read first when due). */
  currentStatus(): Promise<{ asOf: Date; components: { id: string; state: ComponentState }[] }>
  /** Incidents not yet resolved, newest first, each with its timeline. */
  activeIncidents(): Promise<Incident[]>
  /** The maintenance switch as this process last read it (no query); undefined while off. */
  maintenanceMode(): MaintenanceMode | undefined
  /** Subscriptions to status updates by email or SMS; their jobs need the message senders. */
  subscriptions: StatusSubscriptions
  /** The module's background jobs (restoration notices), for the one place that defines jobs. */
  jobDefinitions(): JobDefinition<object>[]
}

export function statusModule(app: FastifyInstance, deps: { db: Db; jobs: JobQueue; publicUrl: string; portalName: string; refreshMs?: number }): StatusModule {
  const board = new StatusBoard(deps.db, app.log, deps.refreshMs)
  const service = new StatusService(deps.db, board)
  // The JSON names every component in both languages, whatever the asker's language.
  const translator = new Translator(loadMessages())
  statusRoutes(app, { board, names: { en: translator.for('en'), sw: translator.for('sw') }, publicUrl: deps.publicUrl, portalName: deps.portalName })
  statusAdminRoutes(app, { db: deps.db, service })
  maintenanceModeRoutes(app, { db: deps.db, board })
  maintenanceGuard(app, board)
  app.addLayoutSource(statusBannerSource(board))
  // When an incident is resolved, the people whose work it interrupted are told where to continue.
  recordInterruptions(app, deps.db)
  service.onPublished(restorationListener({ db: deps.db, jobs: deps.jobs }))
  // Anyone may subscribe to status updates by email or SMS; every published change is sent to them.
  const subscriptions = statusSubscriptions(app, { db: deps.db, jobs: deps.jobs, status: service, publicUrl: deps.publicUrl })
  const restoration = { db: deps.db, jobs: deps.jobs, translator, publicUrl: deps.publicUrl, log: app.log }
  // The first pages after start-up already carry the banner; on close, no read is left running.
  app.addHook('onReady', () => board.refresh())
  app.addHook('onClose', () => board.settle())
  return {
    board,
    service,
    currentStatus: async () => {
      const snapshot = await board.current()
      return { asOf: snapshot.asOf, components: snapshot.data.components.map((c) => ({ id: c.id, state: snapshot.states.get(c.id) ?? 'operational' })) }
    },
    activeIncidents: async () => (await board.current()).openIncidents,
    maintenanceMode: () => maintenanceModeOf(board),
    subscriptions,
    jobDefinitions: () => [...restorationJobs(restoration)] as JobDefinition<object>[],
  }
}
