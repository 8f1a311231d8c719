import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TamperedForm } from './errors.js'
import { assertContentMatches, kindOfFileName, kindOfMediaType, sniffFileType } from './file-types.js'

const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n')
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00])
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52])
const HTML = Buffer.from('<!doctype html><script>alert(1)</script>')
const EXE = Buffer.from('MZ\x90\x00\x03\x00\x00\x00')

describe('file types', () => {
  it('are told by their first bytes', () => {
    assert.equal(sniffFileType(PDF), 'pdf')
    assert.equal(sniffFileType(JPEG), 'jpeg')
    assert.equal(sniffFileType(PNG), 'png')
    assert.equal(sniffFileType(HTML), undefined)
    assert.equal(sniffFileType(EXE), undefined)
    assert.equal(sniffFileType(new Uint8Array()), undefined)
    assert.equal(sniffFileType(PNG.subarray(0, 7)), undefined, 'a truncated signature is not a PNG')
    assert.equal(sniffFileType(Buffer.from(' %PDF-1.7')), undefined, 'the signature must come first')
  })

  it('are read from declared media types and file names', () => {
    assert.equal(kindOfMediaType('image/JPEG'), 'jpeg')
    assert.equal(kindOfMediaType('application/pdf; charset=binary'), 'pdf')
    assert.equal(kindOfMediaType('text/html'), undefined)
    assert.equal(kindOfFileName('Scan.JPG'), 'jpeg')
    assert.equal(kindOfFileName('report.pdf.exe'), undefined)
    assert.equal(kindOfFileName('noextension'), undefined)
  })

  it('refuse a file that lies about its type or size', () => {
    assertContentMatches('idCopy', { name: 'id.pdf', type: 'application/pdf', size: PDF.length }, PDF)
    assertContentMatches('photo', { name: 'me.jpg', type: 'image/jpeg', size: JPEG.length }, JPEG)
    assert.throws(() => assertContentMatches('idCopy', { name: 'id.pdf', type: 'application/pdf', size: HTML.length }, HTML), TamperedForm)
    assert.throws(() => assertContentMatches('photo', { name: 'me.png', type: 'image/png', size: JPEG.length }, JPEG), TamperedForm)
    assert.throws(() => assertContentMatches('idCopy', { name: 'id.pdf', type: 'application/pdf', size: 10 }, PDF), TamperedForm)
    assert.throws(() => assertContentMatches('idCopy', { name: 'id.exe', type: 'application/x-msdownload', size: EXE.length }, EXE), TamperedForm)
  })
})
