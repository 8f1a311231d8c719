import assert from 'node:assert/strict'
import fs from 'node:fs'
import { describe, it } from 'node:test'
import { SETTINGS } from '../src/config.js'

describe('the README', () => {
  const readme = fs.readFileSync('README.md', 'utf8')

  it('documents every setting', () => {
    for (const setting of Object.values(SETTINGS)) assert.match(readme, new RegExp(`\\| \`${setting.variable}\` \\|`), setting.variable)
  })

  it('gives the two quick-start command lines', () => {
    assert.match(readme, /^npm ci && npm start$/m)
    assert.match(readme, /^npm test$/m)
  })
})
