import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after } from 'node:test'
import { SERVICES_DIR } from '../../src/modules/services/load-definitions.js'

/** A small valid definition: two pages (the second shown for one answer), a fee by answer, two stages. */
export const SAMPLE_DEFINITION = `agency: DIS
slug: sample-service
version: 2
name: { en: Sample service, sw: Huduma ya mfano }
summary: { en: A service for tests, sw: Huduma ya majaribio }
help: { en: Help for the sample, sw: Msaada wa mfano }
applicants:
  accountKinds: [citizen]
  for: [self]
pages:
  - id: first
    title: { en: First, sw: Kwanza }
    questions:
      - id: kind
        type: radio
        label: { en: Kind, sw: Aina }
        options:
          - { value: a, label: { en: Kind A, sw: Aina A } }
          - { value: b, label: { en: Kind B, sw: Aina B } }
  - id: second
    title: { en: Second, sw: Pili }
    when: { question: kind, equals: b }
    questions:
      - id: note
        type: text
        label: { en: Note, sw: Dokezo }
requiredDocuments: []
fees:
  payment: before-submission
  items:
    - id: fee
      label: { en: Fee, sw: Ada }
      currency: KES
      byAnswer: { question: kind, amounts: { a: 100, b: 200 } }
workflow:
  stages:
    - { id: submitted, name: { en: Submitted, sw: Imewasilishwa }, start: true, slaWorkingDays: 1 }
    - { id: done, name: { en: Done, sw: Imekamilika }, end: issued }
  transitions:
    - { from: submitted, to: done, by: [agency_officer], label: { en: Finish, sw: Maliza } }
issuedDocument:
  kind: letter
  title: { en: Letter, sw: Barua }
  fields:
    - { id: holder, from: subject.fullName, label: { en: Holder, sw: Mwenye } }
`

/**
 * A services folder of its own for a test, removed afterwards: `files` maps paths under it to their
 * text; the platform's convenience fee schedule is copied in unless given or `withFees` is false.
 */
export function servicesFolder(files: Record<string, string>, options: { withFees?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'services-'))
  after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const all = { ...files }
  if (options.withFees !== false) {
    all['_platform/convenience-fee.yaml'] ??= fs.readFileSync(path.join(SERVICES_DIR, '_platform/convenience-fee.yaml'), 'utf8')
  }
  for (const [name, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), text)
  }
  return dir
}

/** The 1-based line of the first occurrence of `marker` in `text`. */
export function lineOf(text: string, marker: string): number {
  const index = text.indexOf(marker)
  if (index < 0) throw new Error(`marker not found: ${marker}`)
  return text.slice(0, index).split('\n').length
}
