/**
 * The one rule for a response that carries a session or refresh cookie: no shared cache may
 * store it, whatever the application asked for.
 *
 * @module
 */

/** A response header's value as Node and the adapters hold it. */
export type HeaderValue = number | string | readonly string[] | undefined

/**
 * Headers that instruct only shared caches (CDNs, reverse proxies). Each can make a CDN store a
 * response that `Cache-Control: private, no-store` forbids elsewhere, so they are removed from a
 * response carrying a session cookie: `CDN-Cache-Control` (RFC 9213) and `Surrogate-Control`
 * (Edge Architecture). Lower-case.
 */
export const SHARED_CACHE_HEADERS: readonly string[] = Object.freeze([
  'cdn-cache-control',
  'surrogate-control',
])

/** What to change so that a response carrying a cookie is never stored by a shared cache. */
export interface NoSharedCaching {
  /** The `Cache-Control` to write; `undefined`: the current one has `private` and `no-store`. */
  readonly cacheControl: string | undefined
  /** The `Vary` to write; `undefined`: the current one varies on `Cookie` (or `*`) already. */
  readonly vary: string | undefined
  /** Headers to remove: {@link SHARED_CACHE_HEADERS}. */
  readonly remove: readonly string[]
}

/**
 * The changes that keep a response carrying a cookie out of every shared cache:
 * `Cache-Control: private, no-store` (unless it has both already), `Vary` with `Cookie` added,
 * and the CDN-only caching headers removed.
 */
export function noSharedCaching(current: {
  readonly cacheControl: HeaderValue
  readonly vary: HeaderValue
}): NoSharedCaching {
  return {
    cacheControl: strictCacheControl(current.cacheControl),
    vary: varyOnCookie(current.vary),
    remove: SHARED_CACHE_HEADERS,
  }
}

function strictCacheControl(current: HeaderValue): string | undefined {
  const directives = toList(current).join(',').toLowerCase()
  if (/\bprivate\b/.test(directives) && /\bno-store\b/.test(directives)) return undefined
  return 'private, no-store'
}

function varyOnCookie(current: HeaderValue): string | undefined {
  const value = toList(current).join(', ').trim()
  if (value === '') return 'Cookie'
  const fields = value.split(',').map((field) => field.trim().toLowerCase())
  if (fields.includes('*') || fields.includes('cookie')) return undefined
  return `${value}, Cookie`
}

/** A header's value as a list of its field lines. */
export function toList(value: HeaderValue): string[] {
  if (value === undefined) return []
  if (typeof value === 'number') return [String(value)]
  return typeof value === 'string' ? [value] : [...value]
}
