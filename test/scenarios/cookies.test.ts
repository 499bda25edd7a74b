import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { EVERYWHERE, FRAMEWORKS } from '../helpers/frameworks.js'
import type { TestApp } from '../helpers/frameworks.js'
import { claimsOf, cookies, setCookieOf, valueOf } from '../helpers/http.js'

describe.each(EVERYWHERE)('$name: the session cookie', (framework) => {
  let fake: FakeCorbado
  let app: TestApp | undefined

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await framework.stop?.()
    await fake.close()
  })
  beforeEach(() => {
    fake.setFault(undefined)
    fake.resetCalls()
  })
  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  async function start(extra: Record<string, unknown> = {}): Promise<TestApp> {
    app = await framework.start({ projectId: fake.projectId, frontendApiUrl: fake.url, ...extra })
    return app
  }

  function expiring(userId = 'usr-1') {
    const { sessionToken, refreshToken } = fake.login(userId, { sessionLifetimeSeconds: 30 })
    return cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
  }

  it('is written with Path=/, Secure, SameSite=Lax, no HttpOnly, and Expires at the token’s exp', async () => {
    const a = await start()
    const response = await a.get('/session', expiring())
    const written = setCookieOf(response, 'cbo_session_token')!
    const exp = claimsOf(valueOf(written)!).exp as number
    const attributes = written.split('; ').slice(1)
    expect(attributes).toEqual([
      'Path=/',
      `Expires=${new Date(exp * 1000).toUTCString()}`,
      'Secure',
      'SameSite=Lax',
    ])
  })

  it('carries the configured Domain, Path and SameSite', async () => {
    const a = await start({ cookie: { domain: 'example.com', path: '/app', sameSite: 'strict' } })
    const written = setCookieOf(await a.get('/session', expiring()), 'cbo_session_token')!
    expect(written).toContain('; Domain=example.com')
    expect(written).toContain('; Path=/app')
    expect(written).toContain('; SameSite=Strict')
  })

  it('clears a dead refresh cookie where the gateway writes it (host-only, Path=/) too, when the session cookie has a Domain', async () => {
    const a = await start({ cookie: { domain: 'example.com', path: '/app' } })
    const { refreshToken } = fake.login('usr-1')
    fake.revoke(refreshToken)
    const response = await a.get('/session', cookies({ cbo_refresh_token: refreshToken }))
    const clearings = response.headers
      .getSetCookie()
      .filter((cookie) => cookie.startsWith('cbo_refresh_token=;'))
      .map((cookie) => cookie.split('; ').filter((part) => /^(Domain|Path|Max-Age)=/.test(part)))
    expect(clearings).toEqual([
      ['Max-Age=0', 'Domain=example.com', 'Path=/app'],
      ['Max-Age=0', 'Path=/'],
    ])
    expect(fake.refreshCount).toBe(1)
  })

  it('keeps every other request cookie for downstream, byte for byte', async () => {
    const a = await start()
    const others = 'a=1; prefs=%7B%22x%22%3A1%7D; q="quoted value"; __Host-id=abc'
    const { seen } = await a.seen(`${others}; ${expiring()}`)
    for (const cookie of others.split('; ')) expect(seen.cookie).toContain(cookie)
    expect(seen.session?.refreshed).toBe(true)
  })

  it('keeps every Set-Cookie downstream wrote, however it wrote them', async () => {
    const a = await start()
    const response = await a.get('/downstream-cookies', expiring())
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0])
    expect(names.sort()).toEqual(['a', 'b', 'c', 'cbo_session_token', 'd'])
  })

  it('keeps a Set-Cookie passed to writeHead', async () => {
    const a = await start()
    const response = await a.get('/write-head', expiring())
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0])
    expect(names.sort()).toEqual(['cbo_session_token', 'w'])
    expect(await response.text()).toBe('raw')
  })

  it('keeps the Set-Cookies of raw array writeHead headers, and makes that response private', async () => {
    const a = await start()
    const response = await a.get('/write-head-array', expiring())
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0])
    expect(names.sort()).toEqual(['cbo_session_token', 'w', 'x'])
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie')
    expect(response.headers.get('cdn-cache-control')).toBeNull()
    expect(response.headers.get('surrogate-control')).toBeNull()
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(await response.text()).toBe('raw')
  })

  it('leaves raw array writeHead headers alone when the response carries no session cookie', async () => {
    const a = await start()
    const response = await a.get(
      '/write-head-array',
      cookies({ cbo_session_token: fake.login('usr-1').sessionToken }),
    )
    // Which of the array's duplicate Set-Cookies survive is Node's business here, not ours.
    expect(setCookieOf(response, 'cbo_session_token')).toBeUndefined()
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600')
    expect(response.headers.get('cdn-cache-control')).toBe('max-age=3600')
    expect(response.headers.get('surrogate-control')).toBe('max-age=3600')
  })

  it('survives a redirect', async () => {
    const a = await start()
    const response = await a.get('/redirect', expiring())
    expect(response.status).toBe(302)
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
    expect(response.headers.get('cache-control')).toBe('private, no-store')
  })

  it('makes a response downstream marked cacheable private, and varies it on Cookie', async () => {
    const a = await start()
    const response = await a.get('/cacheable', expiring())
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie')
    expect(await response.text()).toBe('cached')
  })

  it('leaves a cacheable response alone when it carries no session cookie', async () => {
    const a = await start()
    const response = await a.get(
      '/cacheable',
      cookies({ cbo_session_token: fake.login('usr-1').sessionToken }),
    )
    expect(response.headers.getSetCookie()).toEqual([])
    expect(response.headers.get('cache-control')).toBe('public, max-age=60')
    expect(response.headers.get('vary')).toBe('Accept-Encoding')
  })

  it('survives a streamed response whose headers were flushed first', async () => {
    const a = await start()
    const response = await a.get('/stream', expiring())
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
    expect(await response.text()).toBe('chunk 0\nchunk 1\nchunk 2\n')
  })

  it('is written when downstream throws, and the error still reaches the framework', async () => {
    const a = await start()
    const response = await a.get('/throws', expiring())
    expect(response.status).toBe(500)
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
  })

  it.each([
    ['cbo_short_session', 'cbo_long_session'],
    ['cbo_short_session', 'cbo_refresh_token'],
    ['cbo_session_token', 'cbo_long_session'],
  ])(
    'reads the legacy names (%s + %s) and writes cbo_session_token',
    async (sessionName, refreshName) => {
      const a = await start()
      const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
      const { response, seen } = await a.seen(
        cookies({ [sessionName]: sessionToken, [refreshName]: refreshToken }),
      )
      const written = valueOf(setCookieOf(response, 'cbo_session_token'))
      expect(seen.session).toMatchObject({ userId: 'usr-1', token: written, refreshed: true })
      expect(seen.cookie).toContain(`cbo_session_token=${written}`)
      expect(seen.cookie).not.toContain('cbo_short_session=')
      expect(fake.calls.at(-1)?.headers.authorization).toBe(`Bearer ${refreshToken}`)
    },
  )

  it('sends the refresh-token as a bearer and as the cbo_refresh_token cookie, with the project ID', async () => {
    const a = await start()
    const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    await a.get(
      '/session',
      cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
    )
    const call = fake.calls.find((c) => c.path === '/v2/me/refresh')!
    expect(call.method).toBe('POST')
    expect(call.headers.authorization).toBe(`Bearer ${refreshToken}`)
    expect(call.headers.cookie).toBe(`cbo_refresh_token=${refreshToken}`)
    expect(call.headers['x-corbado-projectid']).toBe(fake.projectId)
  })

  it('leaves one session cookie for downstream when the browser sent several', async () => {
    const a = await start()
    const fresh = fake.login('usr-1').sessionToken
    const other = fake.login('usr-2').sessionToken
    const { seen } = await a.seen(
      `cbo_session_token=${fresh}; x=1; cbo_session_token=${other}; cbo_short_session=${other}`,
    )
    expect(seen.session?.userId).toBe('usr-1')
    expect(seen.cookie).toBe(`cbo_session_token=${fresh}; x=1`)
  })
})

// A function option: in-process frameworks only (see RUNTIMES).
describe.each(FRAMEWORKS)('$name: the session cookie, from getRefreshToken', (framework) => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('uses a refresh-token from getRefreshToken when configured', async () => {
    const { refreshToken } = fake.login('usr-5')
    const a = await framework.start({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      getRefreshToken: () => refreshToken,
    })
    try {
      const { seen } = await a.seen('unrelated=1')
      expect(seen.session).toMatchObject({ userId: 'usr-5', refreshed: true })
    } finally {
      await a.close()
    }
  })
})
