/**
 * What the gateway changes in the Frontend API's response headers: its cookies become the app's,
 * its redirects stay on the app's origin, and nothing carrying a cookie is left cacheable.
 *
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http'
import { noSharedCaching } from '../core/cache-headers.js'
import { rewriteSetCookie } from './cookies.js'
import type { CookieScope } from './cookies.js'

/** How the Frontend API's URLs map onto the app's. */
export interface GatewayMapping {
  /** The Frontend API's base URL, without a trailing slash. */
  readonly upstream: URL
  /** The path the gateway is mounted at on the app (`''` at the root), without a trailing slash. */
  readonly mountPath: string
  /** Where the Frontend API's cookies live on the app. */
  readonly cookies: CookieScope
}

/** Rewrite the Frontend API's response headers in place, before they are copied to the client. */
export function rewriteResponseHeaders(
  headers: IncomingHttpHeaders,
  mapping: GatewayMapping,
): void {
  const setCookies = headers['set-cookie']
  if (setCookies !== undefined) {
    const rewritten = setCookies
      .map((setCookie) => rewriteSetCookie(setCookie, mapping.cookies))
      .filter((setCookie): setCookie is string => setCookie !== undefined)
    if (rewritten.length === 0) delete headers['set-cookie']
    else {
      headers['set-cookie'] = rewritten
      // A shared cache must never hand one user's refresh-token to another.
      const change = noSharedCaching({ cacheControl: headers['cache-control'], vary: headers.vary })
      if (change.cacheControl !== undefined) headers['cache-control'] = change.cacheControl
      if (change.vary !== undefined) headers.vary = change.vary
      for (const name of change.remove) Reflect.deleteProperty(headers, name)
    }
  }
  const location = headers.location
  if (location !== undefined) headers.location = rewriteLocation(location, mapping)
}

/**
 * A redirect to the Frontend API becomes a redirect to the same place through the gateway, so
 * the browser does not leave the app's origin (and its cookies) mid-flow. Other redirects are
 * kept. A rewritten one is always a path with a single leading slash, never `//host` or `/\\host`.
 */
export function rewriteLocation(location: string, mapping: GatewayMapping): string {
  // A relative reference resolves against the gateway's own URL already.
  if (!location.startsWith('/') && !/^[a-z][a-z\d+.-]*:/i.test(location)) return location
  let url: URL
  try {
    url = new URL(location, mapping.upstream)
  } catch {
    return location
  }
  const base = mapping.upstream.pathname.replace(/\/+$/, '')
  const local =
    url.origin === mapping.upstream.origin &&
    (url.pathname === base || url.pathname.startsWith(`${base}/`))
  if (!local) return location
  // `<frontendApiUrl>//evil.test` must not become `//evil.test` (protocol-relative) at the root:
  // the path below the Frontend API starts with exactly one slash.
  const below = url.pathname.slice(base.length).replace(/^[/\\]+/, '')
  return `${mapping.mountPath}/${below}${url.search}${url.hash}`
}

/**
 * The path the gateway is mounted at, from what Express (and the command line) leave on the
 * request: `originalUrl` is the full path, `url` the part below the mount point.
 */
export function mountPathOf(originalUrl: string | undefined, url: string): string {
  if (originalUrl === undefined) return ''
  const full = originalUrl.split('?', 1)[0] ?? ''
  const below = url.split('?', 1)[0] ?? ''
  const suffix = below === '/' ? '' : below
  if (!full.endsWith(suffix)) return ''
  return full.slice(0, full.length - suffix.length).replace(/\/+$/, '')
}
