import { describe, expect, it } from 'vitest'
import type { FakeCorbado } from '../../src/testing/index.js'
import { EVERYWHERE } from '../helpers/frameworks.js'
import { useScenario } from '../helpers/scenario.js'
import { cookies, setCookieOf } from '../helpers/http.js'

describe.each(EVERYWHERE)('$name: forged and malformed input', (framework) => {
  const env = useScenario(framework)

  const forgeries: [string, (f: FakeCorbado) => string][] = [
    [
      'signed by an unknown key, exp in 10 years',
      (f) => f.mintSessionToken('usr-1', { signer: 'unknown-key', expiresInSeconds: 315_360_000 }),
    ],
    ['alg: none', (f) => f.mintSessionToken('usr-1', { signer: 'none', expiresInSeconds: 3600 })],
    [
      'from another issuer',
      (f) => f.mintSessionToken('usr-1', { claims: { iss: 'https://evil.example' } }),
    ],
    [
      'with a tampered payload',
      (f) => {
        const [header, , signature] = f.mintSessionToken('usr-1').split('.')
        const payload = Buffer.from(
          JSON.stringify({ sub: 'usr-admin', exp: 4_102_444_800, iss: f.url }),
        ).toString('base64url')
        return `${header}.${payload}.${signature}`
      },
    ],
    ['without sub', (f) => f.mintSessionToken('usr-1', { claims: { sub: undefined } })],
  ]

  it.each(forgeries)('a token %s never becomes the session', async (_, forge) => {
    const token = forge(env.fake)
    const { response, seen } = await env.app.seen(cookies({ cbo_session_token: token }))
    expect(response.status).toBe(200)
    expect(seen.session).toBeNull()
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it.each(forgeries)(
    'a token %s is replaced by a refresh when a refresh-token is present',
    async (_, forge) => {
      const { refreshToken } = env.fake.login('usr-1')
      const { seen } = await env.app.seen(
        cookies({ cbo_session_token: forge(env.fake), cbo_refresh_token: refreshToken }),
      )
      expect(seen.session).toMatchObject({ userId: 'usr-1', refreshed: true })
    },
  )

  const long = 'x'.repeat(8 * 1024)
  it.each([
    ['garbage', '=;;;==; ;a==b==;=x;\t;cbo_session_token===;'],
    ['an 8 KB session value', `cbo_session_token=${long}`],
    ['an 8 KB refresh value', `cbo_refresh_token=${long}`],
    [
      'duplicate names',
      'cbo_session_token=a; cbo_session_token=b; cbo_refresh_token=c; cbo_refresh_token=d',
    ],
    ['broken percent-encoding', 'cbo_session_token=%E0%A4%A; cbo_refresh_token=%ZZ'],
    ['a JWT-shaped nonsense value', 'cbo_session_token=aaa.bbb.ccc'],
    [
      'a header-only JWT',
      `cbo_session_token=${Buffer.from('{"alg":"none"}').toString('base64url')}..`,
    ],
    ['no value at all', 'cbo_session_token; cbo_refresh_token'],
    ['quotes and spaces', 'cbo_session_token="  a . b . c  "'],
  ])('%s is served without an exception', async (_, header) => {
    const { response, seen } = await env.app.seen(header)
    expect(response.status).toBe(200)
    expect(seen.session).toBeNull()
    expect(setCookieOf(response, 'cbo_session_token') ?? '').not.toMatch(/^cbo_session_token=[^;]+/)
  })

  it('a refresh answer carrying a forged token is never written or exposed', async () => {
    const { sessionToken, refreshToken } = env.fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    for (const type of ['unknown-key', 'bad-signature', 'other-user', 'expired-token'] as const) {
      env.fake.setFault({ type })
      const { response, seen } = await env.app.seen(
        cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
      )
      expect(response.headers.getSetCookie(), type).toEqual([])
      expect(seen.session?.token, type).toBe(sessionToken)
    }
  })
})
