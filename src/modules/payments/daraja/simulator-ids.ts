/**
 * The identifiers the simulator hands out, shaped like Daraja's and drawn from crypto randomness: a
 * CheckoutRequestID is all a caller needs to ask about a prompt, so it must not be guessable from the
 * time or the phone (an earlier sequence-and-phone scheme was guessed).
 */
import { randomBytes, randomInt } from 'node:crypto'
import { darajaTimestamp } from './protocol.js'

const RECEIPT_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** Like RLA0R69NXM: ten capitals and digits. */
export const receiptNumber = (): string => Array.from({ length: 10 }, () => RECEIPT_CHARACTERS[randomInt(RECEIPT_CHARACTERS.length)]).join('')

export const randomDigits = (count: number): string => Array.from({ length: count }, () => randomInt(10)).join('')

/** 16 random digits: about 53 bits a caller would have to guess. */
export const CHECKOUT_RANDOM_DIGITS = 16

/** `ws_CO_` + DDMMYYYYHHmmss (Nairobi) + random digits, like ws_CO_22112022152650652748458100. */
export function checkoutRequestId(now: Date): string {
  const t = darajaTimestamp(now)
  return `ws_CO_${t.slice(6, 8)}${t.slice(4, 6)}${t.slice(0, 4)}${t.slice(8)}${randomDigits(CHECKOUT_RANDOM_DIGITS)}`
}

/** Like 68444-143235050-2: Daraja's MerchantRequestID, requestId and OriginatorConversationID. */
export const requestId = (): string => `${randomInt(10000, 100000)}-${randomInt(100_000_000, 1_000_000_000)}-${randomInt(1, 4)}`

/** Like AG_20180128_0000650adeb6d1e32571: the ConversationID of an asynchronous request. */
export const conversationId = (now: Date): string => `AG_${darajaTimestamp(now).slice(0, 8)}_${randomBytes(10).toString('hex')}`
