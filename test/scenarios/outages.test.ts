import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryCoordinator } from '../../src/index.js'
import type { RefreshCoordinator } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado, FakeFault } from '../../src/testing/index.js'
import { EVERYWHERE, FRAMEWORKS } from '../helpers/frameworks.js'
import { useScenario } from '../helpers/scenario.js'
import type { TestApp } from '../helpers/frameworks.js'
import { cookies } from '../helpers/http.js'

const TIMEOUT_MS = 300

describe.each(EVERYWHERE)('$name: provider faults and timeouts', (framework) => {
  const env = useScenario(framework, { refreshTimeoutMs: TIMEOUT_MS, circuitBreaker: false })

  const faults: [string, FakeFault, string][] = [
    ['500', { type: 'status', status: 500 }, 'upstream-error'],
    [
      '503 with Retry-After',
      { type: 'status', status: 503, retryAfterSeconds: 30 },
      'upstream-error',
    ],
    ['429', { type: 'status', status: 429 }, 'rate-limited'],
    ['400 (wrong project)', { type: 'status', status: 400 }, 'unexpected-status'],
    ['a hang', { type: 'hang' }, 'timeout'],
    ['a connection reset', { type: 'reset' }, 'network'],
    ['a body that is not JSON', { type: 'non-json' }, 'bad-response'],
    ['an empty body', { type: 'empty-body' }, 'bad-response'],
    ['a body without a token', { type: 'missing-token' }, 'bad-response'],
    ['a token signed by an unknown key', { type: 'unknown-key' }, 'unverifiable-token'],
    ['a token with a bad signature', { type: 'bad-signature' }, 'unverifiable-token'],
    ['a token for another user', { type: 'other-user' }, 'subject-mismatch'],
    ['an expired token', { type: 'expired-token' }, 'unverifiable-token'],
  ]

  it.each(faults)(
    '%s: fail open with the still-valid token, within the timeout',
    async (_, fault, reason) => {
      const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
      env.fake.setFault(fault)
      const started = performance.now()
      const { response, seen } = await env.app.seen(
        cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
      )
      const elapsed = performance.now() - started
      expect(response.status).toBe(200)
      expect(seen.session).toMatchObject({ userId: 'usr-1', token: sessionToken, refreshed: false })
      expect(response.headers.getSetCookie()).toEqual([])
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 200)
      expect((await env.app.stats()).failures[reason as 'network']).toBe(1)
    },
  )

  it('a hang is cut at refreshTimeoutMs, even for a request with no session-token left', async () => {
    const { refreshToken } = env.fake.login('usr-1')
    env.fake.setFault({ type: 'hang' })
    const started = performance.now()
    const { seen } = await env.app.seen(cookies({ cbo_refresh_token: refreshToken }))
    const elapsed = performance.now() - started
    expect(seen.session).toBeNull()
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20)
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 200)
  })

  it('added latency below the timeout still refreshes', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    env.fake.setLatency(100)
    const { seen } = await env.app.seen(
      cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
    )
    expect(seen.session?.refreshed).toBe(true)
  })

  it('the signing keys unavailable at start: nothing unverified is trusted, nobody is logged out', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1')
    env.fake.setFault({ type: 'status', status: 503, route: 'jwks' })
    const header = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
    const { response, seen } = await env.app.seen(header)
    expect(response.status).toBe(200)
    expect(seen.session).toBeNull()
    expect(seen.cookie).toBe(header)
    expect(response.headers.getSetCookie()).toEqual([])
  })
})

describe.each(FRAMEWORKS)('$name: circuit breaker', (framework) => {
  let fake: FakeCorbado
  let app: TestApp

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await app.close()
    await fake.close()
  })

  it('after repeated failures, refreshes are skipped for the cool-down, then tried again', async () => {
    const events: string[] = []
    app = await framework.start({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      refreshTimeoutMs: 2000,
      circuitBreaker: { failureThreshold: 3, cooldownMs: 400 },
      onCircuitChange: (event) => events.push(event.state),
    })
    const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    const header = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
    fake.setFault({ type: 'hang' })
    // Hangs are cut at 2 s; with the fault as 500 the failures come fast.
    fake.setFault({ type: 'status', status: 500 })
    for (let i = 0; i < 3; i++) await app.seen(header)
    expect(fake.refreshCount).toBe(3)
    expect(events).toEqual(['open'])

    fake.setFault({ type: 'hang' })
    const started = performance.now()
    const { seen } = await app.seen(header)
    // Not the 2 s a refresh would wait out against the hang.
    expect(performance.now() - started).toBeLessThan(1000)
    expect(seen.session?.token).toBe(sessionToken)
    expect(fake.refreshCount).toBe(3)
    expect((await app.stats()).failures['circuit-open']).toBe(1)

    fake.setFault(undefined)
    await new Promise((resolve) => setTimeout(resolve, 450))
    const after = await app.seen(header)
    expect(after.seen.session?.refreshed).toBe(true)
    expect(events).toEqual(['open', 'closed'])
  })

  it.each(['throws', 'rejects'] as const)(
    'a coordinator that %s while the circuit is half-open: fail open (coordinator-error), give the trial back, log once',
    async (how) => {
      let failNext = false
      const memory = new MemoryCoordinator()
      const coordinator: RefreshCoordinator = {
        coordinate(key, refresh) {
          if (!failNext) return memory.coordinate(key, refresh)
          failNext = false
          if (how === 'throws') throw new Error('coordinator broke')
          return Promise.reject(new Error('coordinator broke'))
        },
      }
      const lines: string[] = []
      const logger = {
        warn: (_context: Record<string, unknown>, message: string) => lines.push(message),
        error: (_context: Record<string, unknown>, message: string) => lines.push(message),
      }
      app = await framework.start({
        projectId: fake.projectId,
        frontendApiUrl: fake.url,
        circuitBreaker: { failureThreshold: 1, cooldownMs: 100 },
        coordinator,
        logger,
      })
      const { sessionToken, refreshToken } = fake.login('usr-2', { sessionLifetimeSeconds: 30 })
      const header = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
      fake.setFault({ type: 'status', status: 500, times: 1 })
      await app.seen(header)
      expect((await app.stats()).circuit).toBe('open')
      await new Promise((resolve) => setTimeout(resolve, 150))

      lines.length = 0
      failNext = true
      const during = await app.seen(header)
      expect(during.response.status).toBe(200)
      expect(during.seen.session?.token).toBe(sessionToken)
      expect((await app.stats()).failures['coordinator-error']).toBe(1)
      expect(lines.filter((line) => /coordinator/i.test(line))).toHaveLength(1)

      const after = await app.seen(header)
      expect(after.seen.session?.refreshed).toBe(true)
      expect((await app.stats()).circuit).toBe('closed')
      await app.close()
    },
  )
})
