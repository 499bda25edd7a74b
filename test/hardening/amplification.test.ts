/**
 * Amplification and breaker completeness, through createKeepAlive().handle() with an in-memory
 * Frontend API: many made-up refresh-tokens cost a bounded number of upstream calls, a legitimate
 * burst of one session is never throttled, and hangs open the circuit.
 */
import { describe, expect, it } from 'vitest'
import { createKeepAlive, MemoryCoordinator } from '../../src/index.js'
import type { KeepAliveOptions } from '../../src/index.js'

const PROJECT_ID = 'pro-1234567890'
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const token = (sub: string, expIn: number) =>
  `${b64({ alg: 'RS256' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + expIn })}.c2ln`

/** Counts refresh calls; answers 401 (made-up tokens) or a token for `good-*` refresh-tokens. */
function frontendApi(behaviour: 'answer' | 'hang' = 'answer') {
  const calls = { count: 0 }
  const fetch = (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.count++
    if (behaviour === 'hang') {
      return new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => {
          reject(new DOMException('aborted', 'TimeoutError'))
        })
      })
    }
    const auth = new Headers(init?.headers).get('authorization') ?? ''
    if (!auth.startsWith('Bearer good-'))
      return Promise.resolve(new Response('{}', { status: 401 }))
    return Promise.resolve(Response.json({ sessionToken: token('usr-1', 300) }))
  }
  return { calls, fetch }
}

function keepAlive(fetch: KeepAliveOptions['fetch'], extra: Partial<KeepAliveOptions> = {}) {
  return createKeepAlive({
    projectId: PROJECT_ID,
    verify: false,
    refreshTimeoutMs: 200,
    fetch,
    ...extra,
  })
}

describe('amplification: many made-up refresh-tokens', () => {
  it('from one client cost at most perClientPerMinute upstream calls; the rest are throttled', async () => {
    const api = frontendApi()
    const k = keepAlive(api.fetch, { refreshRateLimit: { perClientPerMinute: 10 } })
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, async (_, i) =>
        k.handle({
          method: 'GET',
          cookieHeader: `cbo_refresh_token=fake-${String(i)}`,
          clientAddress: '203.0.113.9',
          raw: {},
        }),
      ),
    )
    expect(api.calls.count).toBe(10)
    expect(outcomes.filter((o) => o.failure === 'throttled')).toHaveLength(490)
    // Throttled is fail-open: nothing is cleared.
    expect(outcomes.filter((o) => o.failure === 'throttled' && o.setCookies.length > 0)).toEqual([])
    expect(k.stats().failures.throttled).toBe(490)
    expect(k.stats().circuit).toBe('closed')
  })

  it('from many addresses cost at most the global budget', async () => {
    const api = frontendApi()
    const k = keepAlive(api.fetch, { refreshRateLimit: { unprovenPerSecond: 4 } })
    await Promise.all(
      Array.from({ length: 500 }, async (_, i) =>
        k.handle({
          method: 'GET',
          cookieHeader: `cbo_refresh_token=fake-${String(i)}`,
          clientAddress: `10.0.${String(i >> 8)}.${String(i & 255)}`,
          raw: {},
        }),
      ),
    )
    expect(api.calls.count).toBe(20) // 5 seconds' worth
  })

  it('a burst of one session is one upstream call and never throttled', async () => {
    const api = frontendApi()
    const k = keepAlive(api.fetch, { refreshRateLimit: { perClientPerMinute: 1 } })
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, async () =>
        k.handle({
          method: 'GET',
          cookieHeader: 'cbo_refresh_token=good-1',
          clientAddress: '1.1.1.1',
          raw: {},
        }),
      ),
    )
    expect(api.calls.count).toBe(1)
    expect(outcomes.every((o) => o.action === 'refreshed')).toBe(true)
  })

  it('a refresh-token that refreshed before is not limited later', async () => {
    const api = frontendApi()
    const k = keepAlive(api.fetch, {
      refreshRateLimit: { perClientPerMinute: 1 },
      coordinator: new MemoryCoordinator({ resultTtlMs: 1 }),
    })
    const request = {
      method: 'GET',
      cookieHeader: 'cbo_refresh_token=good-2',
      clientAddress: '1.1.1.1',
      raw: {},
    }
    expect((await k.handle(request)).action).toBe('refreshed')
    await k.handle({
      method: 'GET',
      cookieHeader: 'cbo_refresh_token=fake-x',
      clientAddress: '1.1.1.1',
      raw: {},
    })
    await new Promise((resolve) => setTimeout(resolve, 10)) // past the coordinator's reuse
    expect((await k.handle(request)).action).toBe('refreshed')
    expect(api.calls.count).toBe(2)
  })

  it('refreshRateLimit: false disables the limit', async () => {
    const api = frontendApi()
    const k = keepAlive(api.fetch, { refreshRateLimit: false })
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) =>
        k.handle({
          method: 'GET',
          cookieHeader: `cbo_refresh_token=fake-${String(i)}`,
          clientAddress: undefined,
          raw: {},
        }),
      ),
    )
    expect(api.calls.count).toBe(200)
  })
})

describe('circuit breaker: hangs count', () => {
  it('refreshes that hang open the circuit, after which requests pass at once', async () => {
    const api = frontendApi('hang')
    const events: string[] = []
    const k = keepAlive(api.fetch, {
      circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 },
      onCircuitChange: (event) => events.push(event.state),
    })
    const near = token('usr-1', 30)
    for (let i = 0; i < 3; i++) {
      await k.handle({
        method: 'GET',
        cookieHeader: `cbo_session_token=${near}; cbo_refresh_token=rt-${String(i)}`,
        clientAddress: undefined,
        raw: {},
      })
    }
    // The upstream timeouts settle just after the requests' own deadlines.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(events).toEqual(['open'])
    const started = performance.now()
    const outcome = await k.handle({
      method: 'GET',
      cookieHeader: `cbo_session_token=${near}; cbo_refresh_token=rt-9`,
      clientAddress: undefined,
      raw: {},
    })
    // At once: well under the 200 ms refreshTimeoutMs a refresh would wait out.
    expect(performance.now() - started).toBeLessThan(150)
    expect(outcome.failure).toBe('circuit-open')
    expect(outcome.session?.userId).toBe('usr-1')
    expect(api.calls.count).toBe(3)
  })
})

describe('duplicate session cookies', () => {
  it.each([
    ['an empty one first', 'cbo_session_token=; cbo_session_token=x; a=1'],
    [
      'a percent-encoded one that decodes to a second cookie',
      'cbo_session_token=a%3B%20cbo_session_token%3Dforged; cbo_short_session=y; a=1',
    ],
  ])('%s: downstream sees at most one', async (_, header) => {
    const k = keepAlive(frontendApi().fetch)
    const outcome = await k.handle({
      method: 'GET',
      cookieHeader: header,
      clientAddress: undefined,
      raw: {},
    })
    const out = outcome.requestCookieHeader ?? header
    const sessions = out
      .split(';')
      .filter((part) => /^\s*cbo_(session_token|short_session)=/.test(part))
    expect(sessions.length).toBeLessThanOrEqual(1)
    expect(out).toContain('a=1')
  })
})
