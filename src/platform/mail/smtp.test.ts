import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { SMTPServer } from 'smtp-server'
import { smtpEmailSender } from './smtp.js'

interface Received {
  user: string | undefined
  from: string
  to: string[]
  raw: string
}

describe('email over SMTP', () => {
  const received: Received[] = []
  let port = 0
  const server = new SMTPServer({
    logger: false,
    // A plain-text test server: no certificate to present, so no STARTTLS, and AUTH without TLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'portal' && auth.password === 's3cret') callback(null, { user: auth.username })
      else callback(new Error('Invalid username or password'))
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@refused.example')) callback(new Error('Mailbox unavailable'))
      else callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          user: session.user,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.server.address() as AddressInfo).port
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const sender = (user = 'portal:s3cret') =>
    smtpEmailSender({ url: `smtp://${user}@127.0.0.1:${port}`, from: 'eCitizen <no-reply@ecitizen.example>' })

  it('delivers the message to the server, signed in with the credentials in the URL', async () => {
    const mail = sender()
    const id = await mail.send({
      to: 'wanjiku@example.com',
      subject: 'Confirm your email address',
      text: 'Open this link:\n\nhttps://ecitizen.example/verify/abc',
    })
    mail.close()
    assert.match(id, /^<.+@.+>$/, 'the Message-ID')
    const message = received.at(-1)
    assert.ok(message)
    assert.equal(message.user, 'portal')
    assert.equal(message.from, 'no-reply@ecitizen.example')
    assert.deepEqual(message.to, ['wanjiku@example.com'])
    assert.match(message.raw, /^Subject: Confirm your email address\r$/m)
    assert.match(message.raw, /^To: wanjiku@example\.com\r$/m)
    assert.match(message.raw, /^From: eCitizen <no-reply@ecitizen\.example>\r$/m)
    assert.match(message.raw, new RegExp(`^Message-ID: ${id.replace(/[.+]/g, '\\$&')}\r$`, 'm'))
    assert.match(message.raw, /\r\n\r\nOpen this link:\r\n\r\nhttps:\/\/ecitizen\.example\/verify\/abc/)
  })

  it('adds the header fields a message carries, such as List-Unsubscribe', async () => {
    const mail = sender()
    await mail.send({
      to: 'wanjiku@example.com',
      subject: 'Status update',
      text: 'Fixed.',
      headers: { 'List-Unsubscribe': '<https://ecitizen.example/status/unsubscribe/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    })
    mail.close()
    const raw = received.at(-1)?.raw ?? ''
    assert.match(raw, /^List-Unsubscribe: <https:\/\/ecitizen\.example\/status\/unsubscribe\/abc>\r$/m)
    assert.match(raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m)
  })

  it('fails when the server refuses the recipient, so the job retries', async () => {
    const mail = sender()
    await assert.rejects(mail.send({ to: 'nobody@refused.example', subject: 'x', text: 'x' }), /Mailbox unavailable/)
    mail.close()
  })

  it('fails on wrong credentials', async () => {
    const mail = sender('portal:wrong')
    await assert.rejects(mail.send({ to: 'wanjiku@example.com', subject: 'x', text: 'x' }), (error: Error) => {
      assert.match(error.message, /Invalid username or password|Invalid login/)
      assert.doesNotMatch(error.message, /wrong/, 'the password is not in the error')
      return true
    })
    mail.close()
  })

  it('fails when the server cannot be reached', async () => {
    const mail = smtpEmailSender({ url: 'smtp://127.0.0.1:1', from: 'no-reply@ecitizen.example' })
    await assert.rejects(mail.send({ to: 'wanjiku@example.com', subject: 'x', text: 'x' }), /ECONNREFUSED/)
    mail.close()
  })
})
