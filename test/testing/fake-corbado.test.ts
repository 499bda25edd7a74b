import { Config, SDK } from '@corbado/node-sdk'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import {
  startFakeCorbado,
  type FakeCorbado,
  type FakeCorbadoOptions,
  type FakeFault,
} from '../../src/testing/index.js'
import { InvalidOptionError } from '../../src/index.js'

const started: FakeCorbado[] = []

afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
})

async function start(options?: FakeCorbadoOptions): Promise<FakeCorbado> {
  const f = await startFakeCorbado(options)
  started.push(f)
  return f
}

interface CallOptions {
  method?: string
  bearer?: string
  cookie?: string
  projectId?: string | null
  headers?: Record<string, string>
  signal?: AbortSignal
}

/** Call the fake as web-core does: project-ID header, bearer and/or cookie. */
function call(f: FakeCorbado, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers }
  const projectId = opts.projectId === undefined ? f.projectId : opts.projectId
  if (projectId !== null) headers['x-corbado-projectid'] = projectId
  if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`
  if (opts.cookie !== undefined) headers.cookie = opts.cookie
  const method = opts.method ?? (path.startsWith('/v2/me/') ? 'POST' : 'GET')
  return fetch(`${f.url}${path}`, { method, headers, signal: opts.signal ?? null })
}

const refresh = (f: FakeCorbado, opts?: CallOptions): Promise<Response> =>
  call(f, '/v2/me/refresh', opts)

async function refreshedToken(f: FakeCorbado, opts?: CallOptions): Promise<string> {
  const res = await refresh(f, opts)
  expect(res.status).toBe(200)
  const body = (await res.json()) as { sessionToken: string; shortSession: string }
  expect(body.shortSession).toBe(body.sessionToken)
  return body.sessionToken
}

const verifier = (f: FakeCorbado) => {
  const jwks = createRemoteJWKSet(new URL(`${f.url}/.well-known/jwks`))
  return (token: string) => jwtVerify(token, jwks, { issuer: f.issuer, algorithms: ['RS256'] })
}

async function expectEnvelope(res: Response, status: number, type: string): Promise<void> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as Record<string, unknown>
  expect(body).toEqual({
    httpStatusCode: status,
    message: expect.any(String) as unknown,
    requestData: { requestID: expect.stringMatching(/^req-\d+$/) as unknown, link: '' },
    runtime: expect.any(Number) as unknown,
    error: { type, links: [] },
  })
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

describe('startFakeCorbado', () => {
  it('listens on 127.0.0.1 with defaults and validates options', async () => {
    const f = await start()
    expect(f.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(f.projectId).toBe('pro-1234567890')
    expect(f.issuer).toBe(f.url)
    await expect(startFakeCorbado({ projectId: 'project-1' })).rejects.toThrow(
      'corbado-keepalive: "projectId" must be a Corbado project ID of the form "pro-<digits>", got "project-1"',
    )
    await expect(startFakeCorbado({ projectId: 'pro-x' })).rejects.toBeInstanceOf(
      InvalidOptionError,
    )
    await expect(startFakeCorbado({ sessionLifetimeSeconds: 0 })).rejects.toThrow(
      '"sessionLifetimeSeconds" must be a positive integer, got 0',
    )
    await expect(startFakeCorbado({ cookieDomain: 'bad domain' })).rejects.toThrow(
      '"cookieDomain" must be a valid cookie domain, got "bad domain"',
    )
  })
})

describe('GET /.well-known/jwks', () => {
  it('lists RS256 signing keys with pki-<digits> kids, without auth', async () => {
    const f = await start()
    const res = await call(f, '/.well-known/jwks', { projectId: null })
    expect(res.status).toBe(200)
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] }
    expect(keys).toHaveLength(1)
    expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use'])
    expect(keys[0]).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig', e: 'AQAB' })
    expect(keys[0]!.kid).toMatch(/^pki-\d+$/)
  })
})

describe('POST /v2/me/refresh', () => {
  it('answers the same fresh session-token in sessionToken and shortSession', async () => {
    const f = await start({ projectId: 'pro-42', sessionLifetimeSeconds: 120 })
    const { refreshToken } = f.login('usr-1', { name: 'Ada', email: 'ada@example.com' })
    const before = nowSeconds()
    const token = await refreshedToken(f, { bearer: refreshToken })
    const { payload, protectedHeader } = await verifier(f)(token)
    const jwks = (await (await call(f, '/.well-known/jwks')).json()) as { keys: { kid: string }[] }
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: jwks.keys[0]!.kid, typ: 'JWT' })
    expect(payload).toEqual({
      iss: f.url,
      sub: 'usr-1',
      exp: payload.iat! + 120,
      nbf: payload.iat! - 10,
      iat: expect.any(Number) as unknown,
      jti: expect.stringMatching(/^[A-Za-z0-9]{30}$/) as unknown,
      name: 'Ada',
      orig: 'ada@example.com',
      email: 'ada@example.com',
      version: 2,
    })
    expect(payload.iat).toBeGreaterThanOrEqual(before)
    expect(payload.iat).toBeLessThanOrEqual(nowSeconds())
    expect(decodeJwt(await refreshedToken(f, { bearer: refreshToken })).jti).not.toBe(payload.jti)
  })

  it('omits name and email when unknown; orig falls back to the user ID', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-2')
    const claims = decodeJwt(await refreshedToken(f, { bearer: refreshToken }))
    expect(claims).not.toHaveProperty('name')
    expect(claims).not.toHaveProperty('email')
    expect(claims.orig).toBe('usr-2')
    expect(claims.exp! - claims.iat!).toBe(300)
  })

  it('reads the bearer first, then cbo_refresh_token, then cbo_long_session', async () => {
    const f = await start()
    const { refreshToken: rt } = f.login('usr-1')
    await refreshedToken(f, { bearer: rt })
    await refreshedToken(f, { cookie: `other=1; cbo_refresh_token=${rt}` })
    await refreshedToken(f, { cookie: `cbo_long_session=${rt}` })
    // web-core in production sends an empty bearer next to the cookie.
    await refreshedToken(f, { bearer: '', cookie: `cbo_refresh_token=${rt}` })
    const res = await refresh(f, { bearer: 'not-a-session', cookie: `cbo_refresh_token=${rt}` })
    await expectEnvelope(res, 401, 'unauthorized')
  })

  it('answers 400 project_id_mismatch for a missing or wrong X-Corbado-ProjectID', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    await expectEnvelope(
      await refresh(f, { bearer: refreshToken, projectId: null }),
      400,
      'project_id_mismatch',
    )
    await expectEnvelope(
      await refresh(f, { bearer: refreshToken, projectId: 'pro-1' }),
      400,
      'project_id_mismatch',
    )
  })

  it('answers 401 with the error envelope for missing, unknown and revoked sessions', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    f.revoke(refreshToken)
    f.revoke('unknown-token-is-ignored')
    await expectEnvelope(await refresh(f, { bearer: refreshToken }), 401, 'unauthorized')
    await expectEnvelope(await refresh(f, { bearer: 'unknown' }), 401, 'unauthorized')
    await expectEnvelope(await refresh(f), 401, 'unauthorized')
  })

  it('drains and ignores a request body, rejecting more than 1 MB', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    const headers = { 'x-corbado-projectid': f.projectId, authorization: `Bearer ${refreshToken}` }
    const small = await fetch(`${f.url}/v2/me/refresh`, { method: 'POST', headers, body: '{}' })
    expect(small.status).toBe(200)
    const body = 'x'.repeat(1024 * 1024 + 1)
    await expectEnvelope(
      await fetch(`${f.url}/v2/me/refresh`, { method: 'POST', headers, body }),
      413,
      'payload_too_large',
    )
  })
})

describe('POST /v2/me/logout', () => {
  it('ends the session with 204 and clears both refresh cookies', async () => {
    const f = await start({ cookieDomain: 'auth.example.com' })
    const { refreshToken } = f.login('usr-1')
    const res = await call(f, '/v2/me/logout', { bearer: refreshToken })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    const attrs = 'Max-Age=0; Domain=auth.example.com; Path=/; HttpOnly; Secure; SameSite=Lax'
    expect(res.headers.getSetCookie()).toEqual([
      `cbo_refresh_token=; ${attrs}`,
      `cbo_long_session=; ${attrs}`,
    ])
    await expectEnvelope(await refresh(f, { bearer: refreshToken }), 401, 'unauthorized')
    await expectEnvelope(
      await call(f, '/v2/me/logout', { bearer: refreshToken }),
      401,
      'unauthorized',
    )
  })

  it('sets host-only clearing cookies without cookieDomain', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    const res = await call(f, '/v2/me/logout', { cookie: `cbo_refresh_token=${refreshToken}` })
    expect(res.status).toBe(204)
    expect(res.headers.getSetCookie()[0]).toBe(
      'cbo_refresh_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    )
  })
})

describe('GET /v2/me', () => {
  it('returns the user for a refresh-token or a session-token bearer', async () => {
    const f = await start()
    const { refreshToken, sessionToken } = f.login('usr-7', { name: 'Bo', email: 'bo@x.test' })
    for (const bearer of [refreshToken, sessionToken]) {
      const res = await call(f, '/v2/me', { bearer })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({
        id: 'usr-7',
        fullName: 'Bo',
        identifiers: [
          {
            id: expect.stringMatching(/^ide-\d+$/) as unknown,
            value: 'bo@x.test',
            type: 'email',
            status: 'verified',
          },
        ],
        socialAccounts: [],
      })
    }
  })

  it('answers 401 for revoked sessions and untrusted or expired session-tokens', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-7')
    f.revoke(refreshToken)
    const tokens = [
      refreshToken,
      f.mintSessionToken('usr-7', { signer: 'unknown-key' }),
      f.mintSessionToken('usr-7', { signer: 'none' }),
      f.mintSessionToken('usr-7', { expiresInSeconds: -5 }),
      f.mintSessionToken('usr-7', { claims: { iss: 'https://evil.test' } }),
    ]
    for (const bearer of tokens) {
      await expectEnvelope(await call(f, '/v2/me', { bearer }), 401, 'unauthorized')
    }
  })
})

describe('GET /v2/session-config', () => {
  it('advertises session management and the cookie config', async () => {
    const f = await start({ sessionLifetimeSeconds: 600, cookieDomain: 'example.com' })
    const res = await call(f, '/v2/session-config')
    expect(res.status).toBe(200)
    const cookieConfig = {
      domain: 'example.com',
      secure: true,
      sameSite: 'lax',
      path: '/',
      lifetimeSeconds: 600,
    }
    expect(await res.json()).toEqual({
      useSessionManagement: true,
      sessionTokenCookieConfig: cookieConfig,
      shortSessionCookieConfig: cookieConfig,
      frontendApiUrl: f.url,
    })
    await expectEnvelope(
      await call(f, '/v2/session-config', { projectId: null }),
      400,
      'project_id_mismatch',
    )
  })
})

describe('GET /v2/process-config', () => {
  it('answers the login flow settings with frontendApiUrl', async () => {
    const f = await start()
    const res = await call(f, '/v2/process-config')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ useServerSideProcessId: false, frontendApiUrl: f.url })
    await expectEnvelope(
      await call(f, '/v2/process-config', { projectId: 'pro-1' }),
      400,
      'project_id_mismatch',
    )
  })
})

describe('as the browser SDK calls it', () => {
  it('refreshes from the cookie when the Bearer value is empty', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-3')
    const res = await call(f, '/v2/me/refresh', {
      headers: { authorization: 'Bearer ' },
      cookie: `cbo_refresh_token=${refreshToken}`,
    })
    expect(res.status).toBe(200)
    const token = ((await res.json()) as { sessionToken: string }).sessionToken
    expect(decodeJwt(token).sub).toBe('usr-3')
    await expectEnvelope(
      await call(f, '/v2/me/refresh', { headers: { authorization: 'Bearer ' } }),
      401,
      'unauthorized',
    )
  })

  it('one cookieDomain drives session-config, the login cookie and the logout cookie', async () => {
    const f = await start({ cookieDomain: 'app.example.com' })
    const config = (await (await call(f, '/v2/session-config')).json()) as {
      sessionTokenCookieConfig: { domain: string }
    }
    expect(config.sessionTokenCookieConfig.domain).toBe('app.example.com')
    const login = await fetch(`${f.url}/__fake/login`, {
      method: 'POST',
      body: JSON.stringify({ userId: 'usr-4' }),
    })
    const [set] = login.headers.getSetCookie()
    expect(set).toMatch(
      /^cbo_refresh_token=[\w-]+; Domain=app\.example\.com; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    const logout = await call(f, '/v2/me/logout', { cookie: set!.split(';')[0]! })
    expect(logout.status).toBe(204)
    expect(logout.headers.getSetCookie()[0]).toContain('Domain=app.example.com')
  })
})

describe('CORS for authorized origins', () => {
  const app = 'https://app.example.com:8443'
  const sdkHeaders =
    'x-corbado-projectid,content-type,x-corbado-sdk,x-corbado-client-timezone,x-corbado-flags,cache-control,pragma,expires,authorization'

  it('echoes an authorized origin exactly, with credentials, and passes its preflight', async () => {
    const f = await start({ authorizedOrigins: [app] })
    const pre = await fetch(`${f.url}/v2/session-config`, {
      method: 'OPTIONS',
      headers: {
        origin: app,
        'access-control-request-method': 'GET',
        'access-control-request-headers': sdkHeaders,
      },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe(app)
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true')
    const allowed = (pre.headers.get('access-control-allow-headers') ?? '')
      .toLowerCase()
      .split(/,\s*/)
    for (const header of sdkHeaders.split(',')) expect(allowed).toContain(header)
    const res = await call(f, '/v2/session-config', { headers: { origin: app } })
    expect(res.headers.get('access-control-allow-origin')).toBe(app)
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
  })

  it('gives another origin no CORS headers and a 403 invalid_origin, for a preflight and a call alike', async () => {
    const f = await start({ authorizedOrigins: [app] })
    const evil = 'https://app.example.com.evil.test'
    const pre = await fetch(`${f.url}/v2/me/refresh`, {
      method: 'OPTIONS',
      headers: { origin: evil, 'access-control-request-method': 'POST' },
    })
    expect(pre.headers.get('access-control-allow-origin')).toBeNull()
    await expectEnvelope(pre, 403, 'invalid_origin')
    const res = await call(f, '/v2/session-config', { headers: { origin: evil } })
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('access-control-allow-credentials')).toBeNull()
    await expectEnvelope(res, 403, 'invalid_origin')
  })

  it('refreshes nothing for a call from another origin, as Corbado refuses it', async () => {
    const f = await start({ authorizedOrigins: [app] })
    const { refreshToken } = f.login('usr-cors-call')
    const cookie = `cbo_refresh_token=${refreshToken}`

    const refused = await refresh(f, { cookie, headers: { origin: 'https://evil.test' } })

    await expectEnvelope(refused, 403, 'invalid_origin')
    expect(refused.headers.get('set-cookie')).toBeNull()
    expect((await refresh(f, { cookie, headers: { origin: app } })).status).toBe(200)
    expect((await refresh(f, { cookie })).status).toBe(200)
  })

  it('rejects an authorized origin that is not an origin', async () => {
    await expect(
      startFakeCorbado({ authorizedOrigins: ['https://app.example.com/'] }),
    ).rejects.toThrow(
      '"authorizedOrigins" must hold origins such as "https://app.example.com", got "https://app.example.com/"',
    )
  })
})

describe('CORS and unknown routes', () => {
  it('answers preflights and echoes the origin with credentials', async () => {
    const f = await start()
    const origin = 'https://app.example.com'
    const pre = await fetch(`${f.url}/v2/me/refresh`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin)
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true')
    expect(pre.headers.get('access-control-allow-methods')).toBe(
      'POST, GET, PATCH, DELETE, OPTIONS',
    )
    expect(pre.headers.get('access-control-allow-headers')).toContain('X-Corbado-ProjectID')
    expect(pre.headers.get('vary')).toBe('Origin')
    const res = await call(f, '/v2/me/refresh', { headers: { origin } })
    expect(res.headers.get('access-control-allow-origin')).toBe(origin)
    expect(f.refreshCount).toBe(1)
  })

  it('answers 404 and 405 with the error envelope', async () => {
    const f = await start()
    await expectEnvelope(await call(f, '/v2/nope'), 404, 'not_found')
    await expectEnvelope(
      await call(f, '/v2/me/refresh', { method: 'GET' }),
      405,
      'method_not_allowed',
    )
  })
})

describe('control plane', () => {
  it('POST /__fake/login sets the refresh cookie; POST /__fake/revoke ends the session', async () => {
    const f = await start({ cookieDomain: 'example.com' })
    const login = await fetch(`${f.url}/__fake/login`, {
      method: 'POST',
      body: JSON.stringify({ userId: 'usr-5', email: 'e@x.test' }),
    })
    expect(login.status).toBe(200)
    const tokens = (await login.json()) as { sessionToken: string; refreshToken: string }
    expect(login.headers.getSetCookie()).toEqual([
      `cbo_refresh_token=${tokens.refreshToken}; Domain=example.com; Path=/; HttpOnly; Secure; SameSite=Lax`,
    ])
    expect((await verifier(f)(tokens.sessionToken)).payload.email).toBe('e@x.test')
    await refreshedToken(f, { cookie: `cbo_refresh_token=${tokens.refreshToken}` })
    const revoke = await fetch(`${f.url}/__fake/revoke`, {
      method: 'POST',
      body: JSON.stringify({ refreshToken: tokens.refreshToken }),
    })
    expect(revoke.status).toBe(204)
    await expectEnvelope(await refresh(f, { bearer: tokens.refreshToken }), 401, 'unauthorized')
    const bad = await fetch(`${f.url}/__fake/login`, { method: 'POST', body: '{"userId":1}' })
    await expectEnvelope(bad, 400, 'validation_error')
    await expectEnvelope(
      await fetch(`${f.url}/__fake/login`, { method: 'POST', body: 'nope' }),
      400,
      'invalid_json',
    )
  })
})

describe('mintSessionToken', () => {
  it('mints tokens with claim overrides, expiry and foreign signers', async () => {
    const f = await start()
    const verify = verifier(f)
    const custom = f.mintSessionToken('usr-1', { claims: { name: 'X', version: undefined } })
    const { payload } = await verify(custom)
    expect(payload.name).toBe('X')
    expect(payload).not.toHaveProperty('version')
    const expired = decodeJwt(f.mintSessionToken('usr-1', { expiresInSeconds: -30 }))
    expect(expired.exp).toBeLessThan(nowSeconds())
    expect(expired.iat).toBeLessThanOrEqual(expired.exp!)
    const unsigned = f.mintSessionToken('usr-1', { signer: 'none' })
    expect(decodeProtectedHeader(unsigned).alg).toBe('none')
    expect(unsigned.endsWith('.')).toBe(true)
    await expect(verify(unsigned)).rejects.toThrow()
    const foreign = f.mintSessionToken('usr-1', { signer: 'unknown-key' })
    expect(decodeProtectedHeader(foreign).kid).toMatch(/^pki-\d+$/)
    await expect(verify(foreign)).rejects.toThrow()
  })
})

describe('faults', () => {
  async function faulted(fault: FakeFault): Promise<{ f: FakeCorbado; res: Response }> {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    f.setFault(fault)
    return { f, res: await refresh(f, { bearer: refreshToken }) }
  }

  async function faultyToken(fault: FakeFault): Promise<{ f: FakeCorbado; token: string }> {
    const { f, res } = await faulted(fault)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { sessionToken: string; shortSession: string }
    expect(body.shortSession).toBe(body.sessionToken)
    return { f, token: body.sessionToken }
  }

  it('status: answers the status, the envelope and Retry-After', async () => {
    const { res } = await faulted({ type: 'status', status: 429, retryAfterSeconds: 7 })
    expect(res.headers.get('retry-after')).toBe('7')
    await expectEnvelope(res, 429, 'rate_limited')
    const plain = await faulted({ type: 'status', status: 503 })
    expect(plain.res.headers.get('retry-after')).toBeNull()
    await expectEnvelope(plain.res, 503, 'internal_error')
  })

  it('hang: never answers, so the client times out', async () => {
    const f = await start()
    f.setFault({ type: 'hang' })
    await expect(refresh(f, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({
      name: 'TimeoutError',
    })
  })

  it('reset: destroys the connection, so fetch rejects', async () => {
    const f = await start()
    f.setFault({ type: 'reset' })
    await expect(refresh(f)).rejects.toThrow(TypeError)
  })

  it('non-json, empty-body and missing-token: 200 without a usable token', async () => {
    const html = await faulted({ type: 'non-json' })
    expect(html.res.status).toBe(200)
    expect(html.res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await html.res.text()).toBe('<html>oops</html>')
    const empty = await faulted({ type: 'empty-body' })
    expect(empty.res.status).toBe(200)
    expect(await empty.res.text()).toBe('')
    const missing = await faulted({ type: 'missing-token' })
    expect(missing.res.status).toBe(200)
    expect(await missing.res.json()).toEqual({})
  })

  it('unknown-key and bad-signature: tokens for the right user that fail verification', async () => {
    for (const type of ['unknown-key', 'bad-signature'] as const) {
      const { f, token } = await faultyToken({ type })
      expect(decodeJwt(token).sub).toBe('usr-1')
      expect(decodeProtectedHeader(token).kid).toMatch(/^pki-\d+$/)
      await expect(verifier(f)(token)).rejects.toThrow()
    }
  })

  it('other-user and expired-token: valid signatures with a wrong sub or a past exp', async () => {
    const other = await faultyToken({ type: 'other-user' })
    expect((await verifier(other.f)(other.token)).payload.sub).toBe('usr-999999999')
    const expired = await faultyToken({ type: 'expired-token' })
    const claims = decodeJwt(expired.token)
    expect(claims.sub).toBe('usr-1')
    expect(claims.exp).toBeLessThan(nowSeconds())
    await expect(verifier(expired.f)(expired.token)).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    })
  })

  it('times: applies to the next N matching requests, then clears', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    f.setFault({ type: 'status', status: 502, times: 2 })
    expect((await refresh(f, { bearer: refreshToken })).status).toBe(502)
    expect((await refresh(f, { bearer: refreshToken })).status).toBe(502)
    expect((await refresh(f, { bearer: refreshToken })).status).toBe(200)
    expect(f.refreshCount).toBe(3)
  })

  it('route: hits only the chosen route; undefined clears', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    f.setFault({ type: 'status', status: 500, route: 'jwks' })
    expect((await call(f, '/.well-known/jwks')).status).toBe(500)
    expect((await refresh(f, { bearer: refreshToken })).status).toBe(200)
    f.setFault(undefined)
    expect((await call(f, '/.well-known/jwks')).status).toBe(200)
    expect(() => {
      f.setFault({ type: 'status', status: 42 })
    }).toThrow(RangeError)
    expect(() => {
      f.setFault({ type: 'hang', times: 0 })
    }).toThrow(RangeError)
  })

  it('latency: delays answers of the route before any fault', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    // 500 ms of latency against a bound of 400 ms for calls without it: clear on a busy machine.
    f.setLatency(500)
    f.setFault({ type: 'status', status: 500, times: 1 })
    let t0 = performance.now()
    expect((await refresh(f, { bearer: refreshToken })).status).toBe(500)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(495)
    t0 = performance.now()
    expect((await call(f, '/.well-known/jwks')).status).toBe(200)
    expect(performance.now() - t0).toBeLessThan(400)
    f.setLatency(0)
    t0 = performance.now()
    await refreshedToken(f, { bearer: refreshToken })
    expect(performance.now() - t0).toBeLessThan(400)
  })
})

describe('key rotation', () => {
  it('signs with a new kid and keeps the old key in the JWKS', async () => {
    const f = await start()
    const old = f.mintSessionToken('usr-1')
    await f.rotateSigningKey()
    const fresh = f.mintSessionToken('usr-1')
    expect(decodeProtectedHeader(fresh).kid).not.toBe(decodeProtectedHeader(old).kid)
    const verify = verifier(f)
    await expect(verify(old)).resolves.toBeDefined()
    await expect(verify(fresh)).resolves.toBeDefined()
    const res = await call(f, '/.well-known/jwks')
    const { keys } = (await res.json()) as { keys: { kid: string }[] }
    expect(keys.map((k) => k.kid)).toEqual([
      decodeProtectedHeader(old).kid,
      decodeProtectedHeader(fresh).kid,
    ])
  })
})

describe('call log', () => {
  it('records every request with raw headers; resetCalls forgets them', async () => {
    const f = await start()
    const { refreshToken } = f.login('usr-1')
    f.setFault({ type: 'status', status: 500, times: 1 })
    await refresh(f, { bearer: refreshToken })
    await refresh(f, { bearer: refreshToken })
    await call(f, '/.well-known/jwks?x=1')
    expect(f.refreshCount).toBe(2)
    const calls = f.calls
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v2/me/refresh',
      'POST /v2/me/refresh',
      'GET /.well-known/jwks?x=1',
    ])
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${refreshToken}`)
    expect(calls[0]!.headers['x-corbado-projectid']).toBe(f.projectId)
    expect(calls[0]!.at).toBeLessThanOrEqual(calls[2]!.at)
    f.resetCalls()
    expect(f.calls).toEqual([])
    expect(f.refreshCount).toBe(0)
    expect(calls).toHaveLength(3)
  })
})

describe('close', () => {
  it('is idempotent and ends hanging requests', async () => {
    const f = await start()
    f.setFault({ type: 'hang' })
    const pending = refresh(f)
    await expect.poll(() => f.refreshCount).toBe(1)
    await Promise.all([f.close(), f.close()])
    await f.close()
    await expect(pending).rejects.toThrow(TypeError)
    await expect(fetch(`${f.url}/.well-known/jwks`)).rejects.toThrow(TypeError)
  })
})

describe('@corbado/node-sdk interop', () => {
  it('validates a login token and rejects a token signed by an unknown key', async () => {
    const f = await start()
    const config = new Config(f.projectId, `corbado1_${'x'.repeat(30)}`, f.url, f.url)
    const sessions = new SDK(config).sessions()
    const { sessionToken } = f.login('usr-123', { name: 'Ada' })
    await expect(sessions.validateToken(sessionToken)).resolves.toEqual({
      userId: 'usr-123',
      fullName: 'Ada',
    })
    const foreign = f.mintSessionToken('usr-123', { signer: 'unknown-key' })
    await expect(sessions.validateToken(foreign)).rejects.toThrow()
    const jwksCalls = f.calls.filter((c) => c.path === '/.well-known/jwks')
    expect(jwksCalls[0]?.headers['x-corbado-projectid']).toBe(f.projectId)
  })
})
