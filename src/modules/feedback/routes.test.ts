import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { csrfFrom, testApp, type TestApp } from '../../../test/helpers/app.js'
import { TEST_ENGINE } from '../../../test/helpers/database.js'
import { countFeedback } from './store.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

describe(`report a problem on ${TEST_ENGINE}`, () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
  })
  after(() => t.close())

  const post = (cookie: string, fields: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/feedback', headers: { ...FORM, cookie }, payload: new URLSearchParams(fields).toString() })
  const count = async () => Number((await countFeedback(t.database.db)).count)

  it('shows a form with a CSRF token and an idempotency key', async () => {
    const { html } = await csrfFrom(t.app, '/feedback?page=/services')
    assert.match(html, /name="idempotencyKey" value="[0-9a-f-]{36}"/)
    assert.match(html, /name="page" value="\/services"/)
    assert.match(html, /<label class="govuk-label govuk-label--s" for="whatWrong">/)
  })

  it('saves feedback and redirects to a thank-you page', async () => {
    const { token, cookie, html } = await csrfFrom(t.app, '/feedback')
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(html)?.[1] ?? ''
    const response = await post(cookie, { _csrf: token, idempotencyKey: key, whatWrong: 'The page froze', whatDoing: '' })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/feedback/thanks')
    assert.equal(await count(), 1)
    const thanks = await t.app.inject('/feedback/thanks')
    assert.match(thanks.body, /Thank you for telling us/)
  })

  it('records a form sent twice (a double click, a retry) only once', async () => {
    const { token, cookie, html } = await csrfFrom(t.app, '/feedback')
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(html)?.[1] ?? ''
    const before = await count()
    const fields = { _csrf: token, idempotencyKey: key, whatWrong: 'Twice' }
    const responses = await Promise.all([post(cookie, fields), post(cookie, fields), post(cookie, fields)])
    assert.deepEqual(responses.map((r) => r.statusCode), [303, 303, 303])
    assert.equal(await count(), before + 1)
  })

  it('re-renders with the error at the field, keeping what was typed, in the person’s language', async () => {
    const { token, cookie } = await csrfFrom(t.app, '/feedback')
    const key = '3f1c1f7e-1111-4a4a-8b8b-123456789abc'
    const before = await count()
    const response = await post(`${cookie}; lang=sw`, {
      _csrf: token,
      idempotencyKey: key,
      whatDoing: 'Nilikuwa nikilipa <b>ada</b>',
      whatWrong: '',
    })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /<title>Hitilafu: /)
    assert.match(response.body, /govuk-error-summary/)
    assert.match(response.body, /href="#whatWrong">Andika kilichoharibika/)
    assert.match(response.body, /id="whatWrong-error"/)
    assert.match(response.body, /Nilikuwa nikilipa &lt;b&gt;ada&lt;\/b&gt;<\/textarea>/, 'typed text kept, escaped')
    assert.match(response.body, new RegExp(`name="idempotencyKey" value="${key}"`), 'same key on the retry')
    assert.equal(await count(), before)
  })

  it('refuses over-long answers with the limit in the message', async () => {
    const { token, cookie } = await csrfFrom(t.app, '/feedback')
    const response = await post(cookie, {
      _csrf: token,
      idempotencyKey: '3f1c1f7e-2222-4a4a-8b8b-123456789abc',
      whatWrong: 'x'.repeat(1201),
    })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /Enter 1200 characters or fewer/)
  })

  it('asks for a resend when the form did not come from us', async () => {
    const { token, cookie } = await csrfFrom(t.app, '/feedback')
    const response = await post(cookie, { _csrf: token, idempotencyKey: 'nonsense', whatWrong: 'hello' })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /send it again/)
    assert.match(response.body, /name="idempotencyKey" value="[0-9a-f-]{36}"/, 'a fresh key to resend with')
  })
})
