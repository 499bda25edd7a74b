import { describe, expect, it } from 'vitest'
import { EVERYWHERE } from '../helpers/frameworks.js'
import { useScenario } from '../helpers/scenario.js'
import { claimsOf, cookies, setCookieOf, valueOf } from '../helpers/http.js'

describe.each(EVERYWHERE)('$name: concurrency', (framework) => {
  const env = useScenario(framework)

  it('50 parallel requests with one expiring session make 1 refresh call and all see the same new token', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    env.fake.setLatency(100)
    const header = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
    const results = await Promise.all(Array.from({ length: 50 }, () => env.app.seen(header)))
    expect(env.fake.refreshCount).toBe(1)
    const seenTokens = new Set(results.map((r) => r.seen.session?.token))
    const written = new Set(
      results.map((r) => valueOf(setCookieOf(r.response, 'cbo_session_token'))),
    )
    expect(seenTokens.size).toBe(1)
    expect(written).toEqual(seenTokens)
    expect([...seenTokens][0]).not.toBe(sessionToken)
    expect(await env.app.stats()).toMatchObject({
      upstreamRefreshes: 1,
      refreshes: 50,
      coalesced: 49,
    })
  })

  it('a request arriving just after a refresh reuses its result', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    const header = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
    const first = await env.app.seen(header)
    const second = await env.app.seen(header)
    expect(env.fake.refreshCount).toBe(1)
    expect(second.seen.session?.token).toBe(first.seen.session?.token)
  })

  it('20 users × 10 parallel requests: each user gets only their own token, one call per user', async () => {
    env.fake.setLatency(50)
    const users = Array.from({ length: 20 }, (_, i) => {
      const userId = `usr-${1000 + i}`
      const { sessionToken, refreshToken } = env.fake.login(userId, { sessionLifetimeSeconds: 30 })
      return {
        userId,
        header: cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
      }
    })
    const requests = users.flatMap((user) =>
      Array.from({ length: 10 }, async () => ({ user, ...(await env.app.seen(user.header)) })),
    )
    const results = await Promise.all(requests)
    for (const { user, response, seen } of results) {
      const written = valueOf(setCookieOf(response, 'cbo_session_token'))!
      expect(claimsOf(written).sub).toBe(user.userId)
      expect(seen.session?.userId).toBe(user.userId)
      expect(claimsOf(seen.session!.token).sub).toBe(user.userId)
    }
    expect(env.fake.refreshCount).toBe(20)
  })
})

describe.each(EVERYWHERE)('$name: concurrency under the refresh rate limit', (framework) => {
  const env = useScenario(framework, {
    refreshRateLimit: { perClientPerMinute: 1, unprovenPerSecond: 1000 },
  })

  it('makes a second made-up refresh-token wait for the first call’s verdict, then refuses it', async () => {
    // The first call is in flight when the second asks: the second waits on a timer (a plain
    // number on Deno and workerd) instead of being refused at once, or calling too.
    env.fake.setLatency(300)
    const [first, second] = await Promise.all([
      env.app.seen('cbo_refresh_token=made-up-1'),
      env.app.seen('cbo_refresh_token=made-up-2'),
    ])
    expect([first.seen.session, second.seen.session]).toEqual([null, null])
    expect(env.fake.refreshCount).toBe(1)
    const { failures } = await env.app.stats()
    expect(failures.throttled).toBe(1)
    expect(failures['coordinator-error']).toBe(0)
  })
})
