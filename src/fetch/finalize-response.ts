/**
 * Writing the session cookie into a Web `Response`.
 *
 * @module
 */
import { mergeSessionHeaders } from '../core/merge-session-headers.js'

/**
 * `response` with `setCookies` merged into its headers by the core's one merge: the app's own
 * `Set-Cookie`s are kept (its session cookie wins), `Cache-Control: private, no-store` and
 * `Vary: Cookie` are added, and `CDN-Cache-Control`/`Surrogate-Control` removed. Returns
 * `response` itself when there is nothing to merge, or when its headers can be changed; a response
 * whose headers are immutable (`Response.redirect()`, one returned by `fetch()`) is rebuilt
 * around the same body, status and headers.
 */
export function finalizeResponse(response: Response, setCookies: readonly string[]): Response {
  if (setCookies.length === 0) return response
  const headers = response.headers
  let target: Response | undefined
  const writable = (): Headers =>
    (target ??= isMutable(headers) ? response : rebuild(response)).headers
  mergeSessionHeaders(setCookies, {
    get: (name) =>
      name === 'set-cookie' ? headers.getSetCookie() : (headers.get(name) ?? undefined),
    set: (name, value) => {
      const out = writable()
      out.delete(name)
      for (const one of typeof value === 'string' ? [value] : value) out.append(name, one)
    },
    remove: (name) => {
      writable().delete(name)
    },
  })
  return target ?? response
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
