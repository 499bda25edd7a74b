/**
 * Regression tests for what held up in the security probe of issue 18: forged JWT headers, a
 * flood of unknown key ids, and odd Cookie headers read alike by the keep-alive and `cookie`.
 */
import { parse as parseCookie } from 'cookie'
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose'
import type { JWK, KeyObject } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { FRAMEWORKS } from '../helpers/frameworks.js'
import { useScenario } from '../helpers/scenario.js'
import { cookies } from '../helpers/http.js'

let attacker: { privateKey: KeyObject; publicJwk: JWK }
beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  attacker = { privateKey: privateKey, publicJwk: await exportJWK(publicKey) }
})

describe.each(FRAMEWORKS)('$name: what held up in the probe', (framework) => {
  const env = useScenario(framework)

  async function projectJwk(): Promise<JWK> {
    const jwks = (await (await fetch(`${env.fake.url}/.well-known/jwks`)).json()) as {
      keys: JWK[]
    }
    return jwks.keys[0]!
  }

  function claims() {
    const now = Math.floor(Date.now() / 1000)
    return { sub: 'usr-admin', iss: env.fake.issuer, iat: now, exp: now + 3600 }
  }

  const forgeries: [string, () => Promise<string>][] = [
    [
      'HS256 keyed with the JWKS key as JSON',
      async () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: (await projectJwk()).kid })
          .sign(new TextEncoder().encode(JSON.stringify(await projectJwk()))),
    ],
    [
      'HS256 keyed with the JWKS key as PEM',
      async () => {
        const jwk = await projectJwk()
        const pem = await exportSPKI(
          (await importJWK(jwk, 'RS256', { extractable: true })) as KeyObject,
        )
        return new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
          .sign(new TextEncoder().encode(pem))
      },
    ],
    [
      'with an embedded jwk (the attacker’s key)',
      async () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'RS256', jwk: attacker.publicJwk })
          .sign(attacker.privateKey),
    ],
    [
      'with a jku pointing at the attacker’s keys',
      async () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'RS256', kid: 'attacker', jku: 'https://evil.test/jwks' })
          .sign(attacker.privateKey),
    ],
    [
      'with the project’s real kid, signed by the attacker’s key',
      async () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'RS256', kid: (await projectJwk()).kid })
          .sign(attacker.privateKey),
    ],
  ]

  it.each(forgeries)('a token %s is rejected', async (_, forge) => {
    const { response, seen } = await env.app.seen(cookies({ cbo_session_token: await forge() }))
    expect(response.status).toBe(200)
    expect(seen.session).toBeNull()
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('200 tokens with unknown kids cause no JWKS fetch once the keys are known', async () => {
    await env.app.seen(cookies({ cbo_session_token: env.fake.login('usr-1').sessionToken }))
    env.fake.resetCalls()
    for (let batch = 0; batch < 10; batch++) {
      const tokens = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          new SignJWT(claims())
            .setProtectedHeader({ alg: 'RS256', kid: `pki-${batch}-${i}` })
            .sign(attacker.privateKey),
        ),
      )
      const answers = await Promise.all(
        tokens.map((token) => env.app.seen(cookies({ cbo_session_token: token }))),
      )
      for (const { seen } of answers) expect(seen.session).toBeNull()
    }
    expect(env.fake.calls.filter((call) => call.path.startsWith('/.well-known/jwks'))).toEqual([])
  })

  it('odd and duplicate Cookie headers: downstream’s `cookie.parse` reads the session the keep-alive chose', async () => {
    const valid = env.fake.login('usr-1').sessionToken
    const other = env.fake.login('usr-2').sessionToken
    const variants = [
      `cbo_session_token=${valid}; cbo_session_token=${other}`,
      `cbo_session_token=${other}; cbo_session_token=${valid}`,
      `cbo_session_token=garbage; cbo_session_token=${valid}`,
      `cbo_session_token=${valid}; cbo_session_token=garbage`,
      `cbo_session_token=; cbo_session_token=${valid}`,
      `cbo_session_token=${valid};cbo_session_token=${other}`,
      `cbo_session_token =${valid}; cbo_session_token=${other}`,
      `\tcbo_session_token=${valid}\t; a=1`,
      `CBO_SESSION_TOKEN=${valid}; cbo_session_token=${other}`,
      `cbo_short_session=${other}; cbo_session_token=${valid}`,
      `cbo_session_token=${valid}; cbo_short_session=${other}`,
      `cbo_session_token=${encodeURIComponent(valid)}x; cbo_session_token=${valid}`,
      `a=1; cbo_session_token; cbo_session_token=${valid}`,
      `cbo_session_token=${valid}%20; cbo_session_token=${other}`,
    ]
    for (const header of variants) {
      const { seen } = await env.app.seen(header)
      const downstream = seen.cookie === null ? {} : parseCookie(seen.cookie)
      if (seen.session !== null) {
        expect(downstream.cbo_session_token, header).toBe(seen.session.token)
      }
      const count = (seen.cookie ?? '').split(';').filter((part) => {
        return part.trim().startsWith('cbo_session_token=')
      }).length
      expect(count, header).toBeLessThanOrEqual(1)
    }
  })
})
