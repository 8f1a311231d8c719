import type { JobDefinition } from '../../platform/jobs/queue.js'
import { reconcile, type QueryPrompt } from './reconcile.js'
import type { PaymentsService } from './service.js'

export const RECONCILE_JOB = 'payments.reconcile'
/** Every minute: a prompt is asked about once it is three minutes old, so a lost callback costs ~4 minutes. */
export const RECONCILE_CRON = '* * * * *'

/**
 * The reconciliation job. Idempotent (settling a prompt twice credits once) and short: it expires
 * before the next run would start, so two runs never overlap for long.
 */
export function paymentJobs(deps: { payments: PaymentsService; queryPrompt: QueryPrompt; log?: { warn(object: object, message: string): void } }): JobDefinition<object>[] {
  return [
    {
      name: RECONCILE_JOB,
      retryLimit: 0,
      expireInSeconds: 55,
      handle: async () => {
        await reconcile(deps.payments, deps.queryPrompt, new Date(), deps.log)
      },
    },
  ]
}
