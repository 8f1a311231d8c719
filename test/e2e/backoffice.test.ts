import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { serverErrors, type TestApp } from '../helpers/app.js'
import { browserMissing, expectAccessible, startJourney, type Journey } from '../helpers/browser.js'
import { applyForGoodConduct, signInDemoCitizen, signInDemoStaff } from '../helpers/good-conduct.js'

const skip = browserMissing()

/**
 * The "done when": a DCI officer claims a submitted, paid certificate-of-good-conduct
 * application and records the fingerprints; a supervisor approves and issues it; the applicant
 * downloads the certificate; its QR page says valid; the agency admin revokes it and the page says
 * revoked; a tampered credential is rejected.
 */
describe('an application through the DCI back-office to a certificate anyone can check, in a browser', { skip }, () => {
  let journey: Journey
  let t: TestApp
  let browser: Browser
  let base: string
  let citizen: BrowserContext
  let page: Page
  let reference: string
  let applicationId: string
  let documentNumber: string
  const staff: BrowserContext[] = []

  before(async () => {
    journey = await startJourney()
    ;({ t, base, browser } = journey)
    citizen = await browser.newContext({ acceptDownloads: true })
    citizen.setDefaultTimeout(10_000)
    page = await signInDemoCitizen(citizen, base, t.database.db)
    ;({ applicationId, reference } = await applyForGoodConduct(page, base))
    // Paid at the paybill: the application is submitted to DCI.
    const invoice = await t.database.db.selectFrom('invoices').selectAll().where('application_id', '=', applicationId).executeTakeFirstOrThrow()
    await t.app.modules.mpesa.client!.c2bRegisterUrls()
    const paid = await t.app.modules.mpesa.control!.payBill({ phone: '254712345678', billReference: invoice.bill_reference, amount: Number(invoice.total_cents) / 100 })
    assert.equal(paid.accepted, true)
  })
  after(async () => {
    for (const context of staff) await context.close()
    await citizen?.close()
    await journey?.close()
  })

  async function openCase(staffPage: Page): Promise<void> {
    await staffPage.goto(`${base}/backoffice`)
    await expectAccessible(staffPage)
    await staffPage.getByRole('link', { name: reference }).click()
    await staffPage.waitForURL(new RegExp(`/backoffice/applications/${reference}$`))
  }

  it('the officer claims the application and records the fingerprints', async () => {
    const { context, page: officer } = await signInDemoStaff(browser, base, 'officer.dci@demo.ecitizen.example')
    staff.push(context)
    await openCase(officer)
    await expectAccessible(officer)
    const main = await officer.locator('main').innerText()
    assert.match(main, /Kamau/, 'the answers as given')
    await officer.getByRole('button', { name: 'Take this application' }).click()
    await officer.waitForURL(new RegExp(`/backoffice/applications/${reference}`))
    assert.match(await officer.locator('main').innerText(), /This application is yours now\./)

    await officer.getByRole('button', { name: 'Invite for fingerprints' }).click()
    await officer.waitForURL(new RegExp(`/backoffice/applications/${reference}`))
    await officer.getByRole('button', { name: 'Fingerprints taken' }).click()
    await officer.waitForURL(new RegExp(`/backoffice/applications/${reference}`))
    await expectAccessible(officer)
    const stage = await t.database.db.selectFrom('applications').select(['stage']).where('id', '=', applicationId).executeTakeFirstOrThrow()
    assert.equal(stage.stage, 'vetting')
  })

  it('the supervisor approves and issues the certificate, which the applicant downloads', async () => {
    const { context, page: supervisor } = await signInDemoStaff(browser, base, 'supervisor.dci@demo.ecitizen.example')
    staff.push(context)
    await openCase(supervisor)
    await supervisor.getByLabel('Certificate number').fill('PCC-2026-000123')
    await supervisor.getByLabel('Criminal record').fill('No criminal record')
    await supervisor.getByRole('button', { name: 'Issue the certificate' }).click()
    await supervisor.waitForURL(new RegExp(`/backoffice/applications/${reference}`))
    await expectAccessible(supervisor)

    await page.goto(`${base}/applications/${applicationId}`)
    const link = page.locator('a[href$="/document"]')
    assert.equal(await link.count(), 1, 'one document to download')
    documentNumber = /([A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(await link.innerText())![1]!
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    const pdf = await fs.readFile(await download.path())
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-')
    assert.match(await page.locator('main').innerText(), /Who has accessed this application/)
    await expectAccessible(page)
  })

  it('the QR code’s page says valid, and a tampered credential is rejected', async () => {
    const { credential } = await t.database.db.selectFrom('issued_documents').select('credential').where('number', '=', documentNumber).executeTakeFirstOrThrow()
    const verifier = await citizen.newPage()
    await verifier.goto(`${base}/verify/${documentNumber}?c=${credential}`)
    assert.equal(await verifier.locator('.govuk-panel__title').innerText(), 'This document is valid')
    assert.match(await verifier.locator('main').innerText(), /The credential in the QR code is genuine/)
    const main = await verifier.locator('main').innerText()
    assert.doesNotMatch(main, /12345678/, 'no ID number for the verifier')
    await expectAccessible(verifier)

    // The payload altered (the holder's name, say), the signature kept.
    const [header, payload, signature] = credential.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, holder: 'Someone Else' })).toString('base64url')}.${signature}`
    await verifier.goto(`${base}/verify/${documentNumber}?c=${forged}`)
    assert.match(await verifier.locator('main').innerText(), /The signature does not match: the credential in the QR code was altered or forged\./)
    await verifier.close()
  })

  it('the agency admin revokes it, and the page says revoked', async () => {
    const { context, page: admin } = await signInDemoStaff(browser, base, 'admin.dci@demo.ecitizen.example')
    staff.push(context)
    await admin.goto(`${base}/backoffice/documents/${documentNumber}/revoke`)
    await expectAccessible(admin)
    await admin.getByRole('button', { name: 'Revoke document' }).click()
    assert.match(await admin.locator('.govuk-error-summary').innerText(), /Select why the document is revoked/)
    await admin.locator('input[name="reason"]').first().check()
    await admin.getByLabel('Explain the revocation to the holder').fill('Issued on a record that has since changed.')
    await admin.getByRole('button', { name: 'Revoke document' }).click()
    await admin.waitForURL(/done=/)
    assert.match(await admin.locator('.govuk-notification-banner').innerText(), /The document was revoked/)

    const verifier = await citizen.newPage()
    await verifier.goto(`${base}/verify/${documentNumber}`)
    assert.equal(await verifier.locator('h1').innerText(), 'This document has been revoked')
    await expectAccessible(verifier)
    await verifier.close()
    assert.deepEqual(serverErrors(t.logs), [])
  })
})
