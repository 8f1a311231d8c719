import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { CompactSign } from 'jose'
import { checkCredential, signCredential, type CredentialClaims } from './credential.js'
import { generateSigningKey, kidOf, publicJwkOf } from './signing.js'
import { parseSigningKey } from './settings.js'

const CLAIMS: CredentialClaims = {
  iss: 'https://ecitizen.example',
  num: 'LIC-7K4M-9QX3',
  kind: 'licence',
  title: { en: 'Driving licence', sw: 'Leseni ya udereva' },
  holder: 'Wanjiku Kamau',
  agency: 'NTSA',
  validFrom: '2026-03-01',
  validUntil: '2029-02-28',
  iat: 1772352000,
}

const b64 = (text: string) => Buffer.from(text).toString('base64url')

describe('document credentials (compact JWS, EdDSA)', async () => {
  const made = await generateSigningKey()
  const key = { kid: made.kid, privateKey: createPrivateKey(made.pem) }
  const keyFor = async (kid: string) => (kid === made.kid ? createPublicKey(key.privateKey) : undefined)
  const jws = await signCredential(key, CLAIMS)
  const [header = '', payload = '', signature = ''] = jws.split('.')

  it('signs what a verifier needs, and verifies with the key its header names', async () => {
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'EdDSA', kid: made.kid, typ: 'ecitizen-document+jws' })
    assert.deepEqual(await checkCredential(jws, keyFor), { genuine: true, kid: made.kid, claims: CLAIMS })
    assert.ok(jws.length < 600, `small enough for a QR code: ${jws.length}`)
  })

  it('refuses a tampered payload: the signature does not match', async () => {
    const forged = b64(JSON.stringify({ ...CLAIMS, validUntil: '2039-02-28' }))
    assert.deepEqual(await checkCredential(`${header}.${forged}.${signature}`, keyFor), { genuine: false, reason: 'bad-signature' })
    const renamed = b64(JSON.stringify({ ...CLAIMS, holder: 'Someone Else' }))
    assert.deepEqual(await checkCredential(`${header}.${renamed}.${signature}`, keyFor), { genuine: false, reason: 'bad-signature' })
  })

  it('refuses a tampered signature', async () => {
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11)
    assert.deepEqual(await checkCredential(`${header}.${payload}.${flipped}`, keyFor), { genuine: false, reason: 'bad-signature' })
    assert.deepEqual(await checkCredential(`${header}.${payload}.${signature.slice(0, -4)}`, keyFor), { genuine: false, reason: 'bad-signature' })
  })

  it('says a key we never used when the kid is unknown, even for a well-made signature', async () => {
    const stranger = generateKeyPairSync('ed25519').privateKey
    const strangerKid = await kidOf(publicJwkOf(stranger))
    const foreign = await signCredential({ kid: strangerKid, privateKey: stranger }, CLAIMS)
    assert.deepEqual(await checkCredential(foreign, keyFor), { genuine: false, reason: 'unknown-key' })
    // Our kid in the header, a stranger's signature: it does not match our key.
    const impostor = await signCredential({ kid: made.kid, privateKey: stranger }, CLAIMS)
    assert.deepEqual(await checkCredential(impostor, keyFor), { genuine: false, reason: 'bad-signature' })
  })

  it('accepts EdDSA only: alg none or HMAC headers are unreadable, never verified', async () => {
    const none = `${b64(JSON.stringify({ alg: 'none', kid: made.kid }))}.${payload}.${signature}`
    assert.deepEqual(await checkCredential(none, keyFor), { genuine: false, reason: 'unreadable' })
    const hmac = await new CompactSign(new TextEncoder().encode(JSON.stringify(CLAIMS))).setProtectedHeader({ alg: 'HS256', kid: made.kid }).sign(new Uint8Array(32))
    assert.deepEqual(await checkCredential(hmac, keyFor), { genuine: false, reason: 'unreadable' })
  })

  it('never throws on garbage', async () => {
    for (const garbage of ['', 'x', 'a.b', 'a.b.c', '...', `${header}.${payload}`, `${'x'.repeat(5000)}.a.b`, '€.€.€', `${b64('{"alg":"EdDSA"}')}.${payload}.${signature}`, `${b64('[]')}.e30.e30`]) {
      const result = await checkCredential(garbage, keyFor)
      assert.equal(result.genuine, false, garbage.slice(0, 40))
    }
    // Our key, but not a document's claims: not something we signed.
    const odd = await new CompactSign(new TextEncoder().encode('{"hello":1}')).setProtectedHeader({ alg: 'EdDSA', kid: made.kid }).sign(key.privateKey)
    assert.deepEqual(await checkCredential(odd, keyFor), { genuine: false, reason: 'bad-signature' })
  })

  it('reads the setting as PKCS8 PEM (with \\n escapes) or a private JWK, and refuses anything else without echoing it', () => {
    assert.equal(parseSigningKey(made.pem).asymmetricKeyType, 'ed25519')
    assert.equal(parseSigningKey(made.pem.replace(/\n/g, '\\n')).asymmetricKeyType, 'ed25519')
    const jwk = JSON.stringify(key.privateKey.export({ format: 'jwk' }))
    assert.equal(parseSigningKey(jwk).asymmetricKeyType, 'ed25519')
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    assert.throws(() => parseSigningKey(rsa), /must be an Ed25519 key/)
    assert.throws(() => parseSigningKey('not a key at all: secret-value'), (error: Error) => /DOCUMENT_SIGNING_KEY/.test(error.message) && !error.message.includes('secret-value'))
  })
})
