import { describe, expect, it } from 'vitest'
import { RefreshLimiter } from '../../src/core/refresh-limiter.js'

const settings = { perClientPerMinute: 3, unprovenPerSecond: 2, maxEntries: 100 }
const anonymous = (id: string, clientKey?: string) => ({
  refreshKeyId: id,
  verifiedUser: undefined,
  clientKey,
})

describe('RefreshLimiter', () => {
  it('limits one client to perClientPerMinute unproven calls, refilling over the minute', () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
    const allowed = [1, 2, 3, 4].map((i) => limiter.tryAcquire(anonymous(`k${i}`, 'ip-1'), 0))
    expect(allowed).toEqual([true, true, true, false])
    expect(limiter.tryAcquire(anonymous('k5', 'ip-2'), 0)).toBe(true)
    expect(limiter.tryAcquire(anonymous('k6', 'ip-1'), 20_000)).toBe(true)
  })

  it('limits unproven calls without a verified user globally, whatever the client key', () => {
    const limiter = new RefreshLimiter(settings, 0)
    let allowed = 0
    for (let i = 0; i < 100; i++)
      if (limiter.tryAcquire(anonymous(`k${i}`, `ip-${i}`), 0)) allowed++
    expect(allowed).toBe(10) // 5 seconds' worth of 2 per second
    expect(limiter.tryAcquire(anonymous('late', 'ip-x'), 500)).toBe(true)
  })

  it('keys a verified user by the user, outside the global bucket', () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1 }, 0)
    for (let i = 0; i < 5; i++) limiter.tryAcquire(anonymous(`k${i}`), 0)
    const user = (id: string) => ({ refreshKeyId: id, verifiedUser: 'usr-1', clientKey: 'ip-1' })
    expect([1, 2, 3, 4].map((i) => limiter.tryAcquire(user(`u${i}`), 0))).toEqual([
      true,
      true,
      true,
      false,
    ])
  })

  it('never limits a refresh-token that succeeded before, until it is rejected', () => {
    const limiter = new RefreshLimiter({ ...settings, perClientPerMinute: 1 }, 0)
    limiter.recordSuccess('good', 0)
    for (let i = 0; i < 50; i++) expect(limiter.tryAcquire(anonymous('good', 'ip-1'), 0)).toBe(true)
    limiter.recordEnded('good')
    expect(limiter.tryAcquire(anonymous('good', 'ip-1'), 0)).toBe(true)
    expect(limiter.tryAcquire(anonymous('good', 'ip-1'), 0)).toBe(false)
  })

  it('keeps its memory bounded under a spray of client keys', () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1_000_000 }, 0)
    for (let i = 0; i < 10_000; i++) limiter.tryAcquire(anonymous(`k${i}`, `ip-${i}`), 0)
    expect(limiter.size).toBeLessThanOrEqual(settings.maxEntries)
  })
})
