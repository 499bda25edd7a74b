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

describe('BoundedCache under churn', () => {
  it('keeps evicting the oldest entry while keys are replaced, deleted and read out of order', () => {
    const cache = new BoundedCache<number, number>(100)
    const live: number[] = []
    const set = (key: number) => {
      cache.set(key, key, 1_000_000, 0)
      live.push(key)
      // The model: a full cache drops its oldest entry.
      if (live.length > 100) live.shift()
    }
    for (let i = 0; i < 20_000; i++) {
      set(i)
      if (i % 7 === 0 && live.length > 50) {
        // Replacing moves a key to the end: it is now the newest.
        set(live.splice(live.length - 50, 1)[0]!)
      }
      if (i % 11 === 0 && live.length > 3) cache.delete(live.splice(live.length - 3, 1)[0]!)
      expect(cache.size).toBe(live.length)
    }
    for (const key of live) expect(cache.get(key, 1)).toBe(key)
  })

  it('drops an expired entry at the front even after the cursor ran through the whole map', () => {
    const cache = new BoundedCache<string, number>(3)
    cache.set('a', 1, 10, 0)
    cache.set('b', 2, 1000, 0)
    cache.set('c', 3, 1000, 0)
    cache.set('d', 4, 1000, 5) // full: 'a' goes
    cache.set('a', 5, 10, 6) // full: 'b' goes
    cache.set('e', 6, 1000, 20) // full, and the new 'a' expired: 'c' goes, as the oldest
    expect(cache.get('b', 20)).toBeUndefined()
    expect(cache.get('d', 20)).toBe(4)
    expect(cache.get('e', 20)).toBe(6)
    expect(cache.size).toBeLessThanOrEqual(3)
  })
})
