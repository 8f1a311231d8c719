import assert from 'node:assert/strict'
import fs from 'node:fs'
import { describe, it } from 'node:test'
import { loadMessages, Translator } from '../../platform/i18n/i18n.js'
import { decodeStatement, nairobiDate, parseAmount, parseCompletionTime, problemText, readCsv, readStatement, StatementError, type StatementProblem } from './statement.js'

const HEADER = 'Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.'
const row = (receipt: string, time: string, paidIn: string, withdrawn = '', status = 'Completed', party = '"254712345678 - JOHN DOE"', account = 'DIS7K4M9QX3') =>
  `${receipt},${time},${time},Pay Bill,${status},${paidIn},${withdrawn},,true,Pay Bill Online,${party},,${account}`

function problems(text: string): StatementProblem[] {
  try {
    readStatement(text)
  } catch (error) {
    if (error instanceof StatementError) return error.problems
    throw error
  }
  assert.fail('the statement was accepted')
}

describe('the M-Pesa statement reader', () => {
  it('reads RFC 4180: quoted commas, doubled quotes, line breaks in quotes, CRLF, and each record’s first line', () => {
    const records = readCsv('a,"b, c","say ""hi"""\r\n\r\n"two\nlines",x\n last,')
    assert.deepEqual(records, [
      { line: 1, fields: ['a', 'b, c', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'x'] },
      { line: 5, fields: [' last', ''] },
    ])
    assert.throws(() => readCsv('a,"open\nb'), (error: StatementError) => error.problems[0]!.key === 'unclosedQuote' && error.problems[0]!.line === 1)
  })

  it('reads the sample: preamble lines skipped, thousands separators, masked phones, three date forms, a failed row skipped', () => {
    const statement = readStatement(decodeStatement(fs.readFileSync('docs/samples/mpesa-statement-sample.csv')))
    assert.equal(statement.rowsRead, 4)
    assert.equal(statement.skipped, 1)
    const [first, second, charge] = statement.rows
    assert.deepEqual(
      { ...first, completedAt: first!.completedAt.toISOString() },
      {
        line: 6, receipt: 'SL71A2B3C4', completedAt: '2026-12-07T05:15:42.000Z', direction: 'in', amountCents: 105000,
        details: 'Pay Bill from 254712345678 - ACHIENG OTIENO Acc. DIS7K4M9QX3', phone: '254712345678', payerName: 'ACHIENG OTIENO', accountNumber: 'DIS7K4M9QX3',
      },
    )
    assert.equal(second!.amountCents, 755000)
    assert.equal(second!.phone, '2547******321')
    assert.equal(second!.payerName, 'JOHN KAMAU')
    assert.equal(charge!.direction, 'out')
    assert.equal(charge!.amountCents, 3500, 'a signed withdrawal is an amount paid out')
    assert.equal(nairobiDate(charge!.completedAt), '2026-12-07')
  })

  it('is the sample docs/OPERATIONS.md shows', () => {
    const shown = /## Reconciling with the M-Pesa statement[\s\S]*?```csv\n([\s\S]*?)```/.exec(fs.readFileSync('docs/OPERATIONS.md', 'utf8'))?.[1]
    assert.equal(shown, fs.readFileSync('docs/samples/mpesa-statement-sample.csv', 'utf8').replace(/\r\n/g, '\n'))
  })

  it('finds the column row whatever its case and spacing, with a byte order mark and a footer', () => {
    const header = '\uFEFFreceipt no ,COMPLETION  TIME,transaction status,paid in,WITHDRAWN,a/c no'
    const statement = readStatement(`${header}\nSL71A2B3C4,2026-12-07 08:15,Completed,"1,100.00",,DIS7K4M9QX3\n,,,,,\nTotal,,,,,\n`)
    assert.equal(statement.rows.length, 1)
    assert.equal(statement.rows[0]!.amountCents, 110000)
    assert.equal(statement.rows[0]!.accountNumber, 'DIS7K4M9QX3')
    assert.equal(statement.rowsRead, 2, 'a footer with a first cell is read, and skipped as not completed')
    assert.equal(statement.skipped, 1)
  })

  it('parses Nairobi times and amounts, refusing what is not one', () => {
    assert.equal(parseCompletionTime('2026-12-07 00:30:00')!.toISOString(), '2026-12-06T21:30:00.000Z')
    assert.equal(parseCompletionTime('07-12-2026 14:03:11')!.toISOString(), '2026-12-07T11:03:11.000Z')
    assert.equal(parseCompletionTime('07/12/2026 14:03:11')!.toISOString(), '2026-12-07T11:03:11.000Z')
    assert.equal(parseCompletionTime('31/06/2026 10:00:00'), undefined, 'no 31 June')
    assert.equal(parseCompletionTime('12/07/26 10:00'), undefined)
    assert.equal(parseAmount('1,100.00'), 110000)
    assert.equal(parseAmount(' 7550 '), 755000)
    assert.equal(parseAmount(''), 0)
    assert.ok(Number.isNaN(parseAmount('KES 10')))
    assert.ok(Number.isNaN(parseAmount('1.005')))
  })

  it('refuses a file without the columns it needs, naming each one at the column row’s line', () => {
    const missing = problems(`Account Name,X\nReceipt No.,Completion Time,Transaction Status,Details\n${row('SL71A2B3C4', '2026-12-07 08:15:42', '10.00')}`)
    assert.deepEqual(missing.map((p) => [p.key, p.line, p.params?.column]), [['missingColumn', 2, 'Paid In'], ['missingColumn', 2, 'Withdrawn']])
    const none = problems('just,some,text\n1,2,3\n')
    assert.equal(none.length, 5)
    assert.ok(none.every((p) => p.key === 'noHeader' && p.line === undefined))
  })

  it('refuses bad rows with every problem and its line, in English and Kiswahili', () => {
    const text = [
      'Statement', HEADER,
      row('SL71A2B3C4', '2026-12-07 08:15:42', '"1,050.00"'),
      row('bad!', '2026-13-07 08:15:42', 'ten'),
      row('SL71A2B3C5', '2026-12-07 09:00:00', '1,050.00'),
      row('SL71A2B3C6', '2026-12-07 09:00:00', '', ''),
      row('SL71A2B3C7', '2026-12-07 09:00:00', '5.00', '5.00'),
      row('SL71A2B3C4', '2026-12-07 10:00:00', '20.00'),
      row('SL71A2B3C4', '2026-12-07 10:00:00', '', '5.00'),
    ].join('\n')
    const found = problems(text)
    assert.deepEqual(found.map((p) => [p.line, p.key]), [[4, 'receipt'], [4, 'time'], [4, 'amount'], [5, 'tooManyFields'], [6, 'noAmount'], [7, 'bothAmounts'], [8, 'duplicate']])
    const messages = loadMessages()
    const en = new Translator(messages).for('en')
    const sw = new Translator(messages).for('sw')
    assert.equal(problemText(en, found[2]!), 'Line 4: “ten” in Paid In is not an amount')
    assert.equal(problemText(en, found[6]!), 'Line 8: receipt SL71A2B3C4 was already paid in on line 3')
    assert.equal(problemText(sw, found[6]!), 'Mstari 8: risiti SL71A2B3C4 tayari ilipokelewa kwenye mstari 3')
    for (const problem of found) assert.doesNotMatch(problemText(sw, problem), /\{|payments\./)
  })

  it('stops listing after twenty problems, saying where', () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(`SL71A2B${String(i).padStart(3, '0')}`, 'yesterday', '1.00'))
    const found = problems([HEADER, ...rows].join('\n'))
    assert.equal(found.length, 21)
    assert.deepEqual(found.at(-1), { line: 22, key: 'stopped', params: { max: 20 } })
  })

  it('reads a file saved as Latin-1', () => {
    assert.equal(decodeStatement(Uint8Array.from([0x4a, 0xf6, 0x72, 0x67])), 'Jörg')
    assert.equal(decodeStatement(new TextEncoder().encode('“ok”')), '“ok”')
  })
})
