import { describe, expect, it } from 'vitest'
import type { FakeCorbado } from '../../src/testing/index.js'
import { EVERYWHERE } from '../helpers/frameworks.js'
import { useScenario } from '../helpers/scenario.js'
import { claimsOf, cookies, setCookieOf, valueOf } from '../helpers/http.js'

// One row of the behaviour table in docs/how-it-works.md per test, on every framework and runtime.
describe.each(EVERYWHERE)('$name: behaviour table', (framework) => {
  const env = useScenario(framework)

  it('no tokens: nothing happens, the response is untouched', async () => {
    const { response, seen } = await env.app.seen('theme=dark')
    expect(seen).toEqual({ session: null, cookie: 'theme=dark' })
    expect(response.headers.getSetCookie()).toEqual([])
    expect(response.headers.get('cache-control')).toBeNull()
    expect(env.fake.refreshCount).toBe(0)
  })

  it('a fresh valid token: no refresh, downstream sees the session', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1')
    const header = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
    const { response, seen } = await env.app.seen(header)
    expect(seen.session).toMatchObject({ userId: 'usr-1', token: sessionToken, refreshed: false })
    expect(seen.cookie).toBe(header)
    expect(response.headers.getSetCookie()).toEqual([])
    expect(response.headers.get('vary')).toBeNull()
    expect(env.fake.refreshCount).toBe(0)
  })

  it.each([
    ['near expiry', (f: FakeCorbado) => f.login('usr-1', { sessionLifetimeSeconds: 30 })],
    [
      'past expiry',
      (f: FakeCorbado) => ({
        ...f.login('usr-1'),
        sessionToken: f.mintSessionToken('usr-1', { expiresInSeconds: -5 }),
      }),
    ],
    ['missing', (f: FakeCorbado) => ({ ...f.login('usr-1'), sessionToken: undefined })],
    [
      'unverifiable',
      (f: FakeCorbado) => ({
        ...f.login('usr-1'),
        sessionToken: f.mintSessionToken('usr-1', { signer: 'unknown-key' }),
      }),
    ],
  ])(
    'a session-token %s with a refresh-token: refreshed, on the request and the response',
    async (_, tokens) => {
      const { sessionToken, refreshToken } = tokens(env.fake)
      const { response, seen } = await env.app.seen(
        cookies({ a: '1', cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
      )
      const written = valueOf(setCookieOf(response, 'cbo_session_token'))
      expect(written).toBeDefined()
      expect(written).not.toBe(sessionToken)
      expect(claimsOf(written!).sub).toBe('usr-1')
      expect(seen.session).toMatchObject({ userId: 'usr-1', token: written, refreshed: true })
      expect(seen.cookie).toContain(`cbo_session_token=${written}`)
      expect(seen.cookie).toContain('a=1')
      expect(seen.cookie).toContain(`cbo_refresh_token=${refreshToken}`)
      expect(response.headers.get('cache-control')).toBe('private, no-store')
      expect(response.headers.get('vary')).toMatch(/\bCookie\b/)
      expect(env.fake.refreshCount).toBe(1)
    },
  )

  it('refresh answered 401: the session ends, cookies are cleared, downstream is anonymous', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    env.fake.revoke(refreshToken)
    const { response, seen } = await env.app.seen(
      cookies({ a: '1', cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
    )
    expect(seen).toEqual({ session: null, cookie: 'a=1' })
    const cleared = setCookieOf(response, 'cbo_session_token')
    expect(cleared).toMatch(
      /^cbo_session_token=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/,
    )
    expect(setCookieOf(response, 'cbo_refresh_token')).toMatch(
      /^cbo_refresh_token=; Max-Age=0; Path=\//,
    )
    expect(response.headers.get('cache-control')).toBe('private, no-store')
  })

  it('a revoked session with only the refresh-token left: anonymous, the dead cookie is cleared', async () => {
    const { refreshToken } = env.fake.login('usr-1')
    env.fake.revoke(refreshToken)
    const { response, seen } = await env.app.seen(
      cookies({ cbo_refresh_token: refreshToken, b: '2' }),
    )
    expect(seen).toEqual({ session: null, cookie: 'b=2' })
    expect(valueOf(setCookieOf(response, 'cbo_refresh_token'))).toBe('')
    expect(valueOf(setCookieOf(response, 'cbo_session_token'))).toBe('')
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('vary')).toMatch(/\bCookie\b/)
    expect(env.fake.refreshCount).toBe(1)
  })

  it('a revoked session under the legacy names: every Corbado cookie it sent is cleared', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    env.fake.revoke(refreshToken)
    const { response, seen } = await env.app.seen(
      cookies({ cbo_short_session: sessionToken, cbo_long_session: refreshToken }),
    )
    expect(seen).toEqual({ session: null, cookie: null })
    const cleared = response.headers
      .getSetCookie()
      .filter((cookie) => valueOf(cookie) === '' && cookie.includes('Max-Age=0'))
      .map((cookie) => cookie.split('=')[0])
    expect(cleared.sort()).toEqual(['cbo_long_session', 'cbo_session_token', 'cbo_short_session'])
  })

  it('refresh answered 403: the session ends too', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    env.fake.setFault({ type: 'status', status: 403 })
    const { response, seen } = await env.app.seen(
      cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
    )
    expect(seen.session).toBeNull()
    expect(valueOf(setCookieOf(response, 'cbo_session_token'))).toBe('')
  })

  it('a transient failure with a still valid token: served fail-open with the old token, no cookie written', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    env.fake.setFault({ type: 'status', status: 503, retryAfterSeconds: 5 })
    const header = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
    const { response, seen } = await env.app.seen(header)
    expect(seen.session).toMatchObject({ userId: 'usr-1', token: sessionToken, refreshed: false })
    expect(seen.cookie).toBe(header)
    expect(response.headers.getSetCookie()).toEqual([])
    expect(response.headers.get('cache-control')).toBeNull()
  })

  it('a transient failure with an expired token: anonymous, but nothing is cleared', async () => {
    const { refreshToken } = env.fake.login('usr-1')
    const expired = env.fake.mintSessionToken('usr-1', { expiresInSeconds: -5 })
    env.fake.setFault({ type: 'status', status: 500 })
    const header = cookies({ cbo_session_token: expired, cbo_refresh_token: refreshToken })
    const { response, seen } = await env.app.seen(header)
    expect(seen).toEqual({ session: null, cookie: header })
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('downstream writes its own session cookie (logout): downstream wins', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    const response = await env.app.get(
      '/logout',
      cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
    )
    const written = response.headers
      .getSetCookie()
      .filter((c) => c.startsWith('cbo_session_token='))
    expect(written).toHaveLength(1)
    expect(valueOf(written[0])).toBe('')
  })

  it.each(['OPTIONS', 'HEAD'])('%s requests never refresh', async (method) => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    const response = await env.app.get(
      '/session',
      cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
      {
        method,
      },
    )
    expect(response.headers.getSetCookie()).toEqual([])
    expect(env.fake.refreshCount).toBe(0)
  })

  it('a refresh-token alone (session cookie gone with the browser closed) recovers the session', async () => {
    const { refreshToken } = env.fake.login('usr-7')
    const { response, seen } = await env.app.seen(cookies({ cbo_refresh_token: refreshToken }))
    expect(seen.session?.userId).toBe('usr-7')
    expect(valueOf(setCookieOf(response, 'cbo_session_token'))).toBe(seen.session?.token)
  })
})
