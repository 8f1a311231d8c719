import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { mpesaPaths } from '../../src/modules/payments/daraja/client.js'
import { DEVELOPMENT_CALLBACK_SECRET } from '../../src/modules/payments/settings.js'

/** The callback addresses as Daraja is given them in tests (the development secret segment). */
export const MPESA = mpesaPaths(DEVELOPMENT_CALLBACK_SECRET)

/**
 * Posts a body to an M-Pesa callback address as Daraja would (from `remoteAddress`, default loopback),
 * then waits until the inbox has processed what it acknowledged.
 */
export async function postToMpesa(app: FastifyInstance, path: string, body: unknown, remoteAddress?: string): Promise<LightMyRequestResponse> {
  const response = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body), remoteAddress })
  await app.modules.mpesa.inbox.processor.whenIdle()
  return response
}
