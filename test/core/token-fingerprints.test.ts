import { describe, expect, it } from 'vitest'
import { TokenFingerprints } from '../../src/core/token-fingerprints.js'

const NOW = 1_800_000_000_000
const HOUR = 3_600_000

/** A token-shaped string for session `i`, as long as a real one. */
function token(i: number): string {
  return `eyJhbGciOiJSUzI1NiJ9.${String(i).padStart(12, '0')}${'p'.repeat(400)}.${'s'.repeat(342)}`
}

describe('token fingerprints', () => {
  it('knows each remembered token as the table grows, and no other', () => {
    const memory = new TokenFingerprints(2 ** 16)
    const count = 40_000
    for (let i = 0; i < count; i++) memory.remember(token(i), NOW + HOUR, NOW)
    let known = 0
    for (let i = 0; i < count; i++) if (memory.has(token(i), NOW)) known++
    expect(known).toBe(count)
    for (let i = count; i < 2 * count; i++) expect(memory.has(token(i), NOW)).toBe(false)
  })

  it('tells apart tokens that differ in one character, or only in length', () => {
    const memory = new TokenFingerprints(4096)
    const remembered = token(1)
    memory.remember(remembered, NOW + HOUR, NOW)
    for (let i = 0; i < remembered.length; i++) {
      const other = remembered[i] === 'A' ? 'B' : 'A'
      expect(memory.has(`${remembered.slice(0, i)}${other}${remembered.slice(i + 1)}`, NOW)).toBe(
        false,
      )
    }
    expect(memory.has(`${remembered}A`, NOW)).toBe(false)
    expect(memory.has(`${remembered}\0`, NOW)).toBe(false)
    expect(memory.has(remembered.slice(0, -1), NOW)).toBe(false)
    expect(memory.has(remembered, NOW)).toBe(true)
  })

  it('holds no more than its bound, and fills it before it forgets', () => {
    const memory = new TokenFingerprints(4096)
    const count = 3 * 4096
    let knownAt80Percent = 0
    for (let i = 0; i < count; i++) {
      memory.remember(token(i), NOW + HOUR, NOW)
      if (i === 3276) {
        for (let j = 0; j <= i; j++) if (memory.has(token(j), NOW)) knownAt80Percent++
      }
    }
    let known = 0
    for (let i = 0; i < count; i++) if (memory.has(token(i), NOW)) known++
    expect(memory.capacity).toBe(4096)
    expect(knownAt80Percent).toBe(3277)
    expect(known).toBeLessThanOrEqual(4096)
    expect(known).toBeGreaterThan(4000)
  })

  it('forgets a token at its expiry and reuses its slot', () => {
    const memory = new TokenFingerprints(4096)
    memory.remember(token(1), NOW + 1000, NOW)
    expect(memory.has(token(1), NOW + 999)).toBe(true)
    expect(memory.has(token(1), NOW + 1000)).toBe(false)
    // A table at its bound, full of tokens that have expired, takes as many new ones again. (At
    // full load one of the new tokens would be forgotten, whichever the random keys pick.)
    for (let i = 2; i <= 4096; i++) memory.remember(token(i), NOW + 1000, NOW)
    const fresh = Array.from({ length: 3500 }, (_, i) => token(10_000 + i))
    for (const each of fresh) memory.remember(each, NOW + HOUR, NOW + 1000)
    expect(fresh.filter((each) => !memory.has(each, NOW + 1000))).toEqual([])
    expect(memory.capacity).toBe(4096)
  })

  it('tells when a remembered token expires, to the second below, and nothing for another', () => {
    const memory = new TokenFingerprints(4096)
    memory.remember(token(1), NOW + HOUR + 999, NOW)
    expect(memory.expiryOf(token(1), NOW)).toBe(Math.floor((NOW + HOUR + 999) / 1000) * 1000)
    expect(memory.expiryOf(token(2), NOW)).toBeUndefined()
  })

  it('remembers no token it could not tell apart: too long, or not ASCII', () => {
    const memory = new TokenFingerprints(4096)
    const long = `${token(1)}${'x'.repeat(2048)}`
    const wide = `${token(1)}é`
    memory.remember(long, NOW + HOUR, NOW)
    memory.remember(wide, NOW + HOUR, NOW)
    expect(memory.has(long, NOW)).toBe(false)
    expect(memory.has(wide, NOW)).toBe(false)
  })
})
