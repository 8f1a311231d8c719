/**
 * The Transaction Status API's request and immediate answer. It confirms a payment by its receipt
 * (M-Pesa's TransactionID) when a callback is doubtful or missing; the answer only says the query was
 * accepted, and the verdict arrives later at ResultURL (read it with readTransactionStatusResult).
 */
import { DarajaError } from './errors.js'

export interface TransactionStatusRequest {
  /** The M-Pesa receipt, e.g. "RLA0R69NXM". */
  transactionId: string
  /** Shown in M-Pesa's records; up to 100 characters. */
  remarks?: string
}

export interface TransactionStatusAccepted {
  conversationId: string
  originatorConversationId: string
}

export interface TransactionStatusParties {
  initiatorName: string
  securityCredential: string
  shortcode: string
  resultUrl: string
  timeoutUrl: string
}

export function transactionStatusBody(request: TransactionStatusRequest, parties: TransactionStatusParties): Record<string, unknown> {
  if (!/^[A-Z0-9]{6,20}$/i.test(request.transactionId)) throw new RangeError('transactionId must be an M-Pesa receipt: 6 to 20 letters and digits')
  return {
    Initiator: parties.initiatorName,
    SecurityCredential: parties.securityCredential,
    CommandID: 'TransactionStatusQuery',
    TransactionID: request.transactionId.toUpperCase(),
    PartyA: parties.shortcode,
    // 4: PartyA is an organisation shortcode (1 would be a phone, 2 a till).
    IdentifierType: '4',
    ResultURL: parties.resultUrl,
    QueueTimeOutURL: parties.timeoutUrl,
    // Daraja refuses an empty Remarks.
    Remarks: (request.remarks ?? '').trim().slice(0, 100) || 'Payment confirmation',
    Occasion: 'Reconciliation',
  }
}

/** `{"OriginatorConversationID","ConversationID","ResponseCode":"0",…}`: accepted for processing. */
export function readTransactionStatusAccepted(answer: Record<string, unknown>): TransactionStatusAccepted {
  if (String(answer.ResponseCode) !== '0') {
    const description = String(answer.ResponseDescription ?? '')
    throw new DarajaError('rejected', `Daraja refused the status query: ${description}`.slice(0, 200), 200, String(answer.ResponseCode), description)
  }
  const conversationId = answer.ConversationID
  const originatorConversationId = answer.OriginatorConversationID
  if (typeof conversationId !== 'string' || !conversationId || typeof originatorConversationId !== 'string' || !originatorConversationId) {
    throw new DarajaError('invalid-answer', 'Daraja accepted the status query without its conversation ids')
  }
  return { conversationId, originatorConversationId }
}
