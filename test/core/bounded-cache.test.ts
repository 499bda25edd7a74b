import { describe, expect, it } from 'vitest'
import { BoundedCache } from '../../src/core/bounded-cache.js'

describe('BoundedCache', () => {
  it('returns values until they expire', () => {
    const cache = new BoundedCache<string, number>(10)
    cache.set('a', 1, 1000, 0)
    expect(cache.get('a', 999)).toBe(1)
    expect(cache.get('a', 1000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('never holds more than its bound, evicting the oldest first', () => {
    const cache = new BoundedCache<number, number>(3)
    for (let i = 0; i < 100; i++) {
      cache.set(i, i, 10_000, 0)
      expect(cache.size).toBeLessThanOrEqual(3)
    }
    expect(cache.get(99, 1)).toBe(99)
    expect(cache.get(96, 1)).toBeUndefined()
  })

  it('drops expired entries before evicting live ones', () => {
    const cache = new BoundedCache<string, number>(2)
    cache.set('short', 1, 10, 0)
    cache.set('long', 2, 1000, 0)
    cache.set('new', 3, 1000, 20)
    expect(cache.get('long', 20)).toBe(2)
    expect(cache.get('new', 20)).toBe(3)
  })
})
