import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, it } from 'node:test'
import { lineOf, SAMPLE_DEFINITION, servicesFolder } from '../../../test/helpers/service-definitions.js'
import { loadCatalogue, ServiceDefinitionsError } from './catalogue.js'
import { checkServicesCommand } from './check-command.js'
import { checkDefinitionText, loadDefinitions } from './load-definitions.js'

describe('the seeded service definitions', () => {
  it('all load without a single error', async () => {
    const { definitions, errors, convenienceFees } = await loadDefinitions()
    assert.deepEqual(errors, [])
    assert.ok(convenienceFees)
    const slugs = definitions.map((loaded) => loaded.definition.slug).sort()
    for (const slug of [
      'birth-certificate',
      'business-name-registration',
      'business-name-search',
      'certificate-of-good-conduct',
      'driving-licence-renewal',
      'electronic-travel-authorisation',
      'ordinary-passport',
      'provisional-driving-licence',
    ]) {
      assert.ok(slugs.includes(slug), slug)
    }
  })

  it('make a catalogue, and `services check` says they are fine', async () => {
    const catalogue = await loadCatalogue()
    assert.equal(catalogue.latest('ordinary-passport')?.agency, 'DIS')
    assert.deepEqual(
      catalogue.forAgency('NTSA').map((definition) => definition.slug),
      ['driving-licence-renewal', 'provisional-driving-licence'],
    )
    const out: string[] = []
    const code = await checkServicesCommand(undefined, { out: (text) => out.push(text), err: (text) => out.push(text) })
    assert.equal(code, 0)
    assert.match(out.join(''), /^\d+ definitions OK\n$/)
  })
})

/** Each case changes the sample definition in one way; the error is reported at the marker's line. */
const BROKEN: { name: string; from: string; to: string; marker: string; message: RegExp }[] = [
  { name: 'a YAML syntax error', from: 'name: { en: Sample service, sw: Huduma ya mfano }', to: 'name: { en: Sample service, sw: [Huduma }', marker: 'name:', message: /^YAML: / },
  { name: 'a key given twice', from: 'version: 2\n', to: 'version: 2\nversion: 3\n', marker: 'version: 3', message: /YAML: Map keys must be unique/ },
  { name: 'an unknown field', from: 'version: 2\n', to: 'version: 2\ncolour: blue\n', marker: 'colour', message: /unknown field "colour"/ },
  { name: 'an unknown question type', from: 'type: radio', to: 'type: radios', marker: 'type: radios', message: /pages\[0\]\.questions\[0\]\.type: unknown question type/ },
  { name: 'a missing Kiswahili text', from: 'title: { en: First, sw: Kwanza }', to: 'title: { en: First }', marker: 'title: { en: First }', message: /pages\[0\]\.title: missing required field "sw"/ },
  { name: 'a blank text', from: 'sw: Dokezo', to: 'sw: "  "', marker: 'sw: "  "', message: /label\.sw: must not be blank/ },
  { name: 'an unknown agency', from: 'agency: DIS', to: 'agency: ABC', marker: 'agency: ABC', message: /agency: unknown agency "ABC"/ },
  { name: 'a condition on a question of the same page', from: 'questions:\n      - id: note', to: 'questions:\n      - id: other\n        type: yesno\n        label: { en: Other, sw: Nyingine }\n      - id: note\n        when: { question: other, equals: "yes" }', marker: 'question: other', message: /not on an earlier page/ },
  { name: 'a condition on an unknown question', from: 'when: { question: kind, equals: b }', to: 'when: { question: knid, equals: b }', marker: 'question: knid', message: /unknown question "knid"/ },
  { name: 'a condition on a value not offered', from: 'when: { question: kind, equals: b }', to: 'when: { question: kind, equals: c }', marker: 'equals: c', message: /"c" is not an option of "kind"/ },
  { name: 'a condition with two tests', from: 'when: { question: kind, equals: b }', to: 'when: { question: kind, equals: b, in: [a] }', marker: 'equals: b, in', message: /exactly one of equals, in, notIn or includes/ },
  { name: 'options with the same value', from: '{ value: b, label: { en: Kind B', to: '{ value: a, label: { en: Kind B', marker: 'value: a, label: { en: Kind B', message: /option value "a" is used more than once/ },
  { name: 'a fee for an option that does not exist', from: 'amounts: { a: 100, b: 200 }', to: 'amounts: { a: 100, b: 200, c: 300 }', marker: 'amounts:', message: /"c" is not an option of "kind"/ },
  { name: 'a fee missing an option', from: 'amounts: { a: 100, b: 200 }', to: 'amounts: { a: 100 }', marker: 'amounts:', message: /no entry for option\(s\) "b" of "kind"/ },
  { name: 'a fee with amount and byAnswer', from: '      currency: KES\n', to: '      currency: KES\n      amount: 5\n', marker: '- id: fee', message: /either "amount" or "byAnswer"/ },
  { name: 'a transition to an unknown stage', from: 'to: done', to: 'to: dnoe', marker: 'to: dnoe', message: /unknown stage "dnoe"/ },
  { name: 'an unknown staff role', from: 'by: [agency_officer]', to: 'by: [agency_clerk]', marker: 'by: [agency_clerk]', message: /must be one of "agency_officer"/ },
  { name: 'no start stage', from: ' start: true,', to: '', marker: 'stages:', message: /exactly one start stage \(found 0\)/ },
  {
    name: 'a stage nothing leads to',
    from: '    - { id: done,',
    to: '    - { id: limbo, name: { en: Limbo, sw: Limbo }, slaWorkingDays: 2 }\n    - { id: done,',
    marker: 'id: limbo',
    message: /stage "limbo" cannot be reached from the start/,
  },
  {
    name: 'a stage with no way to an end',
    from: '    - { id: done,',
    to: '    - { id: stuck, name: { en: Stuck, sw: Imekwama } }\n    - { id: done,',
    marker: 'id: stuck',
    message: /from stage "stuck" no end stage can be reached/,
  },
  {
    name: 'a transition declared twice',
    from: '  transitions:\n',
    to: '  transitions:\n    - { from: submitted, to: done, by: [applicant], label: { en: Done, sw: Imekamilika } }\n',
    marker: 'from: submitted, to: done, by: [agency_officer]',
    message: /declared twice/,
  },
  {
    name: 'four eyes on a transition no staff member takes',
    from: '  transitions:\n',
    to: '  transitions:\n    - { from: submitted, to: withdrawn, by: [applicant], fourEyes: true, label: { en: Withdraw, sw: Ondoa } }\n',
    marker: 'fourEyes: true',
    message: /fourEyes needs a staff role/,
  },
  { name: 'a bad pattern', from: 'label: { en: Note, sw: Dokezo }', to: 'label: { en: Note, sw: Dokezo }\n        pattern: "[0-9"\n        example: "1"', marker: 'pattern:', message: /pattern is not a valid regular expression/ },
  { name: 'an example that breaks its pattern', from: 'label: { en: Note, sw: Dokezo }', to: 'label: { en: Note, sw: Dokezo }\n        pattern: "[0-9]+"\n        example: "x1"', marker: 'example:', message: /example "x1" does not match the pattern/ },
  { name: 'a document field from an unknown answer', from: 'from: subject.fullName', to: 'from: answer.nothing', marker: 'from: answer.nothing', message: /unknown question "nothing"/ },
  { name: 'an unknown document source', from: 'from: subject.fullName', to: 'from: subject.shoeSize', marker: 'from: subject.shoeSize', message: /fields\[0\]\.from: must be/ },
]

describe('a broken definition', () => {
  for (const broken of BROKEN) {
    it(`reports ${broken.name} at its line`, () => {
      assert.ok(SAMPLE_DEFINITION.includes(broken.from), `the case changes something: ${broken.from}`)
      const text = SAMPLE_DEFINITION.replace(broken.from, broken.to)
      const { definition, errors } = checkDefinitionText(text, 'services/DIS/sample-service.yaml')
      assert.equal(definition, undefined)
      const found = errors.find((error) => broken.message.test(error.message))
      assert.ok(found, `expected ${broken.message} in ${JSON.stringify(errors)}`)
      assert.equal(found.file, 'services/DIS/sample-service.yaml')
      assert.equal(found.line, lineOf(text, broken.marker), found.message)
    })
  }

  it('is accepted unchanged (the cases above start from a valid definition)', () => {
    assert.deepEqual(checkDefinitionText(SAMPLE_DEFINITION, 'x.yaml').errors, [])
  })
})

describe('a services folder', () => {
  const sample = (changes: Record<string, string> = {}) =>
    Object.entries(changes).reduce((text, [from, to]) => text.replace(from, to), SAMPLE_DEFINITION)

  it('keeps every version: latest, a pinned one, and the list', async () => {
    const dir = servicesFolder({
      'DIS/sample-service.v1.yaml': sample({ 'version: 2': 'version: 1', 'a: 100, b: 200': 'a: 90, b: 180' }),
      'DIS/sample-service.yaml': sample(),
    })
    const catalogue = await loadCatalogue(dir)
    assert.equal(catalogue.latest('sample-service')?.version, 2)
    assert.equal(catalogue.version('sample-service', 1)?.fees.items[0]?.byAnswer?.amounts.a, 90)
    assert.deepEqual(catalogue.versions('sample-service'), [1, 2])
    assert.equal(catalogue.list().length, 1)
    assert.equal(catalogue.version('sample-service', 3), undefined)
    assert.ok(Object.isFrozen(catalogue.latest('sample-service')?.pages[0]), 'definitions cannot be changed in place')
  })

  const cases: { name: string; files: Record<string, string>; withFees?: boolean; expect: { file: string; line?: number; message: RegExp } }[] = [
    { name: 'a slug that differs from the file name', files: { 'DIS/other-name.yaml': sample() }, expect: { file: 'DIS/other-name.yaml', line: 2, message: /slug "sample-service" does not match the file name "other-name"/ } },
    { name: 'a folder that is not the agency', files: { 'BRS/sample-service.yaml': sample() }, expect: { file: 'BRS/sample-service.yaml', line: 1, message: /agency "DIS" does not match the folder "BRS"/ } },
    { name: 'a version file whose version differs', files: { 'DIS/sample-service.v1.yaml': sample(), 'DIS/sample-service.yaml': sample({ 'version: 2': 'version: 3' }) }, expect: { file: 'DIS/sample-service.v1.yaml', line: 3, message: /version 2 does not match the file name \(v1\)/ } },
    { name: 'a current version not above the kept ones', files: { 'DIS/sample-service.v2.yaml': sample(), 'DIS/sample-service.yaml': sample() }, expect: { file: 'DIS/sample-service.yaml', message: /must be higher than every earlier one/ } },
    { name: 'kept versions without a current file', files: { 'DIS/sample-service.v2.yaml': sample() }, expect: { file: 'DIS/sample-service.v2.yaml', message: /no current file sample-service\.yaml/ } },
    { name: 'a definition outside an agency folder', files: { 'sample-service.yaml': sample() }, expect: { file: 'sample-service.yaml', message: /belongs in services\/<agency>\/<slug>\.yaml/ } },
    { name: 'a .yml file', files: { 'DIS/sample-service.yml': sample() }, expect: { file: 'DIS/sample-service.yml', message: /end in \.yaml/ } },
    { name: 'a file name that is not a slug', files: { 'DIS/Sample_Service.yaml': sample() }, expect: { file: 'DIS/Sample_Service.yaml', message: /file name must be/ } },
    { name: 'no convenience fee schedule', files: { 'DIS/sample-service.yaml': sample() }, withFees: false, expect: { file: '_platform/convenience-fee.yaml', message: /convenience fee schedule is missing/ } },
    { name: 'a broken convenience fee schedule', files: { 'DIS/sample-service.yaml': sample(), '_platform/convenience-fee.yaml': 'source: x\nlabel: { en: Fee, sw: Ada }\nbands:\n  KES:\n    - { fee: 50 }\n    - { under: 10, fee: 5 }\n  USD:\n    - { fee: 1 }\n' }, expect: { file: '_platform/convenience-fee.yaml', line: 5, message: /only the last band may leave out "under"/ } },
  ]

  for (const { name, files, withFees, expect } of cases) {
    it(`refuses ${name}`, async () => {
      const dir = servicesFolder(files, { withFees })
      const { errors } = await loadDefinitions(dir)
      const found = errors.find((error) => expect.message.test(error.message))
      assert.ok(found, `expected ${expect.message} in ${JSON.stringify(errors)}`)
      assert.equal(path.relative(dir, path.resolve(found.file)), expect.file)
      if (expect.line !== undefined) assert.equal(found.line, expect.line)
      await assert.rejects(loadCatalogue(dir), ServiceDefinitionsError)
    })
  }

  it('refuses the same slug in two agencies', async () => {
    const dir = servicesFolder({ 'DIS/sample-service.yaml': sample(), 'BRS/sample-service.yaml': sample({ 'agency: DIS': 'agency: BRS' }) })
    const { errors } = await loadDefinitions(dir)
    assert.ok(errors.some((error) => /slug "sample-service" is used by more than one agency/.test(error.message)), JSON.stringify(errors))
  })

  it('`services check` prints file:line: reason for each problem and fails', async () => {
    const dir = servicesFolder({ 'DIS/sample-service.yaml': sample({ 'to: done': 'to: dnoe' }) })
    const out: string[] = []
    const err: string[] = []
    const code = await checkServicesCommand(dir, { out: (text) => out.push(text), err: (text) => err.push(text) })
    assert.equal(code, 1)
    assert.deepEqual(out, [])
    const line = lineOf(sample({ 'to: done': 'to: dnoe' }), 'to: dnoe')
    assert.match(err[0] ?? '', new RegExp(`sample-service\\.yaml:${line}: workflow\\.transitions\\[0\\]\\.to: unknown stage "dnoe"\\n$`))
    assert.match(err.at(-1) ?? '', /^1 problem\(s\) in 1 file\(s\); 0 definition\(s\) OK\n$/)
  })

  it('a start with an invalid definition stops, saying where and why', async () => {
    const dir = servicesFolder({ 'DIS/sample-service.yaml': sample({ 'type: radio': 'type: radios' }) })
    await assert.rejects(loadCatalogue(dir), (error: Error) => {
      assert.ok(error instanceof ServiceDefinitionsError)
      assert.match(error.message, /sample-service\.yaml:\d+: pages\[0\]\.questions\[0\]\.type: unknown question type/)
      return true
    })
  })
})
