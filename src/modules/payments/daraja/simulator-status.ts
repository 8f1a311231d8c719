/**
 * The simulator's Transaction Status API: accepted at once, then the verdict is posted to ResultURL,
 * built from the receipts the simulator itself issued (approved prompts and C2B payments).
 */
import { conversationId, requestId } from './simulator-ids.js'
import { badRequest, bodyOf, digits, isUrl, type SimulatedTransaction, type SimulatorContext } from './simulator-model.js'
import { darajaTimestamp } from './protocol.js'

/** M-Pesa's answer when the Initiator or its SecurityCredential is wrong. */
export const INITIATOR_INVALID = { code: 2001, desc: 'The initiator information is invalid.' }
/**
 * For a TransactionID M-Pesa does not know. Safaricom documents no code for this; 2032 is the
 * simulator's own choice: non-zero (not confirmed) and distinct from 2001 so tests can tell the two apart.
 */
export const TRANSACTION_UNKNOWN = { code: 2032, desc: 'The transaction ID is invalid.' }
const PROCESSED = 'The service request is processed successfully.'

export function transactionStatusRoutes(context: SimulatorContext): void {
  const { app, options } = context

  app.post('/mpesa/transactionstatus/v1/query', async (request, reply) => {
    if (!context.authorised(request, reply)) return reply
    const body = bodyOf(request)
    const nonEmpty = (value: unknown, max = 100) => typeof value === 'string' && value.trim().length > 0 && value.length <= max
    const problem =
      !nonEmpty(body.Initiator) ? 'Invalid Initiator' :
      !nonEmpty(body.SecurityCredential, 2000) ? 'Invalid SecurityCredential' :
      body.CommandID !== 'TransactionStatusQuery' ? 'Invalid CommandID' :
      !nonEmpty(body.TransactionID, 40) ? 'Invalid TransactionID' :
      !digits(body.PartyA, /^\d{5,12}$/) ? 'Invalid PartyA' :
      !['1', '2', '4'].includes(String(body.IdentifierType)) ? 'Invalid IdentifierType' :
      !isUrl(body.ResultURL) ? 'Invalid ResultURL' :
      !isUrl(body.QueueTimeOutURL) ? 'Invalid QueueTimeOutURL' :
      !nonEmpty(body.Remarks) ? 'Invalid Remarks' :
      body.Occasion !== undefined && (typeof body.Occasion !== 'string' || body.Occasion.length > 100) ? 'Invalid Occasion' :
      undefined
    if (problem) return badRequest(context, reply, problem)

    const ids = { OriginatorConversationID: requestId(), ConversationID: conversationId(new Date()) }
    const initiatorOk =
      (options.initiatorName === undefined || body.Initiator === options.initiatorName) &&
      (options.securityCredential === undefined || body.SecurityCredential === options.securityCredential)
    const transactionId = String(body.TransactionID)
    const found = context.transactions.get(transactionId.toUpperCase())
    const result = statusResult(ids, transactionId, String(body.Occasion ?? ''), initiatorOk ? found ?? 'unknown' : 'initiator')
    context.later(() => context.deliver(body.ResultURL as string, result))
    return { ...ids, ResponseCode: '0', ResponseDescription: 'Accept the service request successfully.' }
  })
}

type Ids = { OriginatorConversationID: string; ConversationID: string }

/** `{"Result":{…}}` as M-Pesa posts it to ResultURL. */
function statusResult(ids: Ids, transactionId: string, occasion: string, verdict: SimulatedTransaction | 'unknown' | 'initiator'): unknown {
  const failure = verdict === 'initiator' ? INITIATOR_INVALID : verdict === 'unknown' ? TRANSACTION_UNKNOWN : undefined
  const head = {
    ResultType: 0,
    ResultCode: failure?.code ?? 0,
    ResultDesc: failure?.desc ?? PROCESSED,
    ...ids,
    TransactionID: transactionId,
  }
  // Daraja sends a lone ReferenceItem as an object, not a list.
  const referenceData = { ReferenceItem: { Key: 'Occasion', Value: occasion } }
  if (typeof verdict === 'string') return { Result: { ...head, ReferenceData: referenceData } }
  const time = Number(darajaTimestamp(verdict.at))
  const parameters: Record<string, unknown> = {
    DebitPartyName: `${verdict.phone} - John`,
    CreditPartyName: `${verdict.shortcode} - Simulated Organisation`,
    OriginatorConversationID: ids.OriginatorConversationID,
    InitiatedTime: time,
    DebitAccountType: 'MMF Account For Customer',
    DebitPartyCharges: '',
    TransactionReason: '',
    ReasonType: verdict.kind === 'stk' ? 'Pay Bill Online' : verdict.transactionType === 'CustomerBuyGoodsOnline' ? 'Pay Merchant' : 'Pay Bill',
    TransactionStatus: 'Completed',
    FinalisedTime: time,
    Amount: verdict.amount,
    ConversationID: ids.ConversationID,
    ReceiptNo: verdict.receipt,
  }
  return {
    Result: {
      ...head,
      ResultParameters: { ResultParameter: Object.entries(parameters).map(([Key, Value]) => ({ Key, Value })) },
      ReferenceData: referenceData,
    },
  }
}
