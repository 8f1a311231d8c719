import { Invalid, type FieldError } from '../../platform/http/errors.js'
import type { Translator } from '../../platform/i18n/i18n.js'
import { countryList } from '../../platform/i18n/countries.js'
import { formatAnswer } from '../applications/answers-view.js'
import type { Application, Executor } from '../applications/store.js'
import { expiryDate, formatDate, todayInKenya, type IsoDate } from '../services/dates.js'
import { findQuestion, LANGUAGES, type IssuedDocument, type Period, type ServiceDefinition, type Text } from '../services/definition.js'
import type { Registries } from '../registry/registries.js'
import type { RegistryPerson } from '../registry/registry.js'
import type { IssuedField } from './tables.js'

/** What a document holds, worked out from the application at issue. */
export interface DocumentContents {
  holderName: string
  fields: IssuedField[]
  validFrom: IsoDate
  validUntil: IsoDate | null
}

export interface ContentsDeps {
  /** The registries, reading through the issuing transaction (the embedded ones query the database). */
  registries: Registries
  translator: Translator
}

const OFFICER_VALUE_MAX = 200
const same = (value: string): Text => ({ en: value, sw: value })

function officerValue(officerFields: Record<string, unknown>, id: string): string {
  const value = Object.hasOwn(officerFields, id) ? officerFields[id] : undefined
  return typeof value === 'string' ? value.trim() : ''
}

/** The period a document is valid for: fixed, chosen by an answer, or none (it does not expire). */
export function validityPeriod(document: IssuedDocument, answers: Record<string, unknown>): Period | undefined {
  if (document.validity) return document.validity
  if (!document.validityByAnswer) return undefined
  const answer = answers[document.validityByAnswer.question]
  return typeof answer === 'string' ? document.validityByAnswer.periods[answer] : undefined
}

function countryName(code: string | null | undefined): Text | null {
  if (!code) return null
  const name = (language: 'en' | 'sw') => countryList(language).find((country) => country.code === code)?.name ?? code
  return { en: name('en'), sw: name('sw') }
}

/**
 * Each field's value, from where the definition says (docs/SERVICE-DEFINITIONS.md, `issuedDocument`):
 * an answer (as the applicant reads it back, in both languages), the subject (the applicant, or the
 * dependant applied for), the business, the applicant, the application, or the officer. The registry is
 * asked only when a field needs what only it knows. Officer fields left blank are Invalid, by field id.
 */
export async function documentContents(
  trx: Executor,
  deps: ContentsDeps,
  application: Application,
  definition: ServiceDefinition,
  officerFields: Record<string, string>,
  today: IsoDate = todayInKenya(),
): Promise<DocumentContents> {
  const document = definition.issuedDocument
  const errors: Record<string, FieldError> = {}
  for (const field of document.fields) {
    if (field.from !== 'officer') continue
    const value = officerValue(officerFields, field.id)
    // Beside the field the officer sees its label; the message says what is wrong with it.
    if (!value) errors[field.id] = { key: 'documents.errors.officerField' }
    else if (value.length > OFFICER_VALUE_MAX) errors[field.id] = { key: 'documents.errors.officerFieldLength', params: { max: OFFICER_VALUE_MAX } }
  }
  if (Object.keys(errors).length) throw new Invalid(errors, 'officer fields missing')

  const account = await trx
    .selectFrom('accounts')
    .select(['kind', 'first_name', 'last_name', 'id_number', 'passport_number', 'nationality'])
    .where('id', '=', application.account_id)
    .executeTakeFirstOrThrow()
  const applicantName = `${account.first_name} ${account.last_name}`
  const dependant = application.party_kind === 'dependant'
  let person: Promise<RegistryPerson | null> | undefined
  /** The subject as the population register has them: the dependant, or the applicant by ID number. */
  const registered = () =>
    (person ??= dependant
      ? deps.registries.population.findByBirthCertificate(application.party_id!)
      : account.id_number && (account.kind === 'citizen' || account.kind === 'resident')
        ? deps.registries.population.findPerson(account.id_number)
        : Promise.resolve(null))
  const subjectName = dependant ? application.party_name : applicantName

  const answers = application.answers
  const answerValue = (questionId: string): Text | null => {
    const question = findQuestion(definition, questionId)
    const value = answers[questionId]
    if (!question || value === undefined || value === null || value === '') return null
    const [en, sw] = LANGUAGES.map((language) => formatAnswer(question, value, language, deps.translator.for(language)))
    return { en: en!, sw: sw! }
  }

  const valueOf = async (from: string, fieldId: string): Promise<Text | null> => {
    if (from.startsWith('answer.')) return answerValue(from.slice('answer.'.length))
    switch (from) {
      case 'officer':
        return same(officerValue(officerFields, fieldId))
      case 'subject.fullName':
        return same(subjectName)
      case 'subject.idNumber': {
        const idNumber = dependant ? (await registered())?.idNumber : account.id_number
        return idNumber ? same(idNumber) : null
      }
      case 'subject.dateOfBirth': {
        const born = (await registered())?.dateOfBirth
        return born ? same(formatDate(born)) : null
      }
      case 'subject.nationality': {
        if (!dependant && account.kind === 'visitor') return countryName(account.nationality)
        if (!dependant && account.kind === 'citizen') return countryName('KE')
        const found = await registered()
        // The register names a nationality for residents only: everyone else in it is Kenyan.
        return found ? countryName(found.nationality ?? 'KE') : null
      }
      case 'subject.passportNumber':
        return !dependant && account.passport_number ? same(account.passport_number) : null
      case 'business.name':
        return application.party_kind === 'business' ? same(application.party_name) : null
      case 'business.registrationNumber':
        return application.party_kind === 'business' ? same(application.party_id!) : null
      case 'applicant.fullName':
        return same(applicantName)
      case 'application.reference':
        return same(application.reference)
      case 'application.submittedAt':
        return application.submitted_at ? same(formatDate(todayInKenya(application.submitted_at))) : null
      default:
        return null
    }
  }

  const fields: IssuedField[] = []
  for (const field of document.fields) fields.push({ id: field.id, label: field.label, value: await valueOf(field.from, field.id) })
  const period = validityPeriod(document, answers)
  return {
    // Whose document it is: the business for a business's application, else the person it is for.
    holderName: application.party_kind === 'business' ? application.party_name : subjectName,
    fields,
    validFrom: today,
    validUntil: period ? expiryDate(today, period) : null,
  }
}
