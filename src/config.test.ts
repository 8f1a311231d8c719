import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { ConfigError, loadConfig } from './config.js'

describe('config', () => {
  it('has a documented default for every setting', () => {
    const config = loadConfig({})
    assert.equal(config.port, 3000)
    assert.equal(config.publicUrl, 'http://localhost:3000')
    assert.equal(config.portalName, 'eCitizen')
    assert.equal(config.country, 'Kenya')
    assert.equal(config.databaseUrl, undefined)
    assert.ok(config.dataDir.endsWith('/data'))
    assert.equal(config.environment, 'development')
  })

  it('reads each variable', () => {
    const config = loadConfig({
      PORT: '8080',
      PUBLIC_URL: 'https://ecitizen.example/',
      PORTAL_NAME: 'eRaia',
      DATABASE_URL: 'postgres://u:p@db:5432/ecitizen',
      TRUST_PROXY: 'true',
    })
    assert.equal(config.port, 8080)
    assert.equal(config.publicUrl, 'https://ecitizen.example')
    assert.equal(config.portalName, 'eRaia')
    assert.equal(config.databaseUrl, 'postgres://u:p@db:5432/ecitizen')
    assert.equal(config.trustProxy, true)
  })

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ PORT: 'abc' }, 'PORT', /whole number.*"abc"/],
    [{ PORT: '70000' }, 'PORT', /between 1 and 65535/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL', /http/],
    [{ NODE_ENV: 'production' }, 'COOKIE_SECRET', /must be set in production/],
    [{ COOKIE_SECRET: 'short' }, 'COOKIE_SECRET', /at least 32/],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY', /true, false/],
  ]
  for (const [env, variable, reason] of bad) {
    it(`names ${variable} when ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.equal(error.variable, variable)
        assert.match(error.message, reason)
        return true
      })
    })
  }

  it('never echoes a database password', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' }), (error: Error) => {
      assert.doesNotMatch(error.message, /hunter2/)
      return true
    })
  })
})

describe('the ecitizen command', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['bin/ecitizen.js', ...args], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    })

  it('stops on a bad setting with one line naming it and exit code 2', () => {
    const result = cli(['start'], { PORT: 'abc' })
    assert.equal(result.status, 2)
    assert.equal(result.stderr, 'ecitizen: PORT must be a whole number (got "abc")\n')
    assert.equal(result.stdout, '')
  })

  it('explains each command', () => {
    const result = cli(['--help'])
    assert.equal(result.status, 0)
    for (const command of ['start', 'web', 'worker', 'migrate', 'seed']) assert.match(result.stdout, new RegExp(`^  ${command} `, 'm'))
  })

  it('refuses an unknown command', () => {
    const result = cli(['frobnicate'])
    assert.equal(result.status, 2)
    assert.match(result.stderr, /unknown command "frobnicate"/)
  })
})
