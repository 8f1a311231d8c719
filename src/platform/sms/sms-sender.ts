/** A text message to one phone number in E.164 form (+2547...). */
export interface SmsMessage {
  to: string
  text: string
}

export interface SmsSender {
  /** Hands the message to the gateway; resolves with its message id, rejects if it was not accepted. */
  send(message: SmsMessage): Promise<string>
}
