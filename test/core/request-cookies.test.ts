import { describe, expect, it } from 'vitest'
import { readCorbadoCookies, rewriteCookieHeader } from '../../src/core/request-cookies.js'

const session = ['cbo_session_token', 'cbo_short_session']
const refresh = ['cbo_refresh_token', 'cbo_long_session']

describe('readCorbadoCookies', () => {
  it.each([
    [undefined, undefined, undefined, 0],
    ['', undefined, undefined, 0],
    ['a=1; cbo_session_token=S; cbo_refresh_token=R', 'S', 'R', 1],
    ['cbo_short_session=L; cbo_long_session=LR', 'L', 'LR', 1],
    ['cbo_short_session=L; cbo_session_token=S', 'S', undefined, 2],
    ['cbo_long_session=LR; cbo_refresh_token=R', undefined, 'R', 0],
    ['cbo_session_token=first; cbo_session_token=second', 'first', undefined, 2],
    ['cbo_session_token="quoted"', 'quoted', undefined, 1],
    ['cbo_session_token=a%20b', 'a b', undefined, 1],
    ['cbo_session_token=%E0%A4%A', '%E0%A4%A', undefined, 1],
    ['cbo_session_token=', undefined, undefined, 1],
    ['xcbo_session_token=S; cbo_session_tokenx=T', undefined, undefined, 0],
    ['CBO_SESSION_TOKEN=S', undefined, undefined, 0],
    [';;; = ; =x; cbo_session_token', undefined, undefined, 0],
    ['  cbo_session_token  =  S  ;cbo_refresh_token=R', 'S', 'R', 1],
  ])('reads %j', (header, sessionToken, refreshToken, count) => {
    expect(readCorbadoCookies(header, session, refresh)).toEqual({
      sessionToken,
      refreshToken,
      sessionCookieCount: count,
    })
  })
})

describe('rewriteCookieHeader', () => {
  it('replaces the session cookie in place and keeps the others byte for byte', () => {
    const header = 'a=%7Bodd%7D; cbo_session_token=old; b="q v"; c=1'
    expect(rewriteCookieHeader(header, session, { name: 'cbo_session_token', value: 'new' })).toBe(
      'a=%7Bodd%7D; cbo_session_token=new; b="q v"; c=1',
    )
  })

  it('turns a legacy cookie into the primary one, leaving one session cookie', () => {
    const header = 'cbo_short_session=old; x=1; cbo_session_token=older'
    expect(rewriteCookieHeader(header, session, { name: 'cbo_session_token', value: 'new' })).toBe(
      'cbo_session_token=new; x=1',
    )
  })

  it('appends when there was no session cookie', () => {
    expect(rewriteCookieHeader('x=1', session, { name: 'cbo_session_token', value: 'new' })).toBe(
      'x=1; cbo_session_token=new',
    )
    expect(rewriteCookieHeader(undefined, session, { name: 'cbo_session_token', value: 'n' })).toBe(
      'cbo_session_token=n',
    )
  })

  it('removes cookies and returns an empty string when none remain', () => {
    expect(rewriteCookieHeader('cbo_session_token=a; x=1', session, undefined)).toBe('x=1')
    expect(rewriteCookieHeader('cbo_session_token=a', session, undefined)).toBe('')
  })
})
