/**
 * Property-based tests (fast-check) over cookie headers, cookie values, JWT-shaped strings and
 * option objects, `RUNS` cases per property (10,000 in the soak); nothing here does HTTP: the
 * keep-alive gets a `fetch` stub that answers from memory.
 */
import fc from 'fast-check'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  readCorbadoCookies,
  rewriteCookieHeader,
  soleCookieValue,
} from '../../src/core/request-cookies.js'
import { createKeepAlive, InvalidOptionError } from '../../src/index.js'
import { resolveOptions } from '../../src/core/options.js'
import type { KeepAliveOptions, KeepAliveOutcome } from '../../src/index.js'

const PROJECT_ID = 'pro-1234567890'
const FRONTEND_API = 'https://auth.example.com'
const SESSION_NAMES = ['cbo_session_token', 'cbo_short_session']
const REFRESH_NAMES = ['cbo_refresh_token', 'cbo_long_session']
const CORBADO_NAMES = [...SESSION_NAMES, ...REFRESH_NAMES]

/**
 * Runs per property: 1,000 in `npm test` (fast-check draws new cases on every run), 10,000 in the
 * soak (`npm run test:soak`, which sets PROPERTY_RUNS).
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000)

// ---------------------------------------------------------------------------------------------
// How downstream parsers (the `cookie` package) split a Cookie header: on `;`, spaces and tabs
// trimmed, a part without `=` ignored.

function trimSpace(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '')
}

function parts(header: string): string[] {
  return header
    .split(';')
    .map(trimSpace)
    .filter((part) => part !== '')
}

function nameOf(part: string): string {
  const eq = part.indexOf('=')
  return trimSpace(eq === -1 ? part : part.slice(0, eq))
}

/** The session cookies downstream would see in `header`. */
function sessionCookies(header: string): string[] {
  return parts(header).filter((part) => part.includes('=') && SESSION_NAMES.includes(nameOf(part)))
}

/** Every cookie that is not Corbado's, exactly as it stands. */
function unrelated(header: string): string[] {
  return parts(header).filter((part) => !CORBADO_NAMES.includes(nameOf(part)))
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const cookieName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...CORBADO_NAMES, 'sid', 'a', 'theme', '__Host-x') },
  { weight: 2, arbitrary: fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/) },
  // Names that only look like ours: case, whitespace that is not OWS, prefixes.
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'CBO_SESSION_TOKEN',
      '\u00a0cbo_session_token',
      'cbo_session_token\u00a0',
      'cbo_session_tokens',
      'x-cbo_session_token',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
)
/** Any value a client can send: no `;`, which would end the cookie. */
const cookieValue = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 24 }),
    fc.stringMatching(/^[\w%"=., -]{0,24}$/),
    fc.constantFrom('', '""', '"x"', '%', '%zz', 'a%3B%20cbo_session_token%3Dforged', 'a=b=c'),
  )
  .map((value) => value.replaceAll(';', ''))
const separator = fc.constantFrom(';', '; ', ';  ', ' ;', '\t;\t', ';;', '; ;')
const whitespace = fc.constantFrom('', ' ', '\t', '  ')

/** A Cookie header built from pairs, with irregular separators and whitespace. */
function cookieHeader(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .array(
      fc.record({
        name: cookieName,
        value,
        before: whitespace,
        after: whitespace,
        bare: fc.boolean(),
      }),
      { maxLength: 8 },
    )
    .chain((pairs) =>
      fc
        .array(separator, { minLength: pairs.length, maxLength: pairs.length })
        .map((seps) =>
          pairs
            .map(
              (p, i) =>
                `${p.before}${p.bare ? p.name : `${p.name}=${p.value}`}${p.after}${seps[i] ?? ''}`,
            )
            .join(''),
        ),
    )
}

const base64url = (max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{0,${max}}$`))
const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const nowSeconds = () => Math.floor(Date.now() / 1000)

/** JWT-shaped strings: random segments, or plausible headers and claims with a bad signature. */
const jwtShaped = fc.oneof(
  fc.tuple(base64url(40), base64url(80), base64url(40)).map((s) => s.join('.')),
  fc
    .record({
      alg: fc.constantFrom('RS256', 'none', 'HS256', 'ES256', 'RS512', ''),
      kid: fc.oneof(fc.constant('k1'), fc.string({ maxLength: 6 })),
      sub: fc.oneof(fc.constantFrom('usr-1', 'usr-2', ''), fc.string({ maxLength: 6 })),
      iss: fc.constantFrom(FRONTEND_API, 'https://evil.example', ''),
      expIn: fc.integer({ min: -3600, max: 3600 }),
      signature: base64url(60),
    })
    .map(
      (t) =>
        `${b64json({ alg: t.alg, kid: t.kid, typ: 'JWT' })}.${b64json({
          iss: t.iss,
          sub: t.sub,
          exp: nowSeconds() + t.expIn,
        })}.${t.signature}`,
    ),
)

/** An unsigned token for `verify: false`: what decoding yields is all that matters there. */
const decodableToken = fc
  .record({
    sub: fc.constantFrom('usr-1', 'usr-2'),
    expIn: fc.constantFrom(-120, 30, 600),
  })
  .map(
    (t) =>
      `${b64json({ alg: 'RS256', typ: 'JWT' })}.${b64json({
        iss: FRONTEND_API,
        sub: t.sub,
        exp: nowSeconds() + t.expIn,
      })}.c2ln`,
  )

type Upstream = 'token' | 'garbage' | '401' | '500'

/** A `fetch` that answers the refresh call from memory, and the JWKS from `jwks`. */
function stubFetch(upstream: Upstream, token: string, jwks: unknown = { keys: [] }) {
  return (input: string | URL | Request): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input)
    if (url.endsWith('/.well-known/jwks')) return Promise.resolve(Response.json(jwks))
    switch (upstream) {
      case 'token':
        return Promise.resolve(Response.json({ sessionToken: token, shortSession: token }))
      case 'garbage':
        return Promise.resolve(new Response('<html>oops</html>'))
      case '401':
        return Promise.resolve(Response.json({ error: { type: 'unauthorized' } }, { status: 401 }))
      case '500':
        return Promise.resolve(new Response('', { status: 500 }))
    }
  }
}

const upstream = fc.constantFrom<Upstream>('token', 'garbage', '401', '500')

/** The Cookie header downstream reads after `outcome`. */
function effectiveHeader(input: string, outcome: KeepAliveOutcome): string {
  return outcome.requestCookieHeader ?? input
}

// ---------------------------------------------------------------------------------------------

describe('properties: cookie headers', () => {
  it('reading and rewriting any string never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (header) => {
        readCorbadoCookies(header, SESSION_NAMES, REFRESH_NAMES)
        rewriteCookieHeader(header, SESSION_NAMES, { name: 'cbo_session_token', value: 'x.y.z' })
        rewriteCookieHeader(header, CORBADO_NAMES, undefined)
      }),
      { numRuns: RUNS },
    )
  })

  it('the hot path’s shortcut reads a token-shaped session value only where the full scan reads the same one', () => {
    const tokenShaped = /^[\w.-]+$/
    const token = fc.stringMatching(/^[\w.-]{1,24}$/)
    const value = fc.oneof(cookieValue, token)
    // Random headers, and headers with one session cookie placed among random others.
    const headers = fc.oneof(
      cookieHeader(value),
      fc
        .tuple(cookieHeader(value), separator, fc.constantFrom(...SESSION_NAMES), token)
        .chain(([before, sep, name, tok]) =>
          cookieHeader(value).map((after) => `${before}${sep}${name}=${tok};${after}`),
        ),
    )
    let agreed = 0
    fc.assert(
      fc.property(headers, (header) => {
        const sole = soleCookieValue(header, SESSION_NAMES)
        const full = readCorbadoCookies(header, SESSION_NAMES, REFRESH_NAMES)
        if (sole !== undefined && tokenShaped.test(sole)) {
          expect(full.sessionCookieCount).toBe(1)
          expect(full.sessionToken).toBe(sole)
          agreed++
        }
        // And the other way: a lone token-shaped session cookie is never missed by the shortcut.
        if (
          full.sessionCookieCount === 1 &&
          full.sessionToken !== undefined &&
          tokenShaped.test(full.sessionToken) &&
          header.includes(`=${full.sessionToken};`)
        ) {
          expect(sole).toBe(full.sessionToken)
        }
      }),
      { numRuns: RUNS },
    )
    // The property held on real cases, not only on headers the shortcut declined.
    expect(agreed).toBeGreaterThan(RUNS / 10)
  })

  it('the hot path’s shortcut finds a lone token-shaped session cookie wherever it stands among others', () => {
    const token = fc.stringMatching(/^[\w.-]{1,24}$/)
    const headers = fc
      .tuple(
        fc.option(fc.tuple(cookieHeader(cookieValue), separator), { nil: undefined }),
        whitespace,
        fc.constantFrom(...SESSION_NAMES),
        whitespace,
        token,
        // Whitespace right after the value is kept in it by the shortcut, which then declines.
        fc.option(
          fc.tuple(
            separator.filter((sep) => sep.startsWith(';')),
            cookieHeader(cookieValue),
          ),
          { nil: undefined },
        ),
      )
      .map(([before, leading, name, beforeEquals, tok, after]) => ({
        header: `${before === undefined ? '' : before.join('')}${leading}${name}${beforeEquals}=${tok}${after === undefined ? '' : after.join('')}`,
        tok,
      }))
    let found = 0
    fc.assert(
      fc.property(headers, ({ header, tok }) => {
        const full = readCorbadoCookies(header, SESSION_NAMES, REFRESH_NAMES)
        if (full.sessionCookieCount !== 1 || full.sessionToken !== tok) return
        expect(soleCookieValue(header, SESSION_NAMES)).toBe(tok)
        found++
      }),
      { numRuns: RUNS },
    )
    // Most generated headers hold no other session cookie: the property ran on them.
    expect(found).toBeGreaterThan(RUNS / 2)
  })

  it('rewriting keeps every unrelated cookie byte for byte, in order, and one session cookie', () => {
    fc.assert(
      fc.property(cookieHeader(cookieValue), fc.boolean(), (header, replace) => {
        const out = rewriteCookieHeader(
          header,
          SESSION_NAMES,
          replace ? { name: 'cbo_session_token', value: 'a.b.c' } : undefined,
        )
        const keptOthers = parts(out).filter((part) => !SESSION_NAMES.includes(nameOf(part)))
        const inputOthers = parts(header).filter((part) => !SESSION_NAMES.includes(nameOf(part)))
        expect(keptOthers).toEqual(inputOthers)
        expect(sessionCookies(out)).toEqual(replace ? ['cbo_session_token=a.b.c'] : [])
      }),
      { numRuns: RUNS },
    )
  })
})

describe('properties: cookie values, through createKeepAlive().handle()', () => {
  it('any Cookie header: handle() never rejects, downstream sees at most one session cookie, and every other cookie as it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        cookieHeader(fc.oneof(cookieValue, decodableToken)),
        upstream,
        decodableToken,
        async (header, answer, token) => {
          const keepAlive = createKeepAlive({
            projectId: PROJECT_ID,
            frontendApiUrl: FRONTEND_API,
            verify: false,
            refreshTimeoutMs: 1000,
            fetch: stubFetch(answer, token),
          })
          const outcome = await keepAlive.handle({
            method: 'GET',
            cookieHeader: header,
            clientAddress: undefined,
            raw: {},
          })
          const out = effectiveHeader(header, outcome)
          const sessions = sessionCookies(out)
          expect(sessions.length).toBeLessThanOrEqual(1)
          expect(unrelated(out)).toEqual(unrelated(header))
          if (outcome.session !== undefined) {
            const value = (sessions[0] ?? '').slice((sessions[0] ?? '').indexOf('=') + 1)
            expect(value.replace(/^"(.*)"$/, '$1')).toBe(outcome.session.token)
          }
          // Only a refresh writes a session cookie; only a 401/403 clears one.
          const written = outcome.setCookies.filter((c) =>
            SESSION_NAMES.some((n) => c.startsWith(`${n}=`)),
          )
          if (outcome.action === 'refreshed') expect(written).toHaveLength(1)
          else if (outcome.action !== 'ended') expect(written).toEqual([])
          // Ended: Corbado said 401, or the refresh-token cannot even be sent (no Corbado token).
          if (outcome.action === 'ended') {
            const { refreshToken } = readCorbadoCookies(header, SESSION_NAMES, REFRESH_NAMES)
            const sendable =
              refreshToken !== undefined &&
              (/^[\w\-.~+/]+=*$/.test(refreshToken) ||
                /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/.test(refreshToken))
            expect(answer === '401' || !sendable).toBe(true)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })
})

describe('properties: JWT-shaped strings', () => {
  let signed: string
  let jwks: unknown

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256')
    jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] }
    signed = await new SignJWT({ sub: 'usr-1' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(FRONTEND_API)
      .setExpirationTime('10m')
      .sign(privateKey)
  })

  it('no JWT-shaped string without a valid signature is ever trusted, written or refreshed into', async () => {
    const keepAlive = (answer: Upstream, token: string) =>
      createKeepAlive({
        projectId: PROJECT_ID,
        frontendApiUrl: FRONTEND_API,
        refreshTimeoutMs: 1000,
        fetch: stubFetch(answer, token, jwks),
      })
    // One instance per upstream answer, so the JWKS is fetched (from memory) once.
    const instances = new Map<string, ReturnType<typeof keepAlive>>()
    let sanity = await keepAlive('500', '').handle({
      method: 'GET',
      cookieHeader: `cbo_session_token=${signed}`,
      clientAddress: undefined,
      raw: {},
    })
    expect(sanity.session?.userId).toBe('usr-1')

    await fc.assert(
      fc.asyncProperty(
        jwtShaped,
        jwtShaped,
        fc.boolean(),
        upstream,
        async (cookieToken, upstreamToken, withRefresh, answer) => {
          // The upstream token varies per run, so a fresh instance is needed when it is used.
          let instance =
            answer === 'token' ? keepAlive(answer, upstreamToken) : instances.get(answer)
          if (instance === undefined) {
            instance = keepAlive(answer, '')
            instances.set(answer, instance)
          }
          const header = `cbo_session_token=${cookieToken}${withRefresh ? '; cbo_refresh_token=rt-1' : ''}`
          const outcome = await instance.handle({
            method: 'GET',
            cookieHeader: header,
            clientAddress: undefined,
            raw: {},
          })
          expect(outcome.session).toBeUndefined()
          expect(outcome.action).not.toBe('refreshed')
          expect(
            outcome.setCookies.filter(
              (c) => c.startsWith('cbo_session_token=') && !c.startsWith('cbo_session_token=;'),
            ),
          ).toEqual([])
        },
      ),
      { numRuns: RUNS },
    )
    sanity = await keepAlive('500', '').handle({
      method: 'GET',
      cookieHeader: `cbo_session_token=${signed}`,
      clientAddress: undefined,
      raw: {},
    })
    expect(sanity.session?.userId).toBe('usr-1')
  })
})

// ---------------------------------------------------------------------------------------------
// Options

const junk = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 10 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
)
const notA = (kind: 'boolean' | 'function' | 'string' | 'object') =>
  junk.filter((value) => {
    if (kind === 'object')
      return typeof value !== 'object' || value === null || Array.isArray(value)
    return typeof value !== kind
  })
const notIntegerIn = (min: number, max: number) =>
  fc.oneof(
    fc.integer().filter((n) => n < min || n > max),
    fc.double({ noNaN: false }).filter((n) => !Number.isInteger(n)),
    notA('function').filter((v) => typeof v !== 'number'),
  )
/** Could the URL parser read `s` as an http(s) URL? It skips leading C0 controls and spaces and drops tabs and newlines anywhere. */
function urlLike(s: string): boolean {
  let t = s
  while (t.length > 0 && t.charCodeAt(0) <= 0x20) t = t.slice(1)
  return /^https?:/i.test(t.replace(/[\t\n\r]/g, ''))
}

const notUrl = fc.oneof(
  fc.string({ maxLength: 20 }).filter((s) => !urlLike(s)),
  fc.constantFrom('https://user:pw@x.io', 'https://x.io/?q=1', 'https://x.io/#f', 'ftp://x.io'),
  notA('string'),
)
const notCookieName = fc.oneof(
  fc.string({ maxLength: 10 }).filter((s) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s)),
  notA('string'),
)

const OPTION_NAMES = [
  'projectId',
  'frontendApiUrl',
  'refreshBeforeExpirySeconds',
  'refreshTimeoutMs',
  'sessionCookieName',
  'refreshCookieName',
  'cookie',
  'verify',
  'getRefreshToken',
  'coordinator',
  'shouldRefresh',
  'logger',
  'onRefresh',
  'onSessionEnded',
  'onError',
  'circuitBreaker',
  'onCircuitChange',
  'refreshRateLimit',
  'fetch',
]

/** [option path, the options fragment that makes it invalid]. */
function opt(name: string, patch: Record<string, unknown>): [string, Record<string, unknown>] {
  return [name, patch]
}

const invalidOption: fc.Arbitrary<[string, Record<string, unknown>]> = fc.oneof(
  fc
    .oneof(
      fc.string({ maxLength: 12 }).filter((s) => !/^pro-\d+$/.test(s)),
      notA('string'),
    )
    .map((v) => opt('projectId', { projectId: v })),
  notUrl.map((v) => opt('frontendApiUrl', { frontendApiUrl: v })),
  notIntegerIn(0, 86_400).map((v) =>
    opt('refreshBeforeExpirySeconds', { refreshBeforeExpirySeconds: v }),
  ),
  notIntegerIn(1, 60_000).map((v) => opt('refreshTimeoutMs', { refreshTimeoutMs: v })),
  notCookieName.map((v) => opt('sessionCookieName', { sessionCookieName: v })),
  notCookieName.map((v) => opt('refreshCookieName', { refreshCookieName: v })),
  notA('object').map((v) => opt('cookie', { cookie: v })),
  fc
    .oneof(
      fc.string({ maxLength: 8 }).filter((s) => !s.startsWith('/') || !/^[ -:<-~]+$/.test(s)),
      notA('string'),
    )
    .map((v) => opt('cookie.path', { cookie: { path: v } })),
  fc
    .oneof(fc.constantFrom('', 'a/b', 'a;b', 'a\nb'), notA('string'))
    .map((v) => opt('cookie.domain', { cookie: { domain: v } })),
  junk
    .filter((v) => v !== 'lax' && v !== 'strict' && v !== 'none')
    .map((v) => opt('cookie.sameSite', { cookie: { sameSite: v } })),
  fc.constant(opt('cookie.sameSite', { cookie: { sameSite: 'none', secure: false } })),
  notA('boolean').map((v) => opt('cookie.secure', { cookie: { secure: v } })),
  notA('boolean').map((v) => opt('cookie.httpOnly', { cookie: { httpOnly: v } })),
  notA('boolean').map((v) => opt('verify', { verify: v })),
  fc
    .constantFrom(
      'getRefreshToken',
      'shouldRefresh',
      'onRefresh',
      'onSessionEnded',
      'onError',
      'onCircuitChange',
      'fetch',
    )
    .chain((name) => notA('function').map((v) => opt(name, { [name]: v }))),
  junk.map((v) => opt('coordinator', { coordinator: v })),
  fc.oneof(junk, fc.constant({ warn: () => undefined })).map((v) => opt('logger', { logger: v })),
  fc
    .oneof(
      notA('object').filter((v) => v !== false),
      fc.constant(true),
    )
    .map((v) => opt('circuitBreaker', { circuitBreaker: v })),
  notIntegerIn(1, 1_000_000).map((v) =>
    opt('circuitBreaker.failureThreshold', { circuitBreaker: { failureThreshold: v } }),
  ),
  notIntegerIn(1, 3_600_000).map((v) =>
    opt('circuitBreaker.cooldownMs', { circuitBreaker: { cooldownMs: v } }),
  ),
  fc
    .oneof(
      notA('object').filter((v) => v !== false),
      fc.constant(true),
    )
    .map((v) => opt('refreshRateLimit', { refreshRateLimit: v })),
  notIntegerIn(1, 1_000_000).map((v) =>
    opt('refreshRateLimit.perClientPerMinute', { refreshRateLimit: { perClientPerMinute: v } }),
  ),
  notIntegerIn(1, 1_000_000).map((v) =>
    opt('refreshRateLimit.unprovenPerSecond', { refreshRateLimit: { unprovenPerSecond: v } }),
  ),
  notA('function').map((v) =>
    opt('refreshRateLimit.clientKey', { refreshRateLimit: { clientKey: v } }),
  ),
  // Unknown keys, at the top and nested.
  fc
    .stringMatching(/^[a-z][A-Za-z]{0,14}$/)
    .filter((k) => !OPTION_NAMES.includes(k))
    .map((k) => opt(k, { [k]: 1 })),
  fc
    .stringMatching(/^[a-z][A-Za-z]{0,10}$/)
    .filter((k) => !['path', 'domain', 'secure', 'sameSite', 'httpOnly'].includes(k))
    .map((k) => opt(`cookie.${k}`, { cookie: { [k]: true } })),
)

/** Valid options, each present or not, so the invalid one is found among others. */
const validOptions: fc.Arbitrary<Partial<KeepAliveOptions>> = fc.record(
  {
    frontendApiUrl: fc.constantFrom('https://auth.example.com', 'http://127.0.0.1:8080/'),
    refreshBeforeExpirySeconds: fc.integer({ min: 0, max: 86_400 }),
    refreshTimeoutMs: fc.integer({ min: 1, max: 60_000 }),
    sessionCookieName: fc.constantFrom('cbo_session_token', 'session'),
    verify: fc.boolean(),
    onRefresh: fc.constant(() => undefined),
    circuitBreaker: fc.oneof(
      fc.constant(false as const),
      fc.record({ failureThreshold: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] }),
    ),
    refreshRateLimit: fc.oneof(
      fc.constant(false as const),
      fc.record({ perClientPerMinute: fc.integer({ min: 1, max: 1000 }) }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: [] },
)

function merge(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key]
    out[key] =
      key === 'cookie' && typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { ...(typeof current === 'object' ? current : {}), ...value }
        : value
  }
  return out
}

describe('properties: option objects', () => {
  it('an invalid option is always rejected with an InvalidOptionError naming it', () => {
    fc.assert(
      fc.property(validOptions, invalidOption, (valid, [name, patch]) => {
        const options = merge({ projectId: PROJECT_ID, ...valid }, patch)
        let error: unknown
        try {
          resolveOptions(options as unknown as KeepAliveOptions)
        } catch (caught) {
          error = caught
        }
        expect(error).toBeInstanceOf(InvalidOptionError)
        expect((error as InvalidOptionError).option).toBe(name)
        expect((error as InvalidOptionError).message).toContain(`"${name}"`)
      }),
      { numRuns: RUNS },
    )
  })

  it('valid options are always accepted', () => {
    fc.assert(
      fc.property(validOptions, (valid) => {
        expect(() => resolveOptions({ projectId: PROJECT_ID, ...valid })).not.toThrow()
      }),
      { numRuns: 2000 },
    )
  })
})
