/**
 * Tests only: a small service in two versions. Version 1 asks one question (and a note for kind b);
 * version 2 replaces kind b with c and adds a page. Paid after approval, so a submission enters the workflow.
 */
const common = (version: number, pages: string) => `agency: DIS
slug: sample-service
version: ${version}
name: { en: Sample service, sw: Huduma ya mfano }
summary: { en: A service for tests, sw: Huduma ya majaribio }
help: { en: Help for the sample, sw: Msaada wa mfano }
applicants:
  accountKinds: [citizen]
  for: [self, dependant]
pages:
${pages}
requiredDocuments: []
fees:
  payment: after-approval
  items:
    - { id: fee, label: { en: Fee, sw: Ada }, currency: KES, amount: 100 }
workflow:
  stages:
    - { id: submitted, name: { en: Submitted, sw: Imewasilishwa }, start: true, slaWorkingDays: 3 }
    - { id: returned, name: { en: Returned for correction, sw: Imerudishwa }, description: { en: Correct the note, sw: Rekebisha dokezo } }
    - { id: done, name: { en: Done, sw: Imekamilika }, end: issued }
    - { id: withdrawn, name: { en: Withdrawn, sw: Imeondolewa }, end: withdrawn }
  transitions:
    - { from: submitted, to: done, by: [agency_officer], label: { en: Finish, sw: Maliza } }
    - { from: submitted, to: returned, by: [agency_officer], reasonRequired: true, label: { en: Return, sw: Rudisha } }
    - { from: returned, to: submitted, by: [applicant], label: { en: Send it back, sw: Yarudishe } }
    - { from: submitted, to: withdrawn, by: [applicant], label: { en: Withdraw, sw: Ondoa } }
issuedDocument:
  kind: letter
  title: { en: Letter, sw: Barua }
  fields:
    - { id: holder, from: subject.fullName, label: { en: Holder, sw: Mwenye } }
`

export const SAMPLE_V1 = common(
  1,
  `  - id: first
    title: { en: First, sw: Kwanza }
    questions:
      - id: kind
        type: radio
        label: { en: Kind, sw: Aina }
        options:
          - { value: a, label: { en: Kind A, sw: Aina A } }
          - { value: b, label: { en: Kind B, sw: Aina B } }
      - id: born
        type: date
        required: false
        label: { en: Date of birth, sw: Tarehe ya kuzaliwa }
        max: today
  - id: second
    title: { en: Second, sw: Pili }
    when: { question: kind, equals: b }
    questions:
      - id: note
        type: text
        label: { en: Note, sw: Dokezo }
        maxLength: 20`,
)

export const SAMPLE_V2 = common(
  2,
  `  - id: first
    title: { en: First, sw: Kwanza }
    questions:
      - id: kind
        type: radio
        label: { en: Kind, sw: Aina }
        options:
          - { value: a, label: { en: Kind A, sw: Aina A } }
          - { value: c, label: { en: Kind C, sw: Aina C } }
  - id: third
    title: { en: Third, sw: Tatu }
    questions:
      - id: extra
        type: text
        label: { en: Extra, sw: Ziada }`,
)
