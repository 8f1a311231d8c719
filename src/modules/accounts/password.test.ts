import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { commonPasswordCount, hashPassword, passwordProblem, verifyPassword } from './password.js'

describe('passwords', () => {
  it('bundles a list of at least 10,000 common passwords and refuses them', () => {
    assert.ok(commonPasswordCount() >= 10_000)
    assert.equal(passwordProblem('password123')?.key, 'password.errors.common')
    assert.equal(passwordProblem('QWERTYUIOP')?.key, 'password.errors.common', 'case does not help')
  })

  it('asks for length, not composition', () => {
    assert.equal(passwordProblem('')?.key, 'password.errors.required')
    assert.deepEqual(passwordProblem('short1!'), { key: 'password.errors.tooShort', params: { min: 8 } })
    assert.equal(passwordProblem('mango tree by the river'), undefined, 'a long passphrase with no digits is fine')
    assert.equal(passwordProblem('x'.repeat(64) + 'Z'), undefined, '64 characters and more are allowed')
    assert.equal(passwordProblem('y'.repeat(129))?.key, 'password.errors.tooLong')
  })

  it('refuses a password equal to the person’s own identifiers', () => {
    assert.equal(passwordProblem('wanjiku@example.ke', ['wanjiku@example.ke'])?.key, 'password.errors.personal')
  })

  it('hashes with argon2id at 19 MiB, t=2, p=1 and verifies after Unicode normalisation', async () => {
    const stored = await hashPassword('ﬁsherman’s wharf 42') // starts with the "fi" ligature
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    assert.equal(await verifyPassword(stored, 'fisherman’s wharf 42'), true, 'NFKC makes the ligature plain')
    assert.equal(await verifyPassword(stored, 'fisherman’s wharf 43'), false)
    assert.equal(await verifyPassword('not a hash', 'x'), false)
  })
})
