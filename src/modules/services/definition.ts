import { KENYA_COUNTIES } from '../registry/counties.js'

/**
 * The shape of a service definition (`services/<agency>/<slug>.yaml`), as checked by
 * `definition-schema.json` and the semantic checks. docs/SERVICE-DEFINITIONS.md explains every field.
 * A definition is data reviewed like code: the engine renders, validates, charges and routes from it.
 */

export const LANGUAGES = ['en', 'sw'] as const
export type Language = (typeof LANGUAGES)[number]

/** Every string a person reads, in English and Kiswahili. */
export interface Text {
  en: string
  sw: string
}

export const ACCOUNT_KINDS = ['citizen', 'resident', 'visitor'] as const
export type ApplicantKind = (typeof ACCOUNT_KINDS)[number]

export const APPLY_FOR = ['self', 'dependant', 'business'] as const
export type ApplyFor = (typeof APPLY_FOR)[number]

export const STAFF_ROLES = ['agency_officer', 'agency_supervisor', 'agency_admin'] as const
/** Who may take a workflow transition: a staff role, the applicant, or the platform itself (e.g. a payment). */
export type Actor = (typeof STAFF_ROLES)[number] | 'applicant' | 'system'

export const CURRENCIES = ['KES', 'USD'] as const
export type Currency = (typeof CURRENCIES)[number]

export const FILE_KINDS = ['pdf', 'jpeg', 'png'] as const
export type FileKind = (typeof FILE_KINDS)[number]

/** Shows a page or question only when an answer on an earlier page matches. Exactly one test is set. */
export interface Condition {
  question: string
  equals?: string
  in?: string[]
  notIn?: string[]
  /** For checkboxes: the option is among those ticked. */
  includes?: string
}

export interface Option {
  value: string
  label: Text
  hint?: Text
}

interface QuestionBase {
  /** camelCase; the answer's key and the form field's name. Unique in the definition. */
  id: string
  label: Text
  hint?: Text
  /** Default true. */
  required?: boolean
  when?: Condition
}

export interface TextQuestion extends QuestionBase {
  type: 'text'
  multiline?: boolean
  minLength?: number
  /** Default 200 (2,000 when multiline). */
  maxLength?: number
  /** Matched against the whole answer (anchored), with the `u` flag. */
  pattern?: string
  /** A valid answer; required with `pattern`, and checked against it. */
  example?: string
}

export interface NumberQuestion extends QuestionBase {
  type: 'number'
  min?: number
  max?: number
  /** Default true. */
  integer?: boolean
}

/** `today`, `today+6m`, `today-120y`, `today+90d`, or a date `YYYY-MM-DD`. */
export type DateBound = string

export interface DateQuestion extends QuestionBase {
  type: 'date'
  min?: DateBound
  max?: DateBound
}

export interface ChoiceQuestion extends QuestionBase {
  type: 'select' | 'radio'
  options: Option[]
}

export interface CheckboxesQuestion extends QuestionBase {
  type: 'checkboxes'
  options: Option[]
  minSelected?: number
  maxSelected?: number
}

export interface SimpleQuestion extends QuestionBase {
  type: 'yesno' | 'national-id' | 'phone' | 'email' | 'county' | 'address'
}

export interface KraPinQuestion extends QuestionBase {
  type: 'kra-pin'
  /** `individual` PINs start with A, `entity` PINs with P; unset accepts both. */
  holder?: 'individual' | 'entity'
}

export interface FileQuestion extends QuestionBase {
  type: 'file'
  accept: FileKind[]
  /** Default 5. */
  maxMegabytes?: number
}

export type Question =
  | TextQuestion
  | NumberQuestion
  | DateQuestion
  | ChoiceQuestion
  | CheckboxesQuestion
  | SimpleQuestion
  | KraPinQuestion
  | FileQuestion

export type QuestionType = Question['type']

export const QUESTION_TYPES: readonly QuestionType[] = [
  'text', 'number', 'date', 'select', 'radio', 'checkboxes', 'yesno', 'national-id', 'phone', 'email', 'kra-pin', 'county', 'address', 'file',
]

export interface Page {
  /** kebab-case; part of the page's address. */
  id: string
  title: Text
  description?: Text
  when?: Condition
  questions: Question[]
}

export interface RequiredDocument {
  id: string
  name: Text
  description?: Text
  /** `upload`: through the file question named by `question`; `bring`: to the appointment or office. */
  provide: 'upload' | 'bring'
  question?: string
  when?: Condition
}

export interface FeeItem {
  id: string
  label: Text
  currency: Currency
  /** Whole shillings or dollars, as gazetted; the engine works in cents. Set this or `byAnswer`. */
  amount?: number
  byAnswer?: { question: string; amounts: Record<string, number> }
  when?: Condition
}

export interface Fees {
  /** `before-submission`: the application is submitted once paid. `after-approval`: an invoice follows approval. */
  payment: 'before-submission' | 'after-approval'
  items: FeeItem[]
}

export interface Stage {
  id: string
  name: Text
  description?: Text
  start?: boolean
  /** Set on final stages: what the application's outcome is when it reaches this stage. */
  end?: 'issued' | 'rejected' | 'withdrawn'
  /** Working days the agency has to move the application on; unset when the clock is the applicant's. */
  slaWorkingDays?: number
  /** The applicant books an appointment (biometrics, fingerprints, collection) at this stage. */
  appointment?: { purpose: Text }
}

export interface Transition {
  from: string
  to: string
  by: Actor[]
  label: Text
  /** The actor must write a reason, shown to the applicant. */
  reasonRequired?: boolean
  /** Four eyes: the staff member who moved the application into `from` may not take this one. */
  fourEyes?: boolean
}

export interface Workflow {
  stages: Stage[]
  transitions: Transition[]
}

export interface Period {
  days?: number
  months?: number
  years?: number
}

export const DOCUMENT_KINDS = ['passport', 'certificate', 'licence', 'permit', 'authorisation', 'reservation', 'letter', 'card'] as const

export interface DocumentField {
  id: string
  label: Text
  /** `answer.<question>`, `subject.<…>`, `business.<…>`, `application.<…>` or `officer`; see the docs. */
  from: string
}

export interface IssuedDocument {
  kind: (typeof DOCUMENT_KINDS)[number]
  title: Text
  validity?: Period
  validityByAnswer?: { question: string; periods: Record<string, Period> }
  fields: DocumentField[]
}

/** A question people ask about the service and its answer; answers are paragraphs split by a blank line. */
export interface FaqEntry {
  question: Text
  answer: Text
}

export interface ServiceDefinition {
  agency: string
  slug: string
  version: number
  name: Text
  summary: Text
  help: Text
  applicants: { accountKinds: ApplicantKind[]; for: ApplyFor[] }
  pages: Page[]
  requiredDocuments: RequiredDocument[]
  fees: Fees
  workflow: Workflow
  issuedDocument: IssuedDocument
  faq?: FaqEntry[]
}

/** Where a document field's value comes from, besides `answer.<question>`. */
export const DOCUMENT_SOURCES = [
  'subject.fullName',
  'subject.idNumber',
  'subject.dateOfBirth',
  'subject.nationality',
  'subject.passportNumber',
  'business.name',
  'business.registrationNumber',
  'applicant.fullName',
  'application.reference',
  'application.submittedAt',
  'officer',
] as const

/** Question types whose answer is one of a known list: the only ones a condition or fee may test. */
export const CHOICE_TYPES: readonly QuestionType[] = ['select', 'radio', 'yesno', 'county', 'checkboxes']

export function allQuestions(definition: ServiceDefinition): { page: Page; question: Question; pageIndex: number; index: number }[] {
  return definition.pages.flatMap((page, pageIndex) => page.questions.map((question, index) => ({ page, question, pageIndex, index })))
}

export function findQuestion(definition: ServiceDefinition, id: string): Question | undefined {
  for (const page of definition.pages) {
    const found = page.questions.find((question) => question.id === id)
    if (found) return found
  }
  return undefined
}

/** The values a choice question can take; undefined for free-answer types. */
export function choiceValues(question: Question): readonly string[] | undefined {
  switch (question.type) {
    case 'select':
    case 'radio':
    case 'checkboxes':
      return question.options.map((option) => option.value)
    case 'yesno':
      return YES_NO
    case 'county':
      return KENYA_COUNTIES
    default:
      return undefined
  }
}

export const YES_NO = ['yes', 'no'] as const
