import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../../src/index.js'
import type { KeepAliveOptions } from '../../src/index.js'
import { resolveOptions } from '../../src/core/options.js'

const projectId = 'pro-1234567890'

function rejection(options: unknown): InvalidOptionError {
  try {
    resolveOptions(options as KeepAliveOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError)
    return error as InvalidOptionError
  }
  throw new Error('expected the options to be rejected')
}

describe('resolveOptions', () => {
  it('applies the documented defaults', () => {
    const o = resolveOptions({ projectId })
    expect(o.frontendApiUrl).toBe('https://pro-1234567890.frontendapi.cloud.corbado.io')
    expect(o.refreshUrl).toBe('https://pro-1234567890.frontendapi.cloud.corbado.io/v2/me/refresh')
    expect(o.jwksUrl).toBe('https://pro-1234567890.frontendapi.cloud.corbado.io/.well-known/jwks')
    expect(o.refreshBeforeExpirySeconds).toBe(60)
    expect(o.refreshTimeoutMs).toBe(3000)
    expect(o.sessionCookieNames).toEqual(['cbo_session_token', 'cbo_short_session'])
    expect(o.refreshCookieNames).toEqual(['cbo_refresh_token', 'cbo_long_session'])
    expect(o.cookie).toEqual({
      path: '/',
      domain: undefined,
      secure: true,
      sameSite: 'lax',
      httpOnly: false,
    })
    expect(o.verify).toBe(true)
    expect(o.circuitBreaker).toEqual({ failureThreshold: 5, cooldownMs: 10_000 })
  })

  it('accepts both Corbado issuer hosts and the configured Frontend API origin', () => {
    const o = resolveOptions({ projectId, frontendApiUrl: 'https://auth.example.com/' })
    expect(o.frontendApiUrl).toBe('https://auth.example.com')
    expect(o.issuers).toEqual([
      'https://auth.example.com',
      'https://pro-1234567890.frontendapi.corbado.io',
      'https://pro-1234567890.frontendapi.cloud.corbado.io',
    ])
  })

  it('keeps a path in frontendApiUrl (a gateway mounted under a path)', () => {
    const o = resolveOptions({ projectId, frontendApiUrl: 'https://app.example.com/.corbado' })
    expect(o.refreshUrl).toBe('https://app.example.com/.corbado/v2/me/refresh')
    expect(o.issuers[0]).toBe('https://app.example.com')
  })

  it('never mutates the caller’s object and freezes the result', () => {
    const cookie = { domain: 'example.com' }
    const options = { projectId, cookie }
    const copy = structuredClone(options)
    const o = resolveOptions(options)
    expect(options).toEqual(copy)
    expect(Object.isFrozen(o)).toBe(true)
    expect(Object.isFrozen(o.cookie)).toBe(true)
  })

  it.each([
    [undefined, 'options'],
    [null, 'options'],
    [{}, 'projectId'],
    [{ projectId: 'project-1' }, 'projectId'],
    [{ projectId: 42 }, 'projectId'],
    [{ projectId, frontendApiUrl: 'not a url' }, 'frontendApiUrl'],
    [{ projectId, frontendApiUrl: 'ftp://x.example' }, 'frontendApiUrl'],
    [{ projectId, frontendApiUrl: 'https://u:p@x.example' }, 'frontendApiUrl'],
    [{ projectId, refreshBeforeExpirySeconds: -1 }, 'refreshBeforeExpirySeconds'],
    [{ projectId, refreshBeforeExpirySeconds: 1.5 }, 'refreshBeforeExpirySeconds'],
    [{ projectId, refreshBeforeExpirySeconds: '60' }, 'refreshBeforeExpirySeconds'],
    [{ projectId, refreshTimeoutMs: 0 }, 'refreshTimeoutMs'],
    [{ projectId, refreshTimeoutMs: Number.NaN }, 'refreshTimeoutMs'],
    [{ projectId, refreshTimeoutMs: Infinity }, 'refreshTimeoutMs'],
    [{ projectId, sessionCookieName: 'a b' }, 'sessionCookieName'],
    [{ projectId, refreshCookieName: '' }, 'refreshCookieName'],
    [{ projectId, refreshCookieName: 'cbo_session_token' }, 'refreshCookieName'],
    [{ projectId, cookie: 'yes' }, 'cookie'],
    [{ projectId, cookie: { path: 'x' } }, 'cookie.path'],
    [{ projectId, cookie: { path: '/;evil' } }, 'cookie.path'],
    [{ projectId, cookie: { domain: '' } }, 'cookie.domain'],
    [{ projectId, cookie: { domain: 'a;b' } }, 'cookie.domain'],
    [{ projectId, cookie: { sameSite: 'Lax' } }, 'cookie.sameSite'],
    [{ projectId, cookie: { sameSite: 'none', secure: false } }, 'cookie.sameSite'],
    [{ projectId, cookie: { secure: 'true' } }, 'cookie.secure'],
    [{ projectId, cookie: { httpOnly: 1 } }, 'cookie.httpOnly'],
    [{ projectId, verify: 'no' }, 'verify'],
    [{ projectId, getRefreshToken: 'cookie' }, 'getRefreshToken'],
    [{ projectId, shouldRefresh: true }, 'shouldRefresh'],
    [{ projectId, coordinator: {} }, 'coordinator'],
    [{ projectId, logger: { info: () => undefined } }, 'logger'],
    [{ projectId, onRefresh: 1 }, 'onRefresh'],
    [{ projectId, onSessionEnded: {} }, 'onSessionEnded'],
    [{ projectId, onError: null }, 'onError'],
    [{ projectId, circuitBreaker: true }, 'circuitBreaker'],
    [{ projectId, circuitBreaker: { failureThreshold: 0 } }, 'circuitBreaker.failureThreshold'],
    [{ projectId, circuitBreaker: { cooldownMs: -5 } }, 'circuitBreaker.cooldownMs'],
    [{ projectId, fetch: 'fetch' }, 'fetch'],
    [{ projectId, telemetry: 'off' }, 'telemetry'],
    [{ projectId, telemetry: { includeUserId: 'yes' } }, 'telemetry.includeUserId'],
    [{ projectId, telemetry: { includeUserID: true } }, 'telemetry.includeUserID'],
  ])('rejects %j, naming %s', (options, option) => {
    const error = rejection(options)
    expect(error.code).toBe('ERR_KEEPALIVE_INVALID_OPTION')
    expect(error.option).toBe(option)
    expect(error.message).toContain(`"${option}"`)
  })

  it.each([
    [{ projectId, refreshTimeoutMs: '3s' }, 'must be an integer from 1 to 60000', '"3s"'],
    [
      { projectId: 'project-1' },
      'must be a Corbado project ID of the form "pro-<digits>"',
      '"project-1"',
    ],
    [{ projectId, refreshTimeoutMs: Number.NaN }, 'must be an integer from 1 to 60000', 'NaN'],
    [{ projectId, verify: 'no' }, 'must be true or false', '"no"'],
    [{ projectId, onRefresh: {} }, 'must be a function', 'an object'],
    [
      { projectId, coordinator: () => undefined },
      'must have a "coordinate" method (a MemoryCoordinator or RedisCoordinator)',
      'a function',
    ],
    [
      { projectId, cookie: { sameSite: 'x'.repeat(100) } },
      'must be "lax", "strict" or "none"',
      `"${'x'.repeat(40)}…"`,
    ],
  ])('shows the value received: %j', (options, reason, received) => {
    const error = rejection(options)
    expect(error.reason).toBe(reason)
    expect(error.received).toBe(received)
    expect(error.message).toBe(`corbado-keepalive: "${error.option}" ${reason}, got ${received}`)
  })

  it('shows no frontendApiUrl that holds credentials', () => {
    const error = rejection({ projectId, frontendApiUrl: 'https://user:secret@x.example' })
    expect(error.option).toBe('frontendApiUrl')
    expect(error.received).toBeUndefined()
    expect(error.message).not.toContain('secret')
  })

  it.each([
    ['refreshTimeout', 'refreshTimeoutMs'],
    ['projectID', 'projectId'],
    ['frontendAPIUrl', 'frontendApiUrl'],
    ['refreshBeforeExpiry', 'refreshBeforeExpirySeconds'],
    ['sesionCookieName', 'sessionCookieName'],
  ])('suggests the option meant by the unknown %s', (typo, meant) => {
    const error = rejection({ projectId, [typo]: 1 })
    expect(error.option).toBe(typo)
    expect(error.message).toContain(`Did you mean "${meant}"?`)
  })

  it('suggests nested cookie options too', () => {
    const error = rejection({ projectId, cookie: { samesite: 'lax' } })
    expect(error.option).toBe('cookie.samesite')
    expect(error.message).toContain('Did you mean "cookie.sameSite"?')
  })

  it('gives no hint for a name unlike any option', () => {
    const error = rejection({ projectId, zzzzzzzzzzzz: 1 })
    expect(error.message).not.toContain('Did you mean')
  })

  it('turns telemetry on by default, off with false, and adds user ids only when asked', () => {
    expect(resolveOptions({ projectId }).telemetry).toEqual({ enabled: true, includeUserId: false })
    expect(resolveOptions({ projectId, telemetry: false }).telemetry.enabled).toBe(false)
    expect(resolveOptions({ projectId, telemetry: { includeUserId: true } }).telemetry).toEqual({
      enabled: true,
      includeUserId: true,
    })
  })

  it('disables the circuit breaker with false', () => {
    expect(
      resolveOptions({ projectId, circuitBreaker: false }).circuitBreaker.failureThreshold,
    ).toBe(Infinity)
  })
})
