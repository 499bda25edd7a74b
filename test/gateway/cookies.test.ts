import { describe, expect, it } from 'vitest'
import { corbadoCookiesOnly, rewriteSetCookie } from '../../src/gateway/cookies.js'
import { mountPathOf } from '../../src/gateway/response-headers.js'

describe('corbadoCookiesOnly', () => {
  it.each([
    [undefined, ''],
    ['', ''],
    ['a=1; b=2', ''],
    [
      'a=1; cbo_refresh_token=r%3D; b=2;cbo_session_token=s',
      'cbo_refresh_token=r%3D; cbo_session_token=s',
    ],
    ['CBO_x=1; xcbo_y=2; cbo_z', 'cbo_z'],
    // Only spaces and tabs are cookie whitespace: U+00A0 is part of the name, as `cookie` reads it.
    ['\u00a0cbo_session_token=s; cbo_a=1\u00a0', 'cbo_a=1\u00a0'],
    ['a=1;\tcbo_b=2 ', 'cbo_b=2'],
  ])('%j -> %j', (header, expected) => {
    expect(corbadoCookiesOnly(header)).toBe(expected)
  })
})

describe('rewriteSetCookie', () => {
  const hostOnly = { domain: undefined, path: '/' }

  it('drops Domain, puts Path, keeps the rest byte for byte', () => {
    expect(
      rewriteSetCookie(
        'cbo_refresh_token=a%20b; domain=.corbado.io; path=/v2; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Secure; SameSite=None',
        hostOnly,
      ),
    ).toBe(
      'cbo_refresh_token=a%20b; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Secure; SameSite=None',
    )
  })

  it('sets the configured domain and path', () => {
    expect(rewriteSetCookie('cbo_x=1', { domain: 'example.com', path: '/app' })).toBe(
      'cbo_x=1; Path=/app; Domain=example.com',
    )
  })

  it.each(['session=1; Path=/', 'cbo_novalue', '=cbo_x', ''])('drops %j', (setCookie) => {
    expect(rewriteSetCookie(setCookie, hostOnly)).toBeUndefined()
  })
})

describe('mountPathOf', () => {
  it.each([
    [undefined, '/v2/me', ''],
    ['/v2/me', '/v2/me', ''],
    ['/.corbado/v2/me?x=/v2/me', '/v2/me?x=/v2/me', '/.corbado'],
    ['/.corbado', '/', '/.corbado'],
    ['/.corbado/', '/', '/.corbado'],
    ['/a/b/c', '/x', ''],
  ])('%j below %j -> %j', (originalUrl, url, expected) => {
    expect(mountPathOf(originalUrl, url)).toBe(expected)
  })
})
