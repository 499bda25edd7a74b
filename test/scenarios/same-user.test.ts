import { describe, expect, it } from 'vitest'
import { FRAMEWORKS } from '../helpers/frameworks.js'
import { useScenario } from '../helpers/scenario.js'
import { claimsOf, cookies, setCookieOf, valueOf } from '../helpers/http.js'

/** Everything logged, as `level message context` lines, to check that no value leaks. */
const logged: string[] = []
const logger = {
  debug: (context: Record<string, unknown>, message: string) =>
    logged.push(`debug ${message} ${JSON.stringify(context)}`),
  warn: (context: Record<string, unknown>, message: string) =>
    logged.push(`warn ${message} ${JSON.stringify(context)}`),
  error: (context: Record<string, unknown>, message: string) =>
    logged.push(`error ${message} ${JSON.stringify(context)}`),
}

describe.each(FRAMEWORKS)('$name: a refresh never switches the user', (framework) => {
  const env = useScenario(framework, { logger, circuitBreaker: { failureThreshold: 1 } })

  function mixedRequest() {
    const a = env.fake.login('usr-1001', { sessionLifetimeSeconds: 30 })
    const b = env.fake.login('usr-2002')
    return {
      a,
      b,
      header: cookies({ cbo_session_token: a.sessionToken, cbo_refresh_token: b.refreshToken }),
    }
  }

  it("A's session with B's refresh-token stays A's, also when B's refresh result is reused", async () => {
    logged.length = 0
    const { a, b, header } = mixedRequest()
    // 1. A with B's refresh-token: refused, A stays A.
    const first = await env.app.seen(header)
    expect(first.seen.session?.userId).toBe('usr-1001')
    expect(first.seen.session?.token).toBe(a.sessionToken)
    expect(first.response.headers.getSetCookie()).toEqual([])
    // 2. B's refresh-token alone: B is restored, which primes the reuse window.
    const onlyB = await env.app.seen(cookies({ cbo_refresh_token: b.refreshToken }))
    expect(onlyB.seen.session?.userId).toBe('usr-2002')
    // 3. A's mixed request again, within the window: still A, and no cookie of B's.
    const third = await env.app.seen(header)
    expect(third.seen.session?.userId).toBe('usr-1001')
    expect(third.seen.session?.token).toBe(a.sessionToken)
    expect(third.response.headers.getSetCookie()).toEqual([])
    expect((await env.app.stats()).failures['subject-mismatch']).toBe(2)
    // A mismatch is not the provider's failure: the breaker (opening at 1 failure) stays closed.
    expect((await env.app.stats()).circuit).toBe('closed')
    const mismatches = logged.filter((line) => line.includes('subject-mismatch'))
    expect(mismatches).toHaveLength(2)
    for (const secret of [a.sessionToken, a.refreshToken, b.sessionToken, b.refreshToken]) {
      expect(logged.join('\n')).not.toContain(secret)
    }
    expect(mismatches.join('\n')).not.toMatch(/usr-1001|usr-2002/)
  })

  it("B's own requests waiting on the same refresh still get B's token", async () => {
    const { b, header } = mixedRequest()
    env.fake.setLatency(100)
    const [mixed, ...own] = await Promise.all([
      env.app.seen(header),
      ...Array.from({ length: 3 }, () =>
        env.app.seen(cookies({ cbo_refresh_token: b.refreshToken })),
      ),
    ])
    expect(env.fake.refreshCount).toBe(1)
    expect(mixed.seen.session?.userId).toBe('usr-1001')
    expect(mixed.response.headers.getSetCookie()).toEqual([])
    for (const { seen, response } of own) {
      expect(seen.session?.userId).toBe('usr-2002')
      expect(claimsOf(valueOf(setCookieOf(response, 'cbo_session_token'))!).sub).toBe('usr-2002')
    }
  })

  it('an expired session of A with B’s refresh-token is served anonymous, not as B', async () => {
    const expiredA = env.fake.mintSessionToken('usr-1001', { expiresInSeconds: -10 })
    const b = env.fake.login('usr-2002')
    await env.app.seen(cookies({ cbo_refresh_token: b.refreshToken }))
    const { seen, response } = await env.app.seen(
      cookies({ cbo_session_token: expiredA, cbo_refresh_token: b.refreshToken }),
    )
    expect(seen.session).toBeNull()
    expect(response.headers.getSetCookie()).toEqual([])
  })
})
