import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cleanOriginalName, contentDisposition, safeFileName } from './file-names.js'

describe('upload file names', () => {
  it('keep the last path segment, without control or direction-changing characters', () => {
    assert.equal(cleanOriginalName('C:\\Users\\Wanjiku\\Scan 1.pdf'), 'Scan 1.pdf')
    assert.equal(cleanOriginalName('../../etc/passwd.png'), 'passwd.png')
    assert.equal(cleanOriginalName('inv\u202Efdp.exe\u0000.jpg'), 'invfdp.exe.jpg')
    assert.equal([...cleanOriginalName(`${'ñ'.repeat(300)}.pdf`)].length, 255)
  })

  it('have an ASCII form for old clients, with the extension of what the file is', () => {
    assert.equal(safeFileName('Kitambulisho cha Wanjikũ (1).PDF', 'pdf'), 'Kitambulisho-cha-Wanjiku-1.pdf')
    assert.equal(safeFileName('photo.jpeg', 'jpeg'), 'photo.jpg')
    assert.equal(safeFileName('.htaccess.png', 'png'), 'htaccess.png')
    assert.equal(safeFileName('بطاقة.pdf', 'pdf'), 'document.pdf')
    assert.equal(safeFileName('a"b;c\r\nd.png', 'png'), 'a-b-c-d.png')
  })

  it('are sent as an attachment, with the person’s own name encoded per RFC 5987', () => {
    assert.equal(
      contentDisposition('Kitambulisho-cha-Wanjiku.pdf', "Kitambulisho cha Wanjikũ's.pdf"),
      `attachment; filename="Kitambulisho-cha-Wanjiku.pdf"; filename*=UTF-8''Kitambulisho%20cha%20Wanjik%C5%A9%27s.pdf`,
    )
  })
})
