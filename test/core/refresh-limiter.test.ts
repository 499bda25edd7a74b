import { describe, expect, it } from 'vitest'
import { clientGroupOf } from '../../src/core/client-group.js'
import { MAX_WAITING, RefreshLimiter } from '../../src/core/refresh-limiter.js'
import type { RefreshPermit, RefreshVerdict } from '../../src/core/refresh-limiter.js'

const settings = { perClientPerMinute: 3, unprovenPerSecond: 2, maxEntries: 100, maxWaitMs: 1000 }
const anonymous = (id: string, clientKey?: string) => ({
  refreshKeyId: id,
  verifiedUser: undefined,
  clientKey,
})

/** Acquire for each caller, settle each permit with `verdict`; how many were allowed. */
async function run(
  limiter: RefreshLimiter,
  callers: readonly ReturnType<typeof anonymous>[],
  verdict: RefreshVerdict,
  now = 0,
): Promise<number> {
  let allowed = 0
  for (const caller of callers) {
    const permit = await limiter.acquire(caller, now)
    if (permit === undefined) continue
    allowed++
    permit.settle(verdict, now)
  }
  return allowed
}

const many = (count: number, clientKey: (i: number) => string | undefined) =>
  Array.from({ length: count }, (_, i) => anonymous(`k${String(i)}`, clientKey(i)))

describe('RefreshLimiter', () => {
  it('never spends budget on refreshes Corbado accepts, however many come from one client', async () => {
    const limiter = new RefreshLimiter(settings, 0)
    expect(
      await run(
        limiter,
        many(1000, () => 'ip-1'),
        'accepted',
      ),
    ).toBe(1000)
  })

  it('spends perClientPerMinute on rejections from one client, refilling over the minute', async () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
    expect(
      await run(
        limiter,
        many(10, () => 'ip-1'),
        'rejected',
      ),
    ).toBe(3)
    expect(
      await run(
        limiter,
        many(1, () => 'ip-2'),
        'rejected',
      ),
    ).toBe(1)
    expect(
      await run(
        limiter,
        many(5, () => 'ip-1'),
        'rejected',
        20_000,
      ),
    ).toBe(1)
  })

  it('does not spend on inconclusive answers (the circuit breaker bounds those)', async () => {
    const limiter = new RefreshLimiter(settings, 0)
    expect(
      await run(
        limiter,
        many(50, () => 'ip-1'),
        'inconclusive',
      ),
    ).toBe(50)
  })

  it('spends the global budget on rejections without a verified user, whatever the client key', async () => {
    const limiter = new RefreshLimiter(settings, 0)
    expect(
      await run(
        limiter,
        many(100, (i) => `ip-${String(i)}`),
        'rejected',
      ),
    ).toBe(10) // 5 s of 2/s
    expect(
      await run(
        limiter,
        many(1, () => 'late'),
        'rejected',
        500,
      ),
    ).toBe(1)
  })

  it('a burst holds reservations: at most the budget is in flight, the rest wait and are refused once it is spent', async () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
    const pending = many(10, () => 'ip-1').map((caller) => limiter.acquire(caller, 0))
    const settledFirst = await Promise.all(pending.slice(0, 3))
    expect(settledFirst.every((permit) => permit !== undefined)).toBe(true)
    for (const permit of settledFirst) permit!.settle('rejected', 0)
    expect((await Promise.all(pending.slice(3))).filter(Boolean)).toEqual([])
  })

  it('a burst of returning users waits for the reservations in flight instead of being refused', async () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
    const permits: RefreshPermit[] = []
    await Promise.all(
      many(10, () => 'ip-1').map(async (caller) => {
        const permit = await limiter.acquire(caller, 0)
        if (permit !== undefined) permits.push(permit)
        // Each call settles on a later turn, as an upstream answer would.
        await Promise.resolve()
        permit?.settle('accepted', 0)
      }),
    )
    expect(permits).toHaveLength(10)
  })

  it('a waiting call gives up after maxWaitMs', async () => {
    const limiter = new RefreshLimiter({ ...settings, perClientPerMinute: 1, maxWaitMs: 20 }, 0)
    const held = await limiter.acquire(anonymous('a', 'ip-1'), 0)
    expect(held).toBeDefined()
    expect(await limiter.acquire(anonymous('b', 'ip-1'), 0)).toBeUndefined()
  })

  it(`refuses at once when ${String(MAX_WAITING)} calls wait already`, async () => {
    const limiter = new RefreshLimiter(
      { ...settings, perClientPerMinute: 1, unprovenPerSecond: 1_000_000, maxWaitMs: 60_000 },
      0,
    )
    const held = await limiter.acquire(anonymous('a', 'ip-1'), 0)
    const waiting = many(MAX_WAITING, () => 'ip-1').map((caller) => limiter.acquire(caller, 0))
    expect(await limiter.acquire(anonymous('over', 'ip-1'), 0)).toBeUndefined()
    held!.settle('rejected', 0)
    expect((await Promise.all(waiting)).filter(Boolean)).toEqual([])
  })

  it('keys a verified user by the user, outside the global bucket', async () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1 }, 0)
    await run(
      limiter,
      many(5, () => undefined),
      'rejected',
    )
    const user = (id: string) => ({ refreshKeyId: id, verifiedUser: 'usr-1', clientKey: 'ip-1' })
    let allowed = 0
    for (let i = 0; i < 4; i++) {
      const permit = await limiter.acquire(user(`u${String(i)}`), 0)
      if (permit !== undefined) allowed++
      permit?.settle('rejected', 0)
    }
    expect(allowed).toBe(3)
  })

  it('calls the global budget refuses leave no client bucket: a spray of addresses cannot evict a spent user', async () => {
    // Room for 100 client buckets; the global budget admits 2 unverified calls a second.
    const limiter = new RefreshLimiter(settings, 0)
    const user = (id: string) => ({ refreshKeyId: id, verifiedUser: 'usr-m', clientKey: 'ip-m' })
    const spend = async (count: number) => {
      let allowed = 0
      for (let i = 0; i < count; i++) {
        const permit = await limiter.acquire(user(`m${String(i)}-${String(allowed)}`), 0)
        if (permit !== undefined) allowed++
        permit?.settle('rejected', 0)
      }
      return allowed
    }
    expect(await spend(5)).toBe(3)
    // 1000 refused calls from as many addresses, in the same instant.
    await run(
      limiter,
      many(1000, (i) => `10.0.${String(i >> 8)}.${String(i & 255)}`),
      'rejected',
    )
    expect(await spend(3)).toBe(0)
  })

  it('never limits a refresh-token that succeeded before; its rejection spends nothing and unproves it', async () => {
    const limiter = new RefreshLimiter({ ...settings, perClientPerMinute: 1 }, 0)
    expect(await run(limiter, [anonymous('good', 'ip-1')], 'accepted')).toBe(1)
    expect(
      await run(
        limiter,
        many(1, () => 'ip-1'),
        'rejected',
      ),
    ).toBe(1) // the budget, spent
    expect(await run(limiter, Array(50).fill(anonymous('good', 'ip-1')), 'accepted')).toBe(50)
    expect(await run(limiter, [anonymous('good', 'ip-1')], 'rejected')).toBe(1)
    expect(await run(limiter, [anonymous('good', 'ip-1')], 'rejected')).toBe(0)
  })

  it('counts the addresses of one IPv6 /64 as one client, and another /64 apart', async () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
    const inOne64 = (i: number) => `2001:db8:0:7:${(i + 1).toString(16)}::1`
    expect(await run(limiter, many(50, inOne64), 'rejected')).toBe(3)
    expect(
      await run(
        limiter,
        many(1, () => '2001:db8:0:8::1'),
        'rejected',
      ),
    ).toBe(1)
  })

  it('keeps its memory bounded under a spray of client keys', async () => {
    const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1_000_000 }, 0)
    await run(
      limiter,
      many(10_000, (i) => `ip-${String(i)}`),
      'accepted',
    )
    expect(limiter.size).toBeLessThanOrEqual(2 * settings.maxEntries)
  })
})

describe('clientGroupOf', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0DB8:0000:0000:ffff::2', '2001:db8:0:0::/64'],
    ['[2001:db8:1:2:3:4:5:6]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['::1', '0:0:0:0::/64'],
    ['usr-123', 'usr-123'],
    ['not:an:address', 'not:an:address'],
    ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9'],
  ])('%s counts as %s', (key, group) => {
    expect(clientGroupOf(key)).toBe(group)
  })

  describe('acquireWhileVerifying: a call that starts before its session-token is verified', () => {
    const early = (id: string) => ({ refreshKeyId: id, clientKey: 'ip-1' })
    /** How many rejected calls the given caller may still make, each settled at once. */
    async function budgetLeft(limiter: RefreshLimiter, verifiedUser: string | undefined) {
      let allowed = 0
      for (let i = 0; i < 10; i++) {
        const permit = await limiter.acquire(
          { refreshKeyId: `probe-${String(i)}`, verifiedUser, clientKey: 'ip-1' },
          0,
        )
        if (permit === undefined) break
        allowed++
        permit.settle('rejected', 0)
      }
      return allowed
    }

    it('verified as the user it claimed: its rejection is charged to that user, not to the address', async () => {
      const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
      const permit = limiter.acquireWhileVerifying(
        early('k1'),
        'usr-1',
        Promise.resolve('usr-1'),
        0,
      )
      expect(permit).toBeDefined()
      permit?.settle('rejected', 0)
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(await budgetLeft(limiter, 'usr-1')).toBe(2)
      expect(await budgetLeft(limiter, undefined)).toBe(3)
    })

    it('not verified (forged, or another user): its rejection is charged as an unverified call, and the claimed user keeps their budget', async () => {
      const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
      const permit = limiter.acquireWhileVerifying(
        early('k1'),
        'usr-victim',
        Promise.resolve(undefined),
        0,
      )
      permit?.settle('rejected', 0)
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(await budgetLeft(limiter, 'usr-victim')).toBe(3)
      expect(await budgetLeft(limiter, undefined)).toBe(2)
    })

    it('admits nothing acquire would refuse: with the claimed user’s budget spent it gives way, holding nothing', async () => {
      const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
      expect(await budgetLeft(limiter, 'usr-1')).toBe(3)
      const verifying = new Promise<string | undefined>(() => undefined)
      expect(limiter.acquireWhileVerifying(early('k1'), 'usr-1', verifying, 0)).toBeUndefined()
      expect(await budgetLeft(limiter, undefined)).toBe(3)
    })

    it('admits nothing acquire would refuse: with the address’s budget spent it gives way', async () => {
      const limiter = new RefreshLimiter({ ...settings, unprovenPerSecond: 1000 }, 0)
      expect(await budgetLeft(limiter, undefined)).toBe(3)
      expect(
        limiter.acquireWhileVerifying(early('k1'), 'usr-1', Promise.resolve('usr-1'), 0),
      ).toBeUndefined()
      expect(await budgetLeft(limiter, 'usr-1')).toBe(3)
    })
  })
})
