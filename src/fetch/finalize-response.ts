/**
 * Writing the session cookie into a Web `Response`.
 *
 * @module
 */
import { finalizeResponseHeaders } from '../core/set-cookie.js'

/**
 * `response` with `setCookies` merged into its headers by {@link finalizeResponseHeaders}: the
 * app's own `Set-Cookie`s are kept (its session cookie wins), and `Cache-Control: private,
 * no-store` and `Vary: Cookie` are added. Returns `response` itself when there is nothing to
 * merge, or when its headers can be changed; a response whose headers are immutable
 * (`Response.redirect()`, one returned by `fetch()`) is rebuilt around the same body, status and
 * headers.
 */
export function finalizeResponse(response: Response, setCookies: readonly string[]): Response {
  if (setCookies.length === 0) return response
  const headers = response.headers
  const final = finalizeResponseHeaders(setCookies, {
    setCookie: headers.getSetCookie(),
    cacheControl: headers.get('cache-control') ?? undefined,
    vary: headers.get('vary') ?? undefined,
  })
  if (final === undefined) return response
  const target = isMutable(headers) ? response : rebuild(response)
  target.headers.delete('set-cookie')
  for (const value of final.setCookie) target.headers.append('set-cookie', value)
  if (final.cacheControl !== undefined) target.headers.set('cache-control', final.cacheControl)
  if (final.vary !== undefined) target.headers.set('vary', final.vary)
  return target
}

/** Whether `headers` accepts changes; immutable headers throw a `TypeError` on any change. */
function isMutable(headers: Headers): boolean {
  try {
    // A no-op write: deleting a header no response carries.
    headers.delete('x-corbado-keepalive-probe')
    return true
  } catch {
    return false
  }
}

/** A mutable copy of `response`: the same body stream (not read), status and headers. */
function rebuild(response: Response): Response {
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
  })
}
