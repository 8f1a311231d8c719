import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromAcceptLanguage, loadMessages, Translator } from './i18n.js'

describe('locales', () => {
  const messages = loadMessages()

  it('has every English string in Kiswahili and nothing extra', () => {
    const en = Object.keys(messages.en).sort()
    const sw = Object.keys(messages.sw).sort()
    assert.deepEqual(sw.filter((key) => !en.includes(key)), [], 'Kiswahili keys missing in English')
    assert.deepEqual(en.filter((key) => !sw.includes(key)), [], 'English keys missing in Kiswahili')
  })

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [key, text] of Object.entries(messages.en)) {
      assert.deepEqual(placeholders(messages.sw[key] ?? ''), placeholders(text), key)
      assert.notEqual(text.trim(), '', `${key} is empty`)
    }
  })

  it('fills placeholders and falls back to the key when a string is missing', () => {
    const t = new Translator({ en: { hi: 'Hello {name}' }, sw: { hi: 'Habari {name}' } })
    assert.equal(t.for('sw')('hi', { name: 'Wanjiku' }), 'Habari Wanjiku')
    assert.equal(t.for('en')('missing.key'), 'missing.key')
  })
})

describe('Accept-Language', () => {
  it('picks the best supported language', () => {
    assert.equal(fromAcceptLanguage('sw-KE,sw;q=0.9,en;q=0.8'), 'sw')
    assert.equal(fromAcceptLanguage('fr-FR,fr;q=0.9,en;q=0.5,sw;q=0.4'), 'en')
    assert.equal(fromAcceptLanguage('en;q=0.2, sw;q=0.9'), 'sw')
    assert.equal(fromAcceptLanguage('fr, de'), undefined)
    assert.equal(fromAcceptLanguage(undefined), undefined)
    assert.equal(fromAcceptLanguage('sw;q=0'), undefined)
  })
})
