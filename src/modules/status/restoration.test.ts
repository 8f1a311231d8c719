import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { Browser, createAccount, signedInCookie } from '../../../test/helpers/accounts.js'
import { insertApplication } from '../applications/store.js'
import type { MpesaGateway } from '../payments/daraja/module.js'
import { awaitingPayment, paymentsTestApp, type PaymentsTestApp } from '../payments/test-support.js'
import { linkParts } from '../notifications/message-links.js'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import { RESTORATION_JOB, sendRestorationNotices } from './restoration.js'
import type { Actor } from './service.js'

const translator = new Translator(loadMessages())
const bilingual = (en: string, sw: string) => ({ messageEn: en, messageSw: sw })

describe('restoration notices', () => {
  let t: PaymentsTestApp
  let gateway: MpesaGateway
  let admin: Actor

  before(async () => {
    t = await paymentsTestApp()
    gateway = t.app.modules.mpesa
    admin = { accountId: (await createAccount(t.database.db, { role: 'platform_admin', secondFactor: 'totp' })).id, role: 'platform_admin' }
  })
  after(() => t.close())

  const deps = () => ({ db: t.database.db, jobs: t.jobs, translator, publicUrl: t.config.publicUrl, log: t.app.log })

  async function signedIn(accountId: string): Promise<Browser> {
    const browser = new Browser(t.app)
    const [name, value] = (await signedInCookie(t.database.db, accountId)).split('=') as [string, string]
    browser.cookies.set(name, value)
    return browser
  }

  async function openIncident(components: string[]): Promise<string> {
    return t.app.modules.status.service.openIncident(
      { components, impact: 'major-outage', titleEn: 'M-Pesa payments failing', titleSw: 'Malipo ya M-Pesa yanashindwa', ...bilingual('We are looking into it.', 'Tunachunguza.') },
      admin,
      {},
    )
  }

  const resolve = (id: string) =>
    t.app.modules.status.service.postUpdate(id, { status: 'resolved', ...bilingual('Payments work again. We apologise for the inconvenience.', 'Malipo yanafanya kazi tena. Tunaomba radhi kwa usumbufu.') }, admin, {})

  async function inboxOf(accountId: string) {
    return t.database.db.selectFrom('inbox_messages').selectAll().where('account_id', '=', accountId).where('template', '=', 'service-restored').execute()
  }

  it('tells each person whose payment the incident interrupted, once, with the link to continue', async () => {
    // Before the incident: a failed prompt that is not the incident's doing.
    const earlier = await awaitingPayment(t)
    await t.database.db.insertInto('mpesa_prompts').values({ checkout_request_id: randomUUID(), merchant_request_id: randomUUID(), invoice_id: earlier.invoice.id, phone: '254712345678', amount_cents: 100, status: 'failed', created_at: new Date(Date.now() - 3600_000), settled_at: new Date(Date.now() - 3500_000) }).execute()

    const incidentId = await openIncident(['payments-prompt'])
    // One person's prompt could not be sent at all: the page said so and the refusal was written down.
    const refused = await awaitingPayment(t)
    const refusedBrowser = await signedIn(refused.accountId)
    const invoicePage = `/payments/invoices/${refused.invoice.billReference}`
    gateway.control!.breakNext(1, 'error')
    const failed = await refusedBrowser.submit(invoicePage, `${invoicePage}/prompt`, { phone: '0712345678' })
    assert.equal(failed.statusCode, 503)
    // Another's prompt went out and timed out on the phone.
    const timedOut = await awaitingPayment(t)
    const sent = await (await signedIn(timedOut.accountId)).submit(`/payments/invoices/${timedOut.invoice.billReference}`, `/payments/invoices/${timedOut.invoice.billReference}/prompt`, { phone: '0712345678' })
    assert.equal(sent.statusCode, 303)
    const prompt = gateway.control!.pending().find((p) => p.accountReference === timedOut.invoice.billReference)!
    await gateway.control!.resolve(prompt.checkoutRequestId, 'timeout')
    // A third's prompt timed out too, but they paid in the end: nothing is left to continue.
    const paid = await awaitingPayment(t)
    const paidBrowser = await signedIn(paid.accountId)
    const paidPage = `/payments/invoices/${paid.invoice.billReference}`
    for (const outcome of ['timeout', 'approved'] as const) {
      await paidBrowser.submit(paidPage, `${paidPage}/prompt`, { phone: '0712345678' })
      const paidPrompt = gateway.control!.pending().find((p) => p.accountReference === paid.invoice.billReference)!
      await gateway.control!.resolve(paidPrompt.checkoutRequestId, outcome)
    }
    assert.equal((await t.payments.findInvoiceByBillReference(paid.invoice.billReference))?.status, 'paid')

    await resolve(incidentId)
    const queued = await t.database.db.selectFrom(sql`pgboss.job`.as('j')).select(sql<number>`count(*)::int`.as('n')).where(sql.ref('name'), '=', RESTORATION_JOB).executeTakeFirstOrThrow()
    assert.equal(queued.n, 1, 'resolving the incident queues the notices')

    assert.equal(await sendRestorationNotices(deps(), incidentId), 2)
    assert.equal(await sendRestorationNotices(deps(), incidentId), 0, 'a second run tells nobody again')
    for (const [person, bill] of [[refused.accountId, refused.invoice.billReference], [timedOut.accountId, timedOut.invoice.billReference]] as const) {
      const [message, ...more] = await inboxOf(person)
      assert.equal(more.length, 0)
      assert.equal(message!.title_en, 'Service restored: M-Pesa payments failing')
      assert.match(message!.body_en, /We apologise for the inconvenience/)
      assert.match(message!.body_en, new RegExp(`paying bill ${bill}\\n${t.config.publicUrl}/payments/invoices/${bill}\\b`))
      assert.match(message!.body_sw, /Tunaomba radhi/)
    }
    assert.equal((await inboxOf(earlier.accountId)).length, 0, 'a failure before the incident is not its doing')
    assert.equal((await inboxOf(paid.accountId)).length, 0, 'work finished since needs no notice')

    // The message in the portal links to where to continue; the email went out too.
    const [message] = await inboxOf(refused.accountId)
    const shown = await refusedBrowser.get(`/account/messages/${message!.id}`)
    assert.match(shown.body, new RegExp(`<a class="govuk-link" href="${invoicePage}">`))
    const outbox = await t.database.db.selectFrom('notifications').select(['channel', 'idempotency_key']).where('idempotency_key', 'like', `restoration:${incidentId}:${refused.accountId}%`).execute()
    assert.deepEqual(outbox.map((n) => n.channel).sort(), ['email', 'sms'])
  })

  it('an agency incident reaches drafts saved for that agency during it, not another agency\'s', async () => {
    const incidentId = await openIncident(['agency-dis'])
    const draftFor = async (agency: string) => {
      const account = await createAccount(t.database.db)
      const application = await insertApplication(t.database.db, {
        reference: `${agency}-${randomUUID().slice(0, 8)}`,
        account_id: account.id,
        party_kind: 'self',
        party_id: null,
        party_name: 'Achieng Otieno',
        service_slug: 'paid-service',
        agency_code: agency,
        definition_version: 1,
        answers: JSON.stringify({}),
        current_page: null,
        status: 'draft',
        declaration_accepted_at: null,
      })
      return { account, application }
    }
    const dis = await draftFor('DIS')
    const dci = await draftFor('DCI')
    await resolve(incidentId)
    assert.equal(await sendRestorationNotices(deps(), incidentId), 1)
    const [message] = await inboxOf(dis.account.id)
    assert.match(message!.body_en, new RegExp(`your application ${dis.application.reference}\\n${t.config.publicUrl}/applications/${dis.application.id}`))
    assert.equal((await inboxOf(dci.account.id)).length, 0)
  })

  it('an unresolved incident sends nothing', async () => {
    const incidentId = await openIncident(['portal'])
    await awaitingPayment(t)
    assert.equal(await sendRestorationNotices(deps(), incidentId), 0)
  })
})

describe('links in a message', () => {
  it('turns only the portal\'s own addresses into links, as paths', () => {
    assert.deepEqual(linkParts('Pay here: https://portal.example/payments/invoices/X1. Or https://evil.example/x', 'https://portal.example'), [
      { text: 'Pay here: ' },
      { text: 'https://portal.example/payments/invoices/X1', href: '/payments/invoices/X1' },
      { text: '. Or https://evil.example/x' },
    ])
    assert.deepEqual(linkParts('No links at all.', 'https://portal.example/'), [{ text: 'No links at all.' }])
  })
})
