import nodemailer from 'nodemailer'
import type { EmailMessage, EmailSender } from './email-sender.js'

export interface SmtpOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465. */
  url: string
  /** The From header: "eCitizen <no-reply@example.go.ke>". */
  from: string
}

export interface SmtpEmailSender extends EmailSender {
  close(): void
}

/**
 * Sends email through an SMTP server, one connection per message: sending happens in background jobs
 * at a modest rate, and a fresh connection never inherits a broken one.
 */
export function smtpEmailSender(options: SmtpOptions): SmtpEmailSender {
  const transport = nodemailer.createTransport({
    url: options.url,
    // The defaults (two minutes to connect, ten idle) would hold a job far longer than a retry costs.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  })
  return {
    async send(message: EmailMessage): Promise<string> {
      const info = await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: message.headers,
      })
      // One recipient: the server either takes it or says why not; a silent refusal must not pass as sent.
      if (info.rejected.length > 0) throw new Error(`the mail server refused the recipient: ${info.response}`)
      return info.messageId
    },
    close: () => transport.close(),
  }
}
