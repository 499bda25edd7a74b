/**
 * The `Set-Cookie` values this package writes, and how they merge with what downstream wrote.
 *
 * @module
 */
import { parseSetCookie, serialize } from 'cookie'
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
  readonly setCookie: number | string | readonly string[] | undefined
  readonly cacheControl: number | string | readonly string[] | undefined
  readonly vary: number | string | readonly string[] | undefined
}

/** The response headers to write, computed by {@link finalizeResponseHeaders}. */
export interface FinalResponseHeaders {
  readonly setCookie: string[]
  /** `undefined`: leave the header as it is. */
  readonly cacheControl: string | undefined
  /** `undefined`: leave the header as it is. */
  readonly vary: string | undefined
}

/**
 * Merge this package's `Set-Cookie`s into the headers downstream wrote:
 * - every `Set-Cookie` downstream wrote is kept;
 * - a cookie downstream set itself wins over ours of the same name (a logout clears the session
 *   and an in-flight refresh must not bring it back);
 * - a response that carries one of our cookies is made uncacheable by shared caches
 *   (`Cache-Control: private, no-store`, `Vary: Cookie`), so a CDN never hands one user's cookie
 *   to another.
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
  return {
    setCookie: [...theirs, ...added],
    cacheControl: strictCacheControl(existing.cacheControl),
    vary: varyOnCookie(existing.vary),
  }
}

function strictCacheControl(current: ResponseHeaderSnapshot['cacheControl']): string | undefined {
  const directives = toList(current).join(',').toLowerCase()
  if (/\bprivate\b/.test(directives) && /\bno-store\b/.test(directives)) return undefined
  return 'private, no-store'
}

function varyOnCookie(current: ResponseHeaderSnapshot['vary']): string | undefined {
  const value = toList(current).join(', ').trim()
  if (value === '') return 'Cookie'
  const fields = value.split(',').map((field) => field.trim().toLowerCase())
  if (fields.includes('*') || fields.includes('cookie')) return undefined
  return `${value}, Cookie`
}

function cookieName(setCookie: string): string {
  try {
    return parseSetCookie(setCookie).name
  } catch {
    return ''
  }
}

function toList(value: number | string | readonly string[] | undefined): string[] {
  if (value === undefined) return []
  if (typeof value === 'number') return [String(value)]
  return typeof value === 'string' ? [value] : [...value]
}
