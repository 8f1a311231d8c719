/** An email to one person. Plain text always; HTML only as an alternative rendering of the same words. */
export interface EmailMessage {
  to: string
  subject: string
  text: string
  html?: string
  /** Extra header fields, such as List-Unsubscribe on messages a person subscribed to. */
  headers?: Record<string, string>
}

export interface EmailSender {
  /** Hands the message to the mail service; resolves with its message id, rejects if it was not accepted. */
  send(message: EmailMessage): Promise<string>
}
