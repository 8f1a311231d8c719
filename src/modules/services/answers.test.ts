import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NotFound } from '../../platform/http/errors.js'
import { loadMessages } from '../../platform/i18n/i18n.js'
import { labelErrors, nextUnansweredPage, pageAfter, validateApplication, validatePage, visiblePages } from './answers.js'
import { loadCatalogue } from './catalogue.js'
import type { ServiceDefinition } from './definition.js'
import { TamperedForm } from './errors.js'
import { ERROR_KEYS } from './field-rules.js'
import { sampleAnswers } from './sample-answers.js'

const catalogue = await loadCatalogue()
const TODAY = '2025-06-15'
const options = { today: TODAY }
const service = (slug: string): ServiceDefinition => {
  const definition = catalogue.latest(slug)
  assert.ok(definition, slug)
  return definition
}
const passport = service('ordinary-passport')
const business = service('business-name-registration')

const personal = {
  surname: '  Wanjiku ',
  givenNames: 'Amina  Njeri',
  'dateOfBirth-day': '7',
  'dateOfBirth-month': '3',
  'dateOfBirth-year': '1990',
  sex: 'female',
  countyOfBirth: "Murang'a",
  occupation: '',
  email: 'Amina.Wanjiku@Example.COM',
  phone: '0712 345 678',
}

describe('a page of answers', () => {
  it('is normalised: phone to E.164, date parts to YYYY-MM-DD, text trimmed, email domain in lower case', () => {
    const { answers, errors } = validatePage(passport, 'personal-details', { ...personal, _csrf: 'token', idempotencyKey: 'key' }, {}, options)
    assert.deepEqual(errors, {})
    assert.deepEqual(answers, {
      surname: 'Wanjiku',
      givenNames: 'Amina Njeri',
      dateOfBirth: '1990-03-07',
      sex: 'female',
      countyOfBirth: "Murang'a",
      email: 'Amina.Wanjiku@example.com',
      phone: '+254712345678',
    })
  })

  it('normalises national ID numbers and KRA PINs as people type them', () => {
    const soFar = { hasPartner: 'yes' }
    const { answers, errors } = validatePage(business, 'partner', { partnerName: 'Grace Chebet', partnerIdNumber: ' 4567 8901 ', partnerKraPin: 'a012-345678 z' }, soFar, options)
    assert.deepEqual(errors, {})
    assert.equal(answers.partnerIdNumber, '45678901')
    assert.equal(answers.partnerKraPin, 'A012345678Z')
  })

  it('gives each wrong answer a locale key and keeps the right ones', () => {
    const { answers, errors } = validatePage(
      passport,
      'personal-details',
      { ...personal, surname: 'W4njiku', 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', phone: '0812 345 678', email: 'amina@', sex: '' },
      {},
      options,
    )
    assert.deepEqual(errors, {
      surname: { key: 'services.errors.pattern', params: undefined },
      dateOfBirth: { key: 'services.errors.date', params: undefined },
      sex: { key: 'services.errors.choose', params: undefined },
      email: { key: 'services.errors.email', params: undefined },
      phone: { key: 'services.errors.phone', params: undefined },
    })
    assert.equal(answers.givenNames, 'Amina Njeri')
    assert.equal(answers.surname, undefined)
  })

  it('checks dates against their bounds, relative to today', () => {
    const future = { ...personal, 'dateOfBirth-day': '16', 'dateOfBirth-month': '6', 'dateOfBirth-year': '2025' }
    assert.deepEqual(validatePage(passport, 'personal-details', future, {}, options).errors.dateOfBirth, {
      key: 'services.errors.dateTooLate',
      params: { date: '15/06/2025' },
    })
    const partial = { ...personal, 'dateOfBirth-month': '' }
    assert.equal(validatePage(passport, 'personal-details', partial, {}, options).errors.dateOfBirth?.key, 'services.errors.dateIncomplete')
    const typed = { ...personal, 'dateOfBirth-day': undefined, 'dateOfBirth-month': undefined, 'dateOfBirth-year': undefined, dateOfBirth: '7/3/1990' }
    for (const part of ['day', 'month', 'year']) delete typed[`dateOfBirth-${part}` as keyof typeof typed]
    assert.equal(validatePage(passport, 'personal-details', typed, {}, options).answers.dateOfBirth, '1990-03-07')
  })

  it('checks a KRA PIN is an individual one where the question asks for it', () => {
    const { errors } = validatePage(business, 'partner', { partnerName: 'Grace', partnerIdNumber: '45678901', partnerKraPin: 'P051234567X' }, { hasPartner: 'yes' }, options)
    assert.equal(errors.partnerKraPin?.key, 'services.errors.kraPinIndividual')
  })

  it('checks the declared type and size of an upload', () => {
    const upload = (file: object) => validatePage(passport, 'documents', { idCopy: file, birthCertificate: { name: 'b.pdf', type: 'application/pdf', size: 2000 } }, {}, options)
    assert.deepEqual(upload({ name: 'id.pdf', type: 'application/pdf', size: 4000 }).errors, {})
    assert.deepEqual(upload({ name: 'id.docx', type: 'application/msword', size: 4000 }).errors.idCopy, { key: 'services.errors.fileType', params: { types: 'PDF, JPEG, PNG' } })
    assert.deepEqual(upload({ name: 'id.jpg', type: 'image/jpeg', size: 6 * 1024 * 1024 }).errors.idCopy, { key: 'services.errors.fileTooLarge', params: { max: '5 MB' } })
    assert.equal(upload({ name: 'id.png', type: 'image/png', size: 0 }).errors.idCopy?.key, 'services.errors.fileEmpty')
  })

  it('drops the answers of questions that an earlier change hides', () => {
    const soFar = { applicationType: 'renewal', pages: '34', previousPassportNumber: 'A1234567', previousIssueDate: '2015-01-01' }
    assert.ok(visiblePages(passport, soFar).some((page) => page.id === 'previous-passport'))
    const { answers } = validatePage(passport, 'application-type', { applicationType: 'first' }, soFar, options)
    assert.deepEqual(answers, { applicationType: 'first', pages: '34' })
    assert.ok(!visiblePages(passport, answers).some((page) => page.id === 'previous-passport'))
  })

  it('says which page comes next', () => {
    assert.equal(pageAfter(passport, 'booklet', { applicationType: 'first' })?.id, 'personal-details')
    assert.equal(pageAfter(passport, 'booklet', { applicationType: 'renewal' })?.id, 'personal-details')
    assert.equal(pageAfter(passport, 'personal-details', { applicationType: 'renewal' })?.id, 'previous-passport')
    assert.equal(nextUnansweredPage(passport, { applicationType: 'first', pages: '50' })?.id, 'personal-details')
  })

  it('puts the question in the message, in the person\'s language', () => {
    const { errors } = validatePage(passport, 'personal-details', { ...personal, sex: '' }, {}, options)
    assert.deepEqual(labelErrors(passport, errors, 'sw'), { sex: { key: 'services.errors.choose', params: { label: 'Jinsia' } } })
  })
})

describe('a tampered form', () => {
  const soFar = Object.freeze({ applicationType: 'first', pages: '34' })
  const cases: [string, string, Record<string, unknown>][] = [
    ['an unknown field', 'personal-details', { ...personal, isAdmin: 'true' }],
    ['a field of another page', 'personal-details', { ...personal, passportOffice: 'nairobi' }],
    ['an answer to a hidden question', 'previous-passport', { previousPassportNumber: 'A1234567' }],
    ['a radio value not offered', 'personal-details', { ...personal, sex: 'other' }],
    ['a select value not offered', 'collection', { passportOffice: 'london' }],
    ['a county that does not exist', 'personal-details', { ...personal, countyOfBirth: 'Atlantis' }],
    ['two values for one answer', 'personal-details', { ...personal, surname: ['Wanjiku', 'Otieno'] }],
    ['a date sent whole and in parts', 'personal-details', { ...personal, dateOfBirth: '1990-03-07' }],
    ['a file whose name and type disagree', 'documents', { idCopy: { name: 'id.png', type: 'application/pdf', size: 10 } }],
    ['a file with extra details', 'documents', { idCopy: { name: 'id.pdf', type: 'application/pdf', size: 10, path: '/etc/passwd' } }],
  ]
  for (const [name, page, submitted] of cases) {
    it(`is refused whole: ${name}`, () => {
      assert.throws(() => validatePage(passport, page, submitted, soFar, options), TamperedForm)
    })
  }

  it('is refused for checkboxes ticked twice or not offered', () => {
    const renewal = service('driving-licence-renewal')
    assert.throws(() => validatePage(renewal, 'licence', { classes: ['B', 'B'], expiryDate: '2025-07-01' }, {}, options), TamperedForm)
    assert.throws(() => validatePage(renewal, 'licence', { classes: ['B', 'Z'], expiryDate: '2025-07-01' }, {}, options), TamperedForm)
    assert.deepEqual(validatePage(renewal, 'licence', { classes: ['D', 'B'], expiryDate: '2025-07-01' }, {}, options).answers.classes, ['B', 'D'])
  })

  it('is refused when the page itself is not shown, and a page that does not exist is not found', () => {
    assert.throws(() => validatePage(passport, 'previous-passport', {}, soFar, options), TamperedForm)
    assert.throws(() => validatePage(passport, 'no-such-page', {}, soFar, options), NotFound)
  })
})

describe('a whole application', () => {
  for (const definition of catalogue.list()) {
    it(`${definition.slug}: every generated complete application is accepted as it is`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const answers = sampleAnswers(definition, { seed, today: TODAY, allOptional: seed % 3 === 0 })
        const result = validateApplication(definition, answers, options)
        assert.deepEqual(result.errors, {}, `seed ${seed}: ${JSON.stringify(answers)}`)
        assert.deepEqual(result.answers, answers, `seed ${seed}: normalising a valid application changes nothing`)
        assert.equal(nextUnansweredPage(definition, answers), undefined)
      }
    })
  }

  it('lists each missing answer with its page', () => {
    const answers = sampleAnswers(passport, { seed: 3, today: TODAY })
    delete answers.motherName
    const result = validateApplication(passport, answers, options)
    assert.deepEqual(result.errors, { motherName: { key: 'services.errors.required', params: undefined } })
    assert.deepEqual(result.pageOf, { motherName: 'parents' })
  })

  it('is refused with an answer to a hidden question or to no question', () => {
    const answers = sampleAnswers(passport, { seed: 3, today: TODAY })
    answers.applicationType = 'first'
    assert.throws(() => validateApplication(passport, { ...answers, previousPassportNumber: 'A1234567' }, options), TamperedForm)
    assert.throws(() => validateApplication(passport, { ...answers, fee: 0 }, options), TamperedForm)
    assert.throws(() => validateApplication(passport, JSON.parse(`{"__proto__": {"x": 1}, "pages": "34"}`), options), TamperedForm)
  })
})

describe('error messages', () => {
  it('exist in English and Kiswahili for every key the rules give', () => {
    const messages = loadMessages()
    const keys = ERROR_KEYS.map((key) => `services.errors.${key}`)
    for (const key of keys) {
      assert.ok(messages.en[key], `${key} in English`)
      assert.ok(messages.sw[key], `${key} in Kiswahili`)
      assert.match(messages.en[key] ?? '', /\{label\}/)
    }
  })
})
