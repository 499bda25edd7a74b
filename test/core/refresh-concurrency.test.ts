import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConcurrencyLimit } from '../../src/core/concurrency-limit.js'
import { createKeepAlive } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'

describe('ConcurrencyLimit', () => {
  it('admits up to its bound, then one waiter per release, in arrival order', async () => {
    const limit = new ConcurrencyLimit(2)
    expect(await limit.acquire(1000)).toBe(true)
    expect(await limit.acquire(1000)).toBe(true)
    const order: string[] = []
    const third = limit.acquire(1000).then((admitted) => order.push(`third ${admitted}`))
    const fourth = limit.acquire(1000).then((admitted) => order.push(`fourth ${admitted}`))
    expect(limit.waiting).toBe(2)
    limit.release(10)
    await third
    expect(order).toEqual(['third true'])
    limit.release(11)
    await fourth
    expect(order).toEqual(['third true', 'fourth true'])
    limit.release(12)
    limit.release(13)
    // Both places are free again.
    expect(await limit.acquire(0)).toBe(true)
    expect(await limit.acquire(0)).toBe(true)
  })

  it('turns away a waiter whose turn comes after its time ran out, and passes the place on', async () => {
    const limit = new ConcurrencyLimit(1)
    expect(await limit.acquire(100)).toBe(true)
    const late = limit.acquire(100)
    const inTime = limit.acquire(300)
    limit.release(200)
    expect(await late).toBe(false)
    expect(await inTime).toBe(true)
    expect(limit.waiting).toBe(0)
  })
})

describe('refreshConcurrency', () => {
  let fake: FakeCorbado
  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  /** A fetch that counts the refresh calls in flight, and the most at once. */
  function countingFetch() {
    const seen = { inFlight: 0, most: 0, calls: 0 }
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const refresh = String(input instanceof Request ? input.url : input).endsWith(
        '/v2/me/refresh',
      )
      if (!refresh) return globalThis.fetch(input, init)
      seen.calls++
      seen.inFlight++
      seen.most = Math.max(seen.most, seen.inFlight)
      try {
        return await globalThis.fetch(input, init)
      } finally {
        seen.inFlight--
      }
    }
    return { fetch, seen }
  }

  it('bounds the upstream refreshes in flight; the others wait their turn and are refreshed too', async () => {
    fake.setLatency(50)
    try {
      const { fetch, seen } = countingFetch()
      const keepAlive = createKeepAlive({
        projectId: fake.projectId,
        frontendApiUrl: fake.url,
        refreshConcurrency: 2,
        fetch,
      })
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => {
          const { sessionToken, refreshToken } = fake.login(`usr-77000${i}`, {
            sessionLifetimeSeconds: 30,
          })
          return Promise.resolve(
            keepAlive.handle({
              method: 'GET',
              cookieHeader: `cbo_session_token=${sessionToken}; cbo_refresh_token=${refreshToken}`,
              clientAddress: undefined,
              raw: {},
            }),
          )
        }),
      )
      expect(outcomes.map((outcome) => outcome.action)).toEqual(Array(8).fill('refreshed'))
      expect(seen.calls).toBe(8)
      expect(seen.most).toBe(2)
    } finally {
      fake.setLatency(0)
    }
  })

  it('does not make the call of a request whose refreshTimeoutMs ran out while it waited for a place', async () => {
    fake.setLatency(400)
    try {
      const { fetch, seen } = countingFetch()
      const keepAlive = createKeepAlive({
        projectId: fake.projectId,
        frontendApiUrl: fake.url,
        refreshConcurrency: 1,
        refreshTimeoutMs: 600,
        fetch,
      })
      const sessions = [0, 1, 2].map((i) =>
        fake.login(`usr-78000${i}`, { sessionLifetimeSeconds: 30 }),
      )
      // The tokens are verified first, so each request's whole budget goes to its refresh.
      for (const { sessionToken } of sessions) {
        await keepAlive.handle({
          method: 'HEAD',
          cookieHeader: `cbo_session_token=${sessionToken}`,
          clientAddress: undefined,
          raw: {},
        })
      }
      // Whichever goes first: its call takes 400 ms. The second's starts then and would end at
      // 800 ms, after its 600 ms budget. The third's turn comes at 800 ms, 200 ms after it was
      // answered: its call is never made.
      const outcomes = await Promise.all(
        sessions.map(({ sessionToken, refreshToken }) =>
          Promise.resolve(
            keepAlive.handle({
              method: 'GET',
              cookieHeader: `cbo_session_token=${sessionToken}; cbo_refresh_token=${refreshToken}`,
              clientAddress: undefined,
              raw: {},
            }),
          ),
        ),
      )
      expect(outcomes.map((outcome) => `${outcome.action} ${outcome.failure}`).sort()).toEqual([
        'failed timeout',
        'failed timeout',
        'refreshed undefined',
      ])
      // Still-valid sessions are served as they are.
      expect(outcomes.map((outcome) => outcome.session?.userId)).toEqual([
        'usr-780000',
        'usr-780001',
        'usr-780002',
      ])
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(seen.calls).toBe(2)
    } finally {
      fake.setLatency(0)
    }
  })
})
