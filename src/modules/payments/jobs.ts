import type { JobDefinition } from '../../platform/jobs/queue.js'
import type { DarajaClient } from './daraja/client.js'
import { reconcile, type QueryPrompt } from './reconcile.js'
import type { PaymentsService } from './service.js'

export const RECONCILE_JOB = 'payments.reconcile'
/** Every minute: a prompt is asked about once it is three minutes old, so a lost callback costs ~4 minutes. */
export const RECONCILE_CRON = '* * * * *'

/** The Daraja client's query as reconciliation reads it: a final result, or still pending. */
export function queryPromptWith(client: Pick<DarajaClient, 'stkQuery'>): QueryPrompt {
  return async (checkoutRequestId) => {
    const answer = await client.stkQuery(checkoutRequestId)
    if (answer.state === 'pending' || answer.state === 'unknown') return answer.state
    return { resultCode: answer.resultCode, resultDesc: answer.resultDesc, raw: answer.raw }
  }
}

/**
 * The reconciliation job, on a schedule. Idempotent (settling a prompt twice credits once) and short: it
 * expires before the next run would start, so two runs never overlap for long. Without an M-Pesa
 * client (production with no credentials) there are no prompts to ask about and no job.
 */
export function paymentJobs(deps: {
  payments: PaymentsService
  queryPrompt: QueryPrompt | undefined
  log?: { warn(object: object, message: string): void; info(object: object, message: string): void }
}): JobDefinition<object>[] {
  const queryPrompt = deps.queryPrompt
  if (!queryPrompt) return []
  return [
    {
      name: RECONCILE_JOB,
      cron: RECONCILE_CRON,
      retryLimit: 0,
      expireInSeconds: 55,
      handle: async () => {
        const tally = await reconcile(deps.payments, queryPrompt, new Date(), deps.log)
        if (tally.asked > 0) deps.log?.info(tally, 'M-Pesa prompts reconciled')
      },
    },
  ]
}
