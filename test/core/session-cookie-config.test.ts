/**
 * The session cookie is written with the attributes the project's `/v2/session-config`
 * advertises, as Corbado's browser SDK writes it, unless `cookie` sets them; the fetch never
 * blocks a request past its refresh deadline, and a bad answer keeps the defaults.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createKeepAlive } from '../../src/index.js'
import type { KeepAliveOptions, KeepAliveOutcome } from '../../src/index.js'
import {
  createSessionCookieConfig,
  SESSION_CONFIG_RETRY_MS,
  SESSION_CONFIG_TTL_MS,
} from '../../src/core/session-cookie-config.js'
import { DEFAULTS } from '../../src/core/options.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado, FakeCorbadoOptions } from '../../src/testing/index.js'
import { nearExpirySession } from '../helpers/sessions.js'

const fakes: FakeCorbado[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()))
})

async function fakeApi(options: FakeCorbadoOptions = {}): Promise<FakeCorbado> {
  const fake = await startFakeCorbado(options)
  fakes.push(fake)
  return fake
}

function keepAlive(fake: FakeCorbado, extra: Partial<KeepAliveOptions> = {}) {
  return createKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url, ...extra })
}

async function refreshOnce(fake: FakeCorbado, k: ReturnType<typeof keepAlive>, user = 'usr-1') {
  const outcome = await k.handle({
    method: 'GET',
    cookieHeader: nearExpirySession(fake, user).header,
    clientAddress: undefined,
    raw: undefined,
  })
  expect(outcome.action).toBe('refreshed')
  return outcome
}

/** The attributes of the written session cookie, value and Expires left out. */
const attributesOf = (outcome: KeepAliveOutcome) =>
  (outcome.setCookies[0] ?? '')
    .split('; ')
    .slice(1)
    .filter((attribute) => !attribute.startsWith('Expires='))

const sessionConfigCalls = (fake: FakeCorbado) =>
  fake.calls.filter((call) => call.path === '/v2/session-config')

describe('the session cookie follows /v2/session-config', () => {
  it('from the first refresh on, with the advertised Domain, Path, Secure and SameSite', async () => {
    const fake = await fakeApi({ cookieDomain: 'app.example.test' })
    const k = keepAlive(fake)
    expect(attributesOf(await refreshOnce(fake, k))).toEqual([
      'Domain=app.example.test',
      'Path=/',
      'Secure',
      'SameSite=Lax',
    ])
    // Cleared cookies use the same attributes, or the browser would keep the old one.
    const { refreshToken } = fake.login('usr-2')
    fake.revoke(refreshToken)
    const ended = await k.handle({
      method: 'GET',
      cookieHeader: `cbo_refresh_token=${refreshToken}`,
      clientAddress: undefined,
      raw: undefined,
    })
    expect(ended.action).toBe('ended')
    expect(ended.setCookies[0]).toContain('Domain=app.example.test; Path=/;')
    expect(sessionConfigCalls(fake)).toHaveLength(1)
    expect(sessionConfigCalls(fake)[0]?.headers['x-corbado-projectid']).toBe(fake.projectId)
  })

  it('lets an explicit cookie.domain win', async () => {
    const fake = await fakeApi({ cookieDomain: 'app.example.test' })
    const k = keepAlive(fake, { cookie: { domain: 'example.test' } })
    expect(attributesOf(await refreshOnce(fake, k))).toContain('Domain=example.test')
  })

  it('never asks when every advertised attribute is set explicitly', async () => {
    const fake = await fakeApi({ cookieDomain: 'app.example.test' })
    const cookie = { domain: 'example.test', path: '/', secure: true, sameSite: 'strict' } as const
    await refreshOnce(fake, keepAlive(fake, { cookie }))
    expect(sessionConfigCalls(fake)).toHaveLength(0)
  })

  it('keeps the defaults, without waiting past refreshTimeoutMs, while session-config hangs', async () => {
    const fake = await fakeApi({ cookieDomain: 'app.example.test' })
    fake.setFault({ type: 'hang', route: 'session-config' })
    const k = keepAlive(fake, { refreshTimeoutMs: 800 })
    const startedAt = Date.now()
    const outcome = await refreshOnce(fake, k)
    expect(Date.now() - startedAt).toBeLessThan(800 + 400)
    expect(attributesOf(outcome)).toEqual(['Path=/', 'Secure', 'SameSite=Lax'])
    // Later requests do not wait at all.
    const second = Date.now()
    await refreshOnce(fake, k, 'usr-3')
    expect(Date.now() - second).toBeLessThan(400)
  })

  it('keeps the defaults and logs once when the answer is not JSON', async () => {
    const fake = await fakeApi({ cookieDomain: 'app.example.test' })
    fake.setFault({ type: 'non-json', route: 'session-config' })
    const warnings: unknown[][] = []
    const logger = { warn: (...args: unknown[]) => warnings.push(args), error: () => undefined }
    const k = keepAlive(fake, { logger })
    expect(attributesOf(await refreshOnce(fake, k))).toEqual(['Path=/', 'Secure', 'SameSite=Lax'])
    await refreshOnce(fake, k, 'usr-4')
    const about = warnings.filter(([, message]) => String(message).includes('session-config'))
    expect(about).toHaveLength(1)
    expect(String(about[0]?.[1])).toMatch(/not JSON; the "cookie" options apply/)
  })
})

describe('createSessionCookieConfig', () => {
  const configured = { ...DEFAULTS.cookie, domain: undefined }

  function source(answers: (() => Promise<Response>)[], explicit?: unknown) {
    const logged: string[] = []
    let calls = 0
    const config = createSessionCookieConfig({
      url: 'https://fapi.test/v2/session-config',
      projectId: 'pro-1',
      timeoutMs: 1000,
      fetch: () => {
        const answer = answers[Math.min(calls, answers.length - 1)]
        calls += 1
        return answer === undefined ? Promise.reject(new Error('no answer')) : answer()
      },
      configured,
      explicit,
      log: (_context, message) => logged.push(message),
    })
    return { config, logged, calls: () => calls }
  }

  const advertised =
    (cookieConfig: unknown, field = 'sessionTokenCookieConfig') =>
    () =>
      Promise.resolve(Response.json({ useSessionManagement: true, [field]: cookieConfig }))
  const strictOnApp = {
    domain: 'app.example.test',
    path: '/app',
    secure: true,
    sameSite: 'strict',
    lifetimeSeconds: 300,
  }

  async function settle(config: ReturnType<typeof source>['config']) {
    await config.pendingFirstFetch()
    await new Promise((resolve) => setTimeout(resolve, 0))
  }

  it('merges per attribute: explicit options win, httpOnly stays the option', async () => {
    const { config } = source([advertised(strictOnApp)], { path: '/' })
    expect(config.current()).toBe(configured)
    config.refreshIfStale(Date.now())
    await settle(config)
    expect(config.current()).toEqual({
      domain: 'app.example.test',
      path: '/',
      secure: true,
      sameSite: 'strict',
      httpOnly: false,
    })
  })

  it('reads the deprecated shortSessionCookieConfig when the new field is missing', async () => {
    const { config } = source([advertised(strictOnApp, 'shortSessionCookieConfig')])
    config.refreshIfStale(Date.now())
    await settle(config)
    expect(config.current().domain).toBe('app.example.test')
  })

  it('fetches again after an hour, and after a failure no sooner than the retry pace', async () => {
    const failing = () => Promise.reject(new TypeError('fetch failed'))
    const { config, calls, logged } = source([failing, failing, advertised(strictOnApp)])
    config.refreshIfStale(Date.now())
    await settle(config)
    expect(config.current()).toBe(configured)
    config.refreshIfStale(Date.now() + SESSION_CONFIG_RETRY_MS - 1000)
    expect(calls()).toBe(1)
    config.refreshIfStale(Date.now() + SESSION_CONFIG_RETRY_MS + 1000)
    await settle(config)
    config.refreshIfStale(Date.now() + 2 * SESSION_CONFIG_RETRY_MS + 2000)
    await settle(config)
    expect(calls()).toBe(3)
    expect(config.current().domain).toBe('app.example.test')
    expect(logged).toHaveLength(1)
    config.refreshIfStale(Date.now() + SESSION_CONFIG_TTL_MS - 60_000)
    expect(calls()).toBe(3)
    config.refreshIfStale(Date.now() + SESSION_CONFIG_TTL_MS + 3 * SESSION_CONFIG_RETRY_MS)
    expect(calls()).toBe(4)
  })

  it.each([
    ['no cookie config', {}],
    ['a domain with a path in it', { ...strictOnApp, domain: 'a.test/x' }],
    ['a path without a slash', { ...strictOnApp, path: 'app' }],
    ['SameSite=None without Secure', { ...strictOnApp, secure: false, sameSite: 'none' }],
    ['an unknown SameSite', { ...strictOnApp, sameSite: 'sometimes' }],
  ])('keeps the defaults and logs once for %s', async (_name, cookieConfig) => {
    const { config, logged } = source([advertised(cookieConfig)])
    config.refreshIfStale(Date.now())
    await settle(config)
    expect(config.current()).toBe(configured)
    expect(logged).toEqual([
      'corbado-keepalive: the session-config answer has no usable "sessionTokenCookieConfig"; the "cookie" options apply',
    ])
  })

  it('reads an empty domain as a host-only cookie', async () => {
    const { config } = source([advertised({ ...strictOnApp, domain: '' })])
    config.refreshIfStale(Date.now())
    await settle(config)
    expect(config.current().domain).toBeUndefined()
    expect(config.current().path).toBe('/app')
  })
})
