/**
 * The `Set-Cookie` values this package writes, and how they merge with what downstream wrote.
 *
 * @module
 */
import { parseSetCookie, serialize } from 'cookie'
import { noSharedCaching, toList } from './cache-headers.js'
import type { HeaderValue } from './cache-headers.js'
import type { ResolvedOptions } from './options.js'

type CookieAttributes = ResolvedOptions<unknown>['cookie']

const EPOCH = new Date(0)

/** `Set-Cookie` for a session-token that expires at `expiresAt`. */
export function sessionSetCookie(
  name: string,
  token: string,
  expiresAt: Date,
  attributes: CookieAttributes,
): string {
  return serialize(name, token, { ...cookieAttributes(attributes), expires: expiresAt })
}

/**
 * `Set-Cookie` that deletes `name`: empty value, `Max-Age=0` and an `Expires` in the past, with
 * the same Path and Domain as the cookie it deletes (a browser deletes only an exact match).
 */
export function clearingSetCookie(name: string, attributes: CookieAttributes): string {
  return serialize(name, '', { ...cookieAttributes(attributes), expires: EPOCH, maxAge: 0 })
}

function cookieAttributes(attributes: CookieAttributes) {
  return {
    path: attributes.path,
    domain: attributes.domain,
    secure: attributes.secure,
    sameSite: attributes.sameSite,
    httpOnly: attributes.httpOnly,
  }
}

/** Response headers as an adapter reads them when headers are about to be written. */
export interface ResponseHeaderSnapshot {
  readonly setCookie: HeaderValue
  readonly cacheControl: HeaderValue
  readonly vary: HeaderValue
}

/** The response headers to write, computed by {@link finalizeResponseHeaders}. */
export interface FinalResponseHeaders {
  readonly setCookie: string[]
  /** `undefined`: leave the header as it is. */
  readonly cacheControl: string | undefined
  /** `undefined`: leave the header as it is. */
  readonly vary: string | undefined
  /**
   * Lower-case names of headers to remove: those instructing only shared caches
   * (`CDN-Cache-Control`, `Surrogate-Control`), which could still let a CDN store the response.
   */
  readonly remove: readonly string[]
}

/**
 * Merge this package's `Set-Cookie`s into the headers downstream wrote:
 * - every `Set-Cookie` downstream wrote is kept;
 * - a cookie downstream set itself wins over ours of the same name (a logout clears the session
 *   and an in-flight refresh must not bring it back);
 * - a response that carries one of our cookies is made uncacheable by shared caches
 *   (`Cache-Control: private, no-store`, `Vary: Cookie`, and `CDN-Cache-Control` and
 *   `Surrogate-Control` removed), so a CDN never hands one user's cookie to another.
 *
 * Returns `undefined` when there is nothing to write.
 */
export function finalizeResponseHeaders(
  ours: readonly string[],
  existing: ResponseHeaderSnapshot,
): FinalResponseHeaders | undefined {
  if (ours.length === 0) return undefined
  const theirs = toList(existing.setCookie)
  const theirNames = new Set(theirs.map(cookieName))
  const added = ours.filter((cookie) => !theirNames.has(cookieName(cookie)))
  if (added.length === 0) return undefined
  return { setCookie: [...theirs, ...added], ...noSharedCaching(existing) }
}

function cookieName(setCookie: string): string {
  try {
    return parseSetCookie(setCookie).name
  } catch {
    return ''
  }
}
