/**
 * Daraja's wire formats (Safaricom Daraja documentation): timestamps, the STK password,
 * and strict readers for the callbacks it posts. Callbacks are unsigned claims: anything that does not
 * have exactly the expected shape is refused with a reason, and nothing is credited.
 */

const NAIROBI = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Africa/Nairobi',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** `YYYYMMDDHHmmss` in Africa/Nairobi time, as Daraja's Timestamp and TransactionDate are. */
export function darajaTimestamp(date: Date = new Date()): string {
  const parts = NAIROBI.formatToParts(date)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}${part('month')}${part('day')}${part('hour')}${part('minute')}${part('second')}`
}

/** A Daraja `YYYYMMDDHHmmss` (Nairobi, UTC+3 all year) as an instant; undefined when it is not one. */
export function parseDarajaTimestamp(value: string | number): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(String(value))
  if (!match) return undefined
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number]
  const date = new Date(Date.UTC(y, mo - 1, d, h - 3, mi, s))
  return darajaTimestamp(date) === String(value) ? date : undefined
}

/** The STK push Password: base64(shortcode + passkey + timestamp). */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`).toString('base64')
}

/** E.164 (+2547…, +2541…) or any form toE164 accepts → Daraja's 12 digits; undefined if not a Kenyan mobile. */
export function darajaPhone(e164: string): string | undefined {
  const digits = e164.replace(/^\+/, '')
  return /^254[17]\d{8}$/.test(digits) ? digits : undefined
}

/** "10.00" → 1000; anything but a plain non-negative amount with at most two decimals → undefined. */
export function amountToCents(value: string | number): number | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(2) : '') : value.trim()
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text)
  if (!match) return undefined
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
}

export class MalformedCallback extends Error {
  readonly status = 400
  constructor(reason: string) {
    super(`malformed M-Pesa callback: ${reason}`)
    this.name = 'MalformedCallback'
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function text(record: Record<string, unknown>, name: string, max = 100): string {
  const value = record[name]
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new MalformedCallback(`${name} must be a non-empty string`)
  return value
}

export interface StkResult {
  merchantRequestId: string
  checkoutRequestId: string
  resultCode: number
  resultDesc: string
  /** Present on success only. */
  paid?: { amountCents: number; receipt: string; paidAt: Date; phone: string }
}

/** Reads `{"Body":{"stkCallback":{…}}}`; CallbackMetadata items by Name, never by position. */
export function readStkCallback(body: unknown): StkResult {
  if (!isObject(body) || !isObject(body.Body) || !isObject(body.Body.stkCallback)) throw new MalformedCallback('no Body.stkCallback')
  const callback = body.Body.stkCallback
  const resultCode = callback.ResultCode
  if (typeof resultCode !== 'number' || !Number.isInteger(resultCode)) throw new MalformedCallback('ResultCode must be a whole number')
  const result: StkResult = {
    merchantRequestId: text(callback, 'MerchantRequestID'),
    checkoutRequestId: text(callback, 'CheckoutRequestID'),
    resultCode,
    resultDesc: typeof callback.ResultDesc === 'string' ? callback.ResultDesc.slice(0, 300) : '',
  }
  if (resultCode !== 0) return result

  const items = isObject(callback.CallbackMetadata) ? callback.CallbackMetadata.Item : undefined
  if (!Array.isArray(items)) throw new MalformedCallback('a successful result must carry CallbackMetadata.Item')
  const item = (name: string): unknown => {
    const found = items.filter((entry) => isObject(entry) && entry.Name === name)
    if (found.length !== 1) throw new MalformedCallback(`CallbackMetadata must hold one ${name}`)
    return (found[0] as Record<string, unknown>).Value
  }
  const amount = item('Amount')
  const receipt = item('MpesaReceiptNumber')
  const date = item('TransactionDate')
  const phone = item('PhoneNumber')
  const amountCents = typeof amount === 'number' && amount > 0 ? amountToCents(amount) : undefined
  if (!amountCents) throw new MalformedCallback('Amount must be a positive number')
  if (typeof receipt !== 'string' || !/^[A-Z0-9]{6,20}$/.test(receipt)) throw new MalformedCallback('MpesaReceiptNumber must be letters and digits')
  const paidAt = typeof date === 'number' ? parseDarajaTimestamp(date) : undefined
  if (!paidAt) throw new MalformedCallback('TransactionDate must be a YYYYMMDDHHmmss number')
  if (typeof phone !== 'number' || !/^254\d{9}$/.test(String(phone))) throw new MalformedCallback('PhoneNumber must be a 254… number')
  return { ...result, paid: { amountCents, receipt, paidAt, phone: `+${phone}` } }
}

export interface C2bPayment {
  transId: string
  transTime: Date
  amountCents: number
  shortcode: string
  billReference: string
  /** E.164 when Daraja sends a plain number (it may send a masked or hashed one instead). */
  phone: string | undefined
  firstName: string
}

/** An M-Pesa receipt (TransID, MpesaReceiptNumber) as every table that keys on it accepts it. */
export const M_PESA_RECEIPT = /^[A-Z0-9]{6,40}$/i

/** Reads the C2B validation/confirmation body; the bill reference is compacted and upper-cased as people type it loosely. */
export function readC2bPayment(body: unknown): C2bPayment {
  if (!isObject(body)) throw new MalformedCallback('the body must be a JSON object')
  const transId = text(body, 'TransID', 40)
  if (!M_PESA_RECEIPT.test(transId)) throw new MalformedCallback('TransID must be 6 to 40 letters and digits')
  const transTime = parseDarajaTimestamp(text(body, 'TransTime', 14))
  if (!transTime) throw new MalformedCallback('TransTime must be YYYYMMDDHHmmss')
  const amountCents = amountToCents(text(body, 'TransAmount', 20))
  if (amountCents === undefined) throw new MalformedCallback('TransAmount must be an amount such as "10.00"')
  const msisdn = typeof body.MSISDN === 'string' || typeof body.MSISDN === 'number' ? String(body.MSISDN) : ''
  return {
    transId: transId.toUpperCase(),
    transTime,
    amountCents,
    shortcode: text(body, 'BusinessShortCode', 20),
    billReference: typeof body.BillRefNumber === 'string' ? normaliseBillReference(body.BillRefNumber) : '',
    phone: /^254\d{9}$/.test(msisdn) ? `+${msisdn}` : undefined,
    firstName: typeof body.FirstName === 'string' ? body.FirstName.slice(0, 100) : '',
  }
}

/** As people type an account number on a phone: any case, maybe with spaces or dashes. */
export function normaliseBillReference(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase().slice(0, 40)
}

/** The ResultCodes a person can be told about in plain words; anything else is "other". */
export const EXPLAINED_RESULT_CODES = [1, 1032, 1037, 2001] as const

export function resultMessageKey(resultCode: number | null | undefined): string {
  return (EXPLAINED_RESULT_CODES as readonly number[]).includes(resultCode ?? -1) ? `mpesa.results.r${resultCode}` : 'mpesa.results.other'
}

export interface TransactionStatusResult {
  originatorConversationId: string
  conversationId: string
  /** 0: M-Pesa found the transaction; anything else: it did not confirm it. */
  resultCode: number
  resultDesc: string
  /** The following only when resultCode is 0. */
  receipt?: string
  amountCents?: number
  /** M-Pesa's word for the transaction: "Completed", "Reversed", … */
  status?: string
  /** As M-Pesa gives it: "254712345678 - John Doe" (it may be masked). */
  debitParty?: string
}

/**
 * Reads the Transaction Status result posted to ResultURL: `{"Result":{…,"ResultParameters":
 * {"ResultParameter":[{"Key","Value"},…]}}}`. Parameters by Key, never by position.
 */
export function readTransactionStatusResult(body: unknown): TransactionStatusResult {
  if (!isObject(body) || !isObject(body.Result)) throw new MalformedCallback('no Result')
  const result = body.Result
  const resultCode = result.ResultCode
  if (typeof resultCode !== 'number' || !Number.isInteger(resultCode)) throw new MalformedCallback('ResultCode must be a whole number')
  const verdict: TransactionStatusResult = {
    originatorConversationId: text(result, 'OriginatorConversationID'),
    conversationId: text(result, 'ConversationID'),
    resultCode,
    resultDesc: typeof result.ResultDesc === 'string' ? result.ResultDesc.slice(0, 300) : '',
  }
  if (resultCode !== 0) return verdict

  const parameters = keyedValues(result.ResultParameters, 'ResultParameter')
  const receipt = parameters.get('ReceiptNo')
  const amount = parameters.get('Amount')
  const status = parameters.get('TransactionStatus')
  const debitParty = parameters.get('DebitPartyName')
  if (typeof receipt !== 'string' || !/^[A-Z0-9]{6,20}$/.test(receipt)) throw new MalformedCallback('ReceiptNo must be letters and digits')
  const amountCents = typeof amount === 'number' || typeof amount === 'string' ? amountToCents(amount) : undefined
  if (!amountCents) throw new MalformedCallback('Amount must be a positive amount')
  if (typeof status !== 'string' || status.length === 0 || status.length > 40) throw new MalformedCallback('TransactionStatus must be a non-empty string')
  if (debitParty !== undefined && typeof debitParty !== 'string') throw new MalformedCallback('DebitPartyName must be a string')
  return { ...verdict, receipt, amountCents, status, ...(debitParty ? { debitParty: debitParty.slice(0, 200) } : {}) }
}

/** `{"<list>":[{"Key","Value"},…]}` → Key → Value; Daraja sends a lone entry as an object, not a list. */
function keyedValues(container: unknown, list: string): Map<string, unknown> {
  if (!isObject(container)) throw new MalformedCallback(`a successful result must carry ${list}`)
  const raw = container[list]
  const entries = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : undefined
  if (!entries) throw new MalformedCallback(`${list} must be a list`)
  const values = new Map<string, unknown>()
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.Key !== 'string') throw new MalformedCallback(`every ${list} must have a Key`)
    if (values.has(entry.Key)) throw new MalformedCallback(`${list} must hold one ${entry.Key}`)
    values.set(entry.Key, entry.Value)
  }
  return values
}
