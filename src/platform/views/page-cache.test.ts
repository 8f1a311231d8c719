import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PageCache } from './page-cache.js'

describe('page cache', () => {
  it('serves a page until it expires', () => {
    let now = 1000
    const cache = new PageCache(60_000, 10, () => now)
    cache.set('en:/', '<html>')
    assert.equal(cache.get('en:/'), '<html>')
    now += 60_000
    assert.equal(cache.get('en:/'), undefined)
  })

  it('holds at most its bound, dropping the oldest', () => {
    const cache = new PageCache(60_000, 2)
    cache.set('a', '1')
    cache.set('b', '2')
    cache.set('c', '3')
    assert.equal(cache.get('a'), undefined)
    assert.equal(cache.get('b'), '2')
    assert.equal(cache.get('c'), '3')
  })
})
