import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, beforeEach, describe, it } from 'node:test'
import { africasTalkingSmsSender, SmsNotSent } from './africas-talking.js'

interface Seen {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  form: URLSearchParams
}

/** What the fake gateway answers next: an HTTP status and a body. */
type Answer = { status: number; body: string }

const success = (number: string): Answer => ({
  status: 201,
  body: JSON.stringify({
    SMSMessageData: {
      Message: 'Sent to 1/1 Total Cost: KES 0.8000',
      Recipients: [{ statusCode: 101, number, status: 'Success', cost: 'KES 0.8000', messageId: 'ATXid_4f1b2c' }],
    },
  }),
})

describe("SMS through Africa's Talking", () => {
  const seen: Seen[] = []
  let answer: Answer
  let baseUrl = ''
  const gateway = http.createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (body += chunk))
    request.on('end', () => {
      seen.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, form: new URLSearchParams(body) })
      response.writeHead(answer.status, { 'Content-Type': answer.status < 300 ? 'application/json' : 'text/plain' })
      response.end(answer.body)
    })
  })

  before(async () => {
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/`
  })
  after(() => new Promise<void>((resolve) => gateway.close(() => resolve())))
  beforeEach(() => {
    seen.length = 0
  })

  const sms = (senderId?: string) => africasTalkingSmsSender({ username: 'ecitizen', apiKey: 'atsk_secret_key', senderId, baseUrl })

  it('posts a form with the key in the header and answers the message id', async () => {
    answer = success('+254712345678')
    const id = await sms('ECITIZEN').send({ to: '+254712345678', text: 'Your sign-in code is 123456.' })
    assert.equal(id, 'ATXid_4f1b2c')
    assert.equal(seen.length, 1)
    const request = seen[0] as Seen
    assert.equal(request.method, 'POST')
    assert.equal(request.path, '/version1/messaging')
    assert.equal(request.headers.apikey, 'atsk_secret_key')
    assert.equal(request.headers.accept, 'application/json')
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded')
    assert.equal(request.form.get('username'), 'ecitizen')
    assert.equal(request.form.get('to'), '+254712345678')
    assert.equal(request.form.get('message'), 'Your sign-in code is 123456.')
    assert.equal(request.form.get('from'), 'ECITIZEN')
  })

  it('leaves "from" out without a sender id', async () => {
    answer = success('+254712345678')
    await sms().send({ to: '+254712345678', text: 'hello' })
    assert.equal(seen[0]?.form.has('from'), false)
  })

  it('takes 100 (processed) and 102 (queued) as accepted too', async () => {
    for (const statusCode of [100, 102]) {
      answer = {
        status: 201,
        body: JSON.stringify({ SMSMessageData: { Recipients: [{ statusCode, status: 'Queued', messageId: `ATXid_${statusCode}` }] } }),
      }
      assert.equal(await sms().send({ to: '+254712345678', text: 'hello' }), `ATXid_${statusCode}`)
    }
  })

  it('fails when the recipient was not sent to, naming the status', async () => {
    answer = {
      status: 201,
      body: JSON.stringify({
        SMSMessageData: {
          Message: 'Sent to 0/1 Total Cost: 0',
          Recipients: [{ statusCode: 403, number: '+254712345678', status: 'InvalidPhoneNumber', cost: '0', messageId: 'None' }],
        },
      }),
    }
    await assert.rejects(sms().send({ to: '+254712345678', text: 'hello' }), (error: unknown) => {
      assert.ok(error instanceof SmsNotSent)
      assert.equal(error.code, 403)
      assert.match(error.message, /403 InvalidPhoneNumber/)
      return true
    })
  })

  it('fails when no recipient is listed at all', async () => {
    answer = { status: 201, body: JSON.stringify({ SMSMessageData: { Message: 'InvalidSenderId', Recipients: [] } }) }
    await assert.rejects(sms().send({ to: '+254712345678', text: 'hello' }), /InvalidSenderId/)
  })

  it('fails on a server error without repeating the key', async () => {
    answer = { status: 500, body: 'Internal error near atsk_secret_key' }
    await assert.rejects(sms().send({ to: '+254712345678', text: 'hello' }), (error: unknown) => {
      assert.ok(error instanceof SmsNotSent)
      assert.equal(error.code, 500)
      assert.match(error.message, /HTTP 500/)
      assert.doesNotMatch(error.message, /atsk_secret_key/)
      return true
    })
  })

  it('fails on an answer that is not JSON', async () => {
    answer = { status: 201, body: '<html>gateway</html>' }
    await assert.rejects(sms().send({ to: '+254712345678', text: 'hello' }), /other than JSON/)
  })

  it('refuses a number that is not E.164 before calling the gateway', async () => {
    await assert.rejects(sms().send({ to: '0712345678', text: 'hello' }), /E\.164/)
    assert.equal(seen.length, 0)
  })

  it('gives up on a gateway that does not answer in time', async () => {
    const silent = http.createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const slow = africasTalkingSmsSender({
      username: 'ecitizen',
      apiKey: 'k',
      baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      timeoutMs: 200,
    })
    await assert.rejects(slow.send({ to: '+254712345678', text: 'hello' }), /timeout|aborted/i)
    silent.closeAllConnections()
    await new Promise<void>((resolve) => silent.close(() => resolve()))
  })
})
