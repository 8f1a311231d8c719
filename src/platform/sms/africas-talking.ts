import { isE164 } from './phone-number.js'
import type { SmsMessage, SmsSender } from './sms-sender.js'

export interface AfricasTalkingOptions {
  /** The Africa's Talking application's username ("sandbox" on the sandbox). */
  username: string
  apiKey: string
  /** A registered alphanumeric sender id or short code; without one the gateway's default is used. */
  senderId?: string
  /** https://api.africastalking.com, or https://api.sandbox.africastalking.com for the sandbox. */
  baseUrl: string
  timeoutMs?: number
}

/** The gateway did not accept the message; the job that sent it will try again. */
export class SmsNotSent extends Error {
  constructor(
    message: string,
    /** The HTTP status, or the recipient's statusCode when the request itself succeeded. */
    readonly code?: number,
  ) {
    super(message)
    this.name = 'SmsNotSent'
  }
}

interface Recipient {
  statusCode?: number | string
  status?: string
  number?: string
  messageId?: string
}

interface MessagingAnswer {
  SMSMessageData?: { Message?: string; Recipients?: Recipient[] }
}

/** 100 processed, 101 sent, 102 queued; every other recipient status means the message did not go. */
const ACCEPTED = new Set([100, 101, 102])

/** Sends SMS through Africa's Talking's messaging API, one recipient per request. */
export function africasTalkingSmsSender(options: AfricasTalkingOptions): SmsSender {
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/version1/messaging`
  // Whatever the gateway answers, the key must not end up in an error that is stored or logged.
  const scrub = (text: string) => text.split(options.apiKey).join('***').replace(/\s+/g, ' ').trim().slice(0, 200)

  return {
    async send(message: SmsMessage): Promise<string> {
      if (!isE164(message.to)) throw new SmsNotSent('the phone number is not in E.164 form (+2547...)')
      const form = new URLSearchParams({ username: options.username, to: message.to, message: message.text })
      if (options.senderId) form.set('from', options.senderId)

      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          apiKey: options.apiKey,
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      })
      const body = await response.text()
      if (!response.ok) {
        throw new SmsNotSent(`Africa's Talking answered HTTP ${response.status}: ${scrub(body)}`, response.status)
      }

      let answer: MessagingAnswer
      try {
        answer = JSON.parse(body) as MessagingAnswer
      } catch {
        throw new SmsNotSent(`Africa's Talking answered with something other than JSON: ${scrub(body)}`)
      }
      const data = answer.SMSMessageData
      const recipient = data?.Recipients?.[0]
      // No recipient at all: the request was refused as a whole (bad sender id, no balance); Message says why.
      if (!recipient) throw new SmsNotSent(`Africa's Talking sent nothing: ${scrub(data?.Message ?? body)}`)

      const code = Number(recipient.statusCode)
      if (!ACCEPTED.has(code) || !recipient.messageId) {
        throw new SmsNotSent(`Africa's Talking did not send the message: ${code} ${scrub(recipient.status ?? '')}`, code)
      }
      return recipient.messageId
    },
  }
}
