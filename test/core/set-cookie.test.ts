import { describe, expect, it } from 'vitest'
import {
  clearingSetCookie,
  finalizeResponseHeaders,
  sessionSetCookie,
} from '../../src/core/set-cookie.js'

const attributes = {
  path: '/',
  domain: undefined,
  secure: true,
  sameSite: 'lax',
  httpOnly: false,
} as const
const none = { setCookie: undefined, cacheControl: undefined, vary: undefined }

describe('session Set-Cookie', () => {
  it('carries the token with Expires at the token’s exp', () => {
    const expires = new Date(Date.UTC(2030, 0, 2, 3, 4, 5))
    expect(sessionSetCookie('cbo_session_token', 'a.b.c', expires, attributes)).toBe(
      'cbo_session_token=a.b.c; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure; SameSite=Lax',
    )
  })

  it('carries Domain and HttpOnly when configured', () => {
    const cookie = sessionSetCookie('s', 'v', new Date(0), {
      ...attributes,
      domain: 'example.com',
      httpOnly: true,
      sameSite: 'strict',
    })
    expect(cookie).toContain('; Domain=example.com')
    expect(cookie).toContain('; HttpOnly')
    expect(cookie).toContain('; SameSite=Strict')
  })

  it('clears with an empty value, Max-Age=0, and the same Path and Domain', () => {
    expect(clearingSetCookie('cbo_session_token', { ...attributes, domain: 'example.com' })).toBe(
      'cbo_session_token=; Max-Age=0; Domain=example.com; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax',
    )
  })
})

describe('finalizeResponseHeaders', () => {
  const ours = ['cbo_session_token=new; Path=/']

  it('writes nothing without cookies of ours', () => {
    expect(finalizeResponseHeaders([], none)).toBeUndefined()
  })

  it('adds ours after every cookie downstream wrote, with cache protection', () => {
    expect(
      finalizeResponseHeaders(ours, {
        setCookie: ['a=1', 'b=2; HttpOnly'],
        cacheControl: undefined,
        vary: undefined,
      }),
    ).toEqual({
      setCookie: ['a=1', 'b=2; HttpOnly', 'cbo_session_token=new; Path=/'],
      cacheControl: 'private, no-store',
      vary: 'Cookie',
      remove: ['cdn-cache-control', 'surrogate-control'],
    })
    expect(finalizeResponseHeaders(ours, { ...none, setCookie: 'a=1' })?.setCookie).toEqual([
      'a=1',
      'cbo_session_token=new; Path=/',
    ])
  })

  it('lets downstream’s own session cookie win (logout)', () => {
    expect(
      finalizeResponseHeaders(ours, { ...none, setCookie: ['cbo_session_token=; Max-Age=0'] }),
    ).toBeUndefined()
  })

  it('makes a public response private, and keeps an already strict one', () => {
    expect(
      finalizeResponseHeaders(ours, { ...none, cacheControl: 'public, max-age=600' })?.cacheControl,
    ).toBe('private, no-store')
    expect(
      finalizeResponseHeaders(ours, { ...none, cacheControl: 'private, no-store, max-age=0' })
        ?.cacheControl,
    ).toBeUndefined()
  })

  it('adds Cookie to Vary once', () => {
    expect(finalizeResponseHeaders(ours, { ...none, vary: 'Accept-Encoding' })?.vary).toBe(
      'Accept-Encoding, Cookie',
    )
    expect(finalizeResponseHeaders(ours, { ...none, vary: 'accept, cookie' })?.vary).toBeUndefined()
    expect(finalizeResponseHeaders(ours, { ...none, vary: '*' })?.vary).toBeUndefined()
  })
})
