/**
 * The cookies a Corbado login leaves, written by the demo on its own origin.
 *
 * In production the refresh-token cookie is set by the Frontend API; it reaches the app only when
 * the Frontend API is served through the app's origin (`corbadoGateway`). The demo sets it
 * directly, as that gateway would, and the session cookie as Corbado's browser SDK does.
 *
 * @module
 */
import { stringifySetCookie } from 'cookie'
import { decodeJwt } from 'jose'

export const SESSION_COOKIE = 'cbo_session_token'
export const REFRESH_COOKIE = 'cbo_refresh_token'

/** Corbado's refresh-tokens live for days; the fake never expires them, so pick a week. */
const REFRESH_COOKIE_MAX_AGE_SECONDS = 7 * 24 * 3600

/** `Set-Cookie` values for a fresh login. */
export function loginCookies(
  tokens: { sessionToken: string; refreshToken: string },
  secure: boolean,
): string[] {
  // Decoded, not verified: the token was minted a moment ago by the provider the demo trusts.
  const { exp } = decodeJwt(tokens.sessionToken)
  return [
    stringifySetCookie({
      name: REFRESH_COOKIE,
      value: tokens.refreshToken,
      maxAge: REFRESH_COOKIE_MAX_AGE_SECONDS,
      path: '/',
      httpOnly: true,
      secure,
      sameSite: 'lax',
    }),
    stringifySetCookie({
      name: SESSION_COOKIE,
      value: tokens.sessionToken,
      ...(exp === undefined ? {} : { expires: new Date(exp * 1000) }),
      path: '/',
      secure,
      sameSite: 'lax',
    }),
  ]
}

/** `Set-Cookie` values that remove both cookies. */
export function logoutCookies(secure: boolean): string[] {
  return [REFRESH_COOKIE, SESSION_COOKIE].map((name) =>
    stringifySetCookie({
      name,
      value: '',
      maxAge: 0,
      path: '/',
      httpOnly: name === REFRESH_COOKIE,
      secure,
      sameSite: 'lax',
    }),
  )
}
