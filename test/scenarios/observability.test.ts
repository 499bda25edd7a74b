import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado, FakeFault } from '../../src/testing/index.js'
import type { KeepAliveOptions } from '../../src/index.js'
import { FRAMEWORKS } from '../helpers/frameworks.js'
import { cookies } from '../helpers/http.js'

/** Everything a value reaching a log or hook could be turned into text as. */
function serialise(value: unknown): string {
  const seen = new WeakSet()
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Error) {
      return {
        ...Object.fromEntries(Object.entries(v)),
        name: v.name,
        message: v.message,
        stack: v.stack,
        cause: v.cause,
      }
    }
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]'
      seen.add(v)
    }
    return v
  })
}

describe.each(FRAMEWORKS)('$name: observability', (framework) => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('no token or refresh-token value ever reaches the logger, a hook or an error', async () => {
    const recorded: unknown[] = []
    const record =
      (kind: string) =>
      (...args: unknown[]) =>
        recorded.push({ kind, args })
    const options: KeepAliveOptions<never> = {
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      refreshTimeoutMs: 300,
      circuitBreaker: { failureThreshold: 2, cooldownMs: 50 },
      logger: {
        debug: record('debug'),
        info: record('info'),
        warn: record('warn'),
        error: record('error'),
      },
      onRefresh: record('onRefresh'),
      onSessionEnded: record('onSessionEnded'),
      onError: record('onError'),
      onCircuitChange: record('onCircuitChange'),
    }
    const app = await framework.start(options)
    const secrets: string[] = []
    const faults: (FakeFault | undefined)[] = [
      undefined,
      { type: 'status', status: 500 },
      { type: 'hang' },
      { type: 'non-json' },
      { type: 'other-user' },
      { type: 'unknown-key' },
      { type: 'status', status: 400 },
      { type: 'status', status: 401 },
    ]
    for (const fault of faults) {
      const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
      secrets.push(sessionToken, refreshToken)
      fake.setFault(fault)
      const response = await app.get(
        '/session',
        cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
      )
      for (const cookie of response.headers.getSetCookie()) {
        const value = cookie.split(';')[0]!.split('=')[1]!
        if (value !== '') secrets.push(value)
      }
      await new Promise((resolve) => setTimeout(resolve, 60))
    }
    const forged = fake.mintSessionToken('usr-1', { signer: 'unknown-key' })
    secrets.push(forged)
    await app.get('/session', cookies({ cbo_session_token: forged }))
    fake.setFault(undefined)
    await app.close()

    const kinds = new Set(recorded.map((r) => (r as { kind: string }).kind))
    expect(kinds).toEqual(
      new Set(['debug', 'warn', 'onRefresh', 'onSessionEnded', 'onError', 'onCircuitChange']),
    )
    const text = serialise(recorded)
    for (const secret of secrets) {
      expect(text).not.toContain(secret)
      // Parts of a JWT are secret too: the signature alone identifies the token.
      for (const part of secret.split('.')) if (part.length > 20) expect(text).not.toContain(part)
    }
  })

  it('a hook that throws is reported and the request is still served', async () => {
    const errors: unknown[] = []
    const app = await framework.start({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      onRefresh: () => {
        throw new Error('hook bug')
      },
      onError: (error) => errors.push(error),
    })
    const { refreshToken } = fake.login('usr-1')
    const { response, seen } = await app.seen(cookies({ cbo_refresh_token: refreshToken }))
    await app.close()
    expect(response.status).toBe(200)
    expect(seen.session?.refreshed).toBe(true)
    expect(errors).toMatchObject([{ code: 'ERR_KEEPALIVE_HOOK_FAILED', hook: 'onRefresh' }])
  })

  it('stats() counts refreshes, failures, ended sessions and cache hits', async () => {
    const app = await framework.start({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      circuitBreaker: false,
    })
    const fresh = fake.login('usr-1')
    const header = cookies({ cbo_session_token: fresh.sessionToken })
    await app.get('/session', header)
    await app.get('/session', header)
    await app.get('/session', header)
    const expiring = fake.login('usr-2', { sessionLifetimeSeconds: 30 })
    await app.get(
      '/session',
      cookies({
        cbo_session_token: expiring.sessionToken,
        cbo_refresh_token: expiring.refreshToken,
      }),
    )
    const dead = fake.login('usr-3', { sessionLifetimeSeconds: 30 })
    fake.revoke(dead.refreshToken)
    await app.get(
      '/session',
      cookies({ cbo_session_token: dead.sessionToken, cbo_refresh_token: dead.refreshToken }),
    )
    const failing = fake.login('usr-4', { sessionLifetimeSeconds: 30 })
    fake.setFault({ type: 'status', status: 502, times: 1 })
    await app.get(
      '/session',
      cookies({ cbo_session_token: failing.sessionToken, cbo_refresh_token: failing.refreshToken }),
    )
    const stats = await app.stats()
    await app.close()
    expect(stats).toMatchObject({
      upstreamRefreshes: 3,
      refreshes: 1,
      coalesced: 0,
      sessionsEnded: 1,
      circuit: 'closed',
    })
    expect(stats.failures['upstream-error']).toBe(1)
    expect(stats.verifiedTokenCache.hits).toBe(2)
    expect(stats.verifiedTokenCache.hitRate).toBeGreaterThan(0)
  })
})
