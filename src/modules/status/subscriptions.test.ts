import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import pino from 'pino'
import { SMTPServer } from 'smtp-server'
import { createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { serverErrors, testApp, type TestApp } from '../../../test/helpers/app.js'
import { freshDatabase, TEST_ENGINE } from '../../../test/helpers/database.js'
import { until } from '../../../test/helpers/wait.js'
import { JobQueue } from '../../platform/jobs/queue.js'
import { smtpEmailSender } from '../../platform/mail/smtp.js'
import { africasTalkingSmsSender } from '../../platform/sms/africas-talking.js'
import { notificationJobs } from '../notifications/jobs.js'
import type { StatusSubscriptions } from './subscriptions.js'
import { FAN_OUT_JOB } from './subscriptions-sending.js'

const PUBLIC_URL = 'http://portal.test'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

interface Mail {
  to: string
  headers: string
  body: string
}

/** A message as the mail server got it: headers unfolded, quoted-printable body decoded. */
function parseMail(to: string, raw: string): Mail {
  const [head = '', ...rest] = raw.split('\r\n\r\n')
  const body = rest.join('\r\n\r\n').replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return { to, headers: head.replace(/\r\n[ \t]+/g, ' '), body: Buffer.from(body, 'latin1').toString('utf8') }
}

describe(`status subscriptions on ${TEST_ENGINE}`, () => {
  const mails: Mail[] = []
  const texts: { to: string; message: string }[] = []
  const smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        mails.push(parseMail(session.envelope.rcptTo[0]?.address ?? '', Buffer.concat(chunks).toString('latin1')))
        callback()
      })
    },
  })
  // Africa's Talking's messaging endpoint, as far as the sender needs it.
  const gateway = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      const form = new URLSearchParams(body)
      texts.push({ to: form.get('to') ?? '', message: form.get('message') ?? '' })
      response.writeHead(201, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify({ SMSMessageData: { Recipients: [{ statusCode: 101, number: form.get('to'), status: 'Success', messageId: `ATXid_${texts.length}` }] } }))
    })
  })

  let t: TestApp
  let queue: JobQueue
  let subscriptions: StatusSubscriptions
  let admin: string

  before(async () => {
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve))
    const senders = {
      email: smtpEmailSender({ url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, from: 'eCitizen <no-reply@portal.test>' }),
      sms: africasTalkingSmsSender({ username: 'ecitizen', apiKey: 'test-key', baseUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/` }),
    }
    const database = await freshDatabase()
    // A worker of its own, so messages really go out through SMTP and the SMS gateway.
    queue = new JobQueue(database, pino({ level: 'silent' }), { pollSeconds: 1, worker: true })
    t = await testApp({
      database,
      env: { PUBLIC_URL },
    })
    // The app's own subscriptions (wired by the status module); this queue runs their jobs.
    subscriptions = t.app.modules.status.subscriptions
    for (const definition of [...subscriptions.jobDefinitions(senders), ...notificationJobs({ db: database.db, senders })]) queue.define(definition)
    await queue.start()
    admin = await signedInCookie(t.database.db, (await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })).id)
  })
  after(async () => {
    await queue.stop(2000)
    await t.close()
    await new Promise<void>((resolve) => smtp.close(() => resolve()))
    await new Promise<void>((resolve) => gateway.close(() => resolve()))
  })

  /** Posts a form from the page it lives on, with that page's CSRF token and cookies, as a browser would. */
  async function submit(page: string, action: string, fields: [string, string][], cookie = ''): Promise<LightMyRequestResponse> {
    const form = await t.app.inject({ url: page, headers: { cookie } })
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? ''
    const headers = { ...FORM, cookie: [cookie, ...form.cookies.map((c) => `${c.name}=${c.value}`)].filter(Boolean).join('; ') }
    return t.app.inject({ method: 'POST', url: action, headers, payload: new URLSearchParams([['_csrf', token], ...fields]).toString() })
  }

  const subscribe = (fields: Record<string, string>, components: string[] = [], page = '/status/subscribe') =>
    submit(page, '/status/subscribe', [...Object.entries(fields), ...components.map((c): [string, string] => ['components', c])])

  async function openIncident(component: string, titleEn: string): Promise<string> {
    const fields = { components: component, impact: 'major-outage', titleEn, titleSw: `${titleEn} (sw)`, messageEn: 'We are looking into it.', messageSw: 'Tunalichunguza.' }
    const response = await submit('/admin/status/incidents/new', '/admin/status/incidents', Object.entries(fields), admin)
    assert.equal(response.statusCode, 303, response.body.slice(0, 300))
    return String(response.headers.location).split('/').at(-1)!
  }

  async function postUpdate(incidentId: string, status: string, messageEn: string): Promise<void> {
    const response = await submit(`/admin/status/incidents/${incidentId}`, `/admin/status/incidents/${incidentId}`, [['status', status], ['messageEn', messageEn], ['messageSw', `${messageEn} (sw)`]], admin)
    assert.equal(response.statusCode, 303, response.body.slice(0, 300))
  }

  /** Waits until the fan-out of an incident's newest update has run. */
  async function fannedOut(incidentId: string): Promise<string> {
    const { id } = await t.database.db.selectFrom('status_incident_updates').select('id').where('incident_id', '=', incidentId).orderBy('posted_at', 'desc').executeTakeFirstOrThrow()
    await until(async () => (await sql<{ state: string }>`select state from pgboss.job where name = ${FAN_OUT_JOB} and data->>'id' = ${id}`.execute(t.database.db)).rows[0]?.state === 'completed')
    return id
  }

  const subscription = (address: string) => t.database.db.selectFrom('status_subscriptions').selectAll().where('address', '=', address).executeTakeFirst()
  const mailTo = async (address: string, count: number) => {
    await until(async () => mails.filter((m) => m.to === address).length >= count)
    return mails.filter((m) => m.to === address)[count - 1]!
  }

  it('subscribes by email with a confirmed opt-in, sends updates with one-click unsubscribe, and stops after it', async () => {
    const response = await subscribe({ channel: 'email', email: 'Amina@Example.com', language: 'en' })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/status/subscribe/check-email')

    const confirmation = await mailTo('amina@example.com', 1)
    assert.match(confirmation.headers, /^Subject: Confirm your status updates$/m)
    assert.doesNotMatch(confirmation.headers, /List-Unsubscribe/, 'nothing to unsubscribe from yet')
    const link = /http:\/\/portal\.test(\/status\/subscribe\/confirm\/[\w-]+)/.exec(confirmation.body)?.[1]
    assert.ok(link, confirmation.body)

    // Opening the link (as a mail scanner would) confirms nothing: it shows a button.
    const opened = await t.app.inject({ url: link })
    assert.equal(opened.statusCode, 200)
    assert.match(opened.body, /<button[^>]*>\s*Confirm\s*<\/button>/)
    assert.equal((await subscription('amina@example.com'))?.confirmed_at, null)
    const confirmed = await submit(link, link, [])
    assert.equal(confirmed.headers.location, '/status/subscribe/done')
    const row = await subscription('amina@example.com')
    assert.ok(row?.confirmed_at)
    assert.equal(row.secret_hash, null)
    assert.equal((await submit('/status/subscribe', link, [])).statusCode, 404, 'a used link does not work again')

    const incident = await openIncident('payments-prompt', 'M-Pesa prompts are late')
    const update = await mailTo('amina@example.com', 2)
    assert.match(update.headers, /^Subject: M-Pesa prompts are late: Investigating$/m)
    assert.match(update.body, /Investigating: We are looking into it\./)
    assert.match(update.body, /http:\/\/portal\.test\/status\r?\n/)
    const unsubscribe = /^List-Unsubscribe: <(http:\/\/portal\.test\/status\/unsubscribe\/[\w-]+)>$/m.exec(update.headers)?.[1]
    assert.ok(unsubscribe, update.headers)
    assert.match(update.headers, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m)
    assert.ok(update.body.includes(unsubscribe), 'the same link is in the text')

    // The mail client's one-click POST: no CSRF token, no cookies.
    const path = unsubscribe.slice(PUBLIC_URL.length)
    const oneClick = await t.app.inject({ method: 'POST', url: path, headers: FORM, payload: 'List-Unsubscribe=One-Click' })
    assert.equal(oneClick.statusCode, 200)
    assert.equal(await subscription('amina@example.com'), undefined)
    const again = await t.app.inject({ method: 'POST', url: path, headers: FORM, payload: 'List-Unsubscribe=One-Click' })
    assert.equal(again.statusCode, 404)
    assert.match(again.body, /unknown or already used unsubscribe link/)

    await postUpdate(incident, 'resolved', 'Prompts arrive again.')
    const resolved = await fannedOut(incident)
    const queued = await t.database.db.selectFrom('notifications').select('idempotency_key').where('idempotency_key', 'like', `status-sub:update:${resolved}:%`).execute()
    assert.deepEqual(queued, [])
    assert.equal(mails.filter((m) => m.to === 'amina@example.com').length, 2)
    assert.deepEqual(serverErrors(t.logs), [])
  })

  it('subscribes a phone with a texted code: a wrong code counts, the right one confirms, updates come in one SMS', async () => {
    const response = await subscribe({ channel: 'sms', phone: '0712 345 678', language: 'sw' }, ['sms'])
    assert.equal(response.headers.location, '/status/subscribe/confirm')
    const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
    await until(async () => texts.some((x) => x.to === '+254712345678'))
    const code = /\b(\d{6})\b/.exec(texts.find((x) => x.to === '+254712345678')!.message)![1]!
    assert.match(texts.at(-1)!.message, /^Nambari yako ya kupokea taarifa/)

    const page = await t.app.inject({ url: '/status/subscribe/confirm', headers: { cookie } })
    assert.match(page.body, /value="\+254712345678"/, 'the number is filled in')
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    const refused = await submit('/status/subscribe/confirm?lang=sw', '/status/subscribe/confirm', [['phone', '+254712345678'], ['code', wrong]], cookie)
    assert.equal(refused.statusCode, 400)
    assert.match(refused.body, /href="#code">Nambari si sahihi au muda wake umeisha/)
    assert.equal((await subscription('+254712345678'))?.attempts, 1)
    assert.equal((await subscription('+254712345678'))?.confirmed_at, null)

    const confirmed = await submit('/status/subscribe/confirm', '/status/subscribe/confirm', [['phone', '0712345678'], ['code', code]], cookie)
    assert.equal(confirmed.headers.location, '/status/subscribe/done')
    assert.ok((await subscription('+254712345678'))?.confirmed_at)

    // A component the subscriber did not choose sends them nothing; theirs does.
    const other = await openIncident('portal', 'Slow pages')
    await fannedOut(other)
    await openIncident('sms', 'Text messages are delayed for some networks across the country this morning')
    await until(async () => texts.filter((x) => x.to === '+254712345678').length === 2)
    const sms = texts.filter((x) => x.to === '+254712345678')[1]!.message
    assert.ok(sms.length <= 160, `${sms.length}: ${sms}`)
    assert.match(sms, /^Text messages are delayed .*\.\.\.: Tunachunguza\. /, 'the title gives way, in Kiswahili')
    assert.match(sms, /http:\/\/portal\.test\/status /)
    assert.match(sms, /Kusitisha: http:\/\/portal\.test\/status\/unsubscribe\/[\w-]{24}$/)
  })

  it('runs a fan-out twice and still sends each subscriber one message', async () => {
    await subscribe({ channel: 'email', email: 'twice@example.com', language: 'en' })
    const link = /(\/status\/subscribe\/confirm\/[\w-]+)/.exec((await mailTo('twice@example.com', 1)).body)![1]!
    await submit(link, link, [])
    const incident = await openIncident('email', 'Email is slow')
    const update = await fannedOut(incident)
    const fanOut = subscriptions.jobDefinitions({ email: { send: async () => 'x' }, sms: { send: async () => 'x' } }).find((d) => d.name === FAN_OUT_JOB)!
    await fanOut.handle({ kind: 'update', id: update }, { id: 'retry', attempt: 2 })
    await mailTo('twice@example.com', 2)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    assert.equal(mails.filter((m) => m.to === 'twice@example.com').length, 2, 'the confirmation and one update')
    const keys = await t.database.db.selectFrom('notifications').select('idempotency_key').where('recipient', '=', 'twice@example.com').where('template', '=', 'status-incident-email').execute()
    assert.deepEqual(keys.map((k) => k.idempotency_key), [`status-sub:update:${update}:${(await subscription('twice@example.com'))!.id}`])
  })
})
