/**
 * The cookie boundary between the app and the Frontend API: only Corbado's `cbo_*` cookies cross
 * it, in either direction. Going up, the app's own cookies (its session, CSRF token, analytics)
 * stay with the app; coming down, the Frontend API cannot set or overwrite a cookie of the app.
 * Cookies are kept byte for byte; only `Domain` and `Path` are rewritten.
 *
 * @module
 */
import { trimSpace } from '../core/request-cookies.js'

/** The prefix of every Corbado cookie name. */
export const CORBADO_COOKIE_PREFIX = 'cbo_'

/**
 * Keep only the `cbo_*` cookies of a `Cookie` header, byte for byte. Returns `''` when none
 * remains (the header is then removed).
 */
export function corbadoCookiesOnly(header: string | undefined): string {
  if (header === undefined) return ''
  return header
    .split(';')
    .map(trimSpace)
    .filter((pair) => pair.startsWith(CORBADO_COOKIE_PREFIX))
    .join('; ')
}

/** Where rewritten cookies live on the app's side. */
export interface CookieScope {
  /** `Domain` attribute; `undefined` makes the cookie host-only. */
  readonly domain: string | undefined
  /** `Path` attribute. */
  readonly path: string
}

/**
 * Make a `Set-Cookie` of the Frontend API a first-party cookie of the app: its `Domain` and
 * `Path` are replaced by `scope`'s, every other attribute (`Expires`, `Max-Age`, `HttpOnly`,
 * `Secure`, `SameSite`, …) is kept as it is. Returns `undefined` for a cookie that is not a
 * `cbo_*` cookie: it is dropped.
 */
export function rewriteSetCookie(setCookie: string, scope: CookieScope): string | undefined {
  const [pair = '', ...attributes] = setCookie.split(';')
  const nameValue = trimSpace(pair)
  if (!nameValue.startsWith(CORBADO_COOKIE_PREFIX) || !nameValue.includes('=')) return undefined
  const kept = attributes.map(trimSpace).filter((attribute) => {
    const name = trimSpace(attribute.split('=', 1)[0] ?? '').toLowerCase()
    return attribute !== '' && name !== 'domain' && name !== 'path'
  })
  const placed = [`Path=${scope.path}`]
  if (scope.domain !== undefined) placed.push(`Domain=${scope.domain}`)
  return [nameValue, ...placed, ...kept].join('; ')
}
