/**
 * Writing {@link finalizeResponseHeaders}'s result into a response's headers: the one merge every
 * adapter and the proxy use, whatever holds the headers.
 *
 * @module
 */
import { finalizeResponseHeaders } from './set-cookie.js'

/** The three response headers the merge reads and writes. */
export type SessionHeaderName = 'set-cookie' | 'cache-control' | 'vary'

/** Read and write access to a response's headers, by lower-case name. */
export interface ResponseHeaderAccess {
  get(name: SessionHeaderName): number | string | readonly string[] | undefined
  set(name: SessionHeaderName, value: string | string[]): void
}

/**
 * Merge `ours` (the outcome's `Set-Cookie`s) into the headers behind `headers`: every
 * `Set-Cookie` already there is kept and wins over ours of the same name, and a response that
 * carries one of ours gets `Cache-Control: private, no-store` and `Vary: Cookie`. Writes nothing
 * when there is nothing of ours to add.
 */
export function mergeSessionHeaders(ours: readonly string[], headers: ResponseHeaderAccess): void {
  const final = finalizeResponseHeaders(ours, {
    setCookie: headers.get('set-cookie'),
    cacheControl: headers.get('cache-control'),
    vary: headers.get('vary'),
  })
  if (final === undefined) return
  headers.set('set-cookie', final.setCookie)
  if (final.cacheControl !== undefined) headers.set('cache-control', final.cacheControl)
  if (final.vary !== undefined) headers.set('vary', final.vary)
}
