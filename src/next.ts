/**
 * Next.js: keep the session alive in `proxy.ts` (Next 16, Node.js runtime) or `middleware.ts`
 * (Edge runtime: Next 15, and Next 16's deprecated middleware), and read it in server components,
 * route handlers and server actions. Built on the fetch adapter.
 *
 * ```ts
 * // proxy.ts
 * import { corbadoKeepAlive } from 'corbado-keepalive/next'
 *
 * export default corbadoKeepAlive({ projectId: 'pro-1234567890' })
 * export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] }
 * ```
 *
 * @module
 */
import type { NextRequest } from 'next/server.js'
import type { KeepAliveOptions } from './core/options.js'
import type { KeepAliveStats } from './core/stats.js'
import type { CorbadoSession } from './core/types.js'
import { createKeepAlive } from './core/keep-alive.js'
import { keepAliveRequestOf } from './fetch/keep-alive-request.js'
import { fetchResultOf } from './fetch/result.js'
import { headersWithCookie } from './fetch/rewrite-request.js'
import {
  hasInstructions,
  overrideRequestHeaders,
  withoutInstructions,
} from './next/request-headers.js'
import { loadNextServer } from './next/next-modules.js'
import { resolvedOptionsOf, getCorbadoSession } from './next/read-session.js'
import { verifiedSessionsFor } from './next/verified-sessions.js'

/** What the keep-alive cannot read from a `NextRequest` itself. */
export interface NextKeepAliveSettings {
  /**
   * The client's IP address, the default key of `refreshRateLimit`, e.g. from the header your
   * hosting's edge sets and a client cannot: `(request) => request.headers.get('x-real-ip') ??
   * undefined`. Default: unknown, one shared budget.
   */
  readonly clientAddress?: (request: NextRequest) => string | undefined
}

/** One request's outcome in `proxy.ts`, from {@link NextKeepAlive.handle}. */
export interface NextKeepAliveResult {
  /** The verified Corbado session, `undefined` when anonymous. */
  readonly session: CorbadoSession | undefined
  /**
   * Merge the session into the response the proxy returns: its `Set-Cookie` (with `Cache-Control:
   * private, no-store` and `Vary: Cookie`) on any response, redirects included; and, on a response
   * that lets the request through (`NextResponse.next()`, `NextResponse.rewrite()`), the fresh
   * `Cookie` header for the render, so `cookies()` reads the fresh token. Request headers the app
   * overrides itself are kept. Returns the same response unless its headers are immutable (then a
   * copy around the same body).
   */
  readonly finalize: (response: Response) => Response
}

/** The keep-alive returned by {@link createNextKeepAlive}, for a proxy with logic of its own. */
export interface NextKeepAlive {
  /** Decide for one request. Never rejects on bad input: a forged cookie makes it anonymous. */
  handle(request: NextRequest): Promise<NextKeepAliveResult>
  /** Counters since creation: refreshes, failures, cache hit rate, … */
  stats(): KeepAliveStats
}

/** The proxy function returned by {@link corbadoKeepAlive}. */
export interface NextKeepAliveProxy {
  (request: NextRequest): Promise<Response>
  /** Counters since creation: refreshes, failures, cache hit rate, … */
  stats(): KeepAliveStats
}

/**
 * Create the keep-alive for a proxy that does more, e.g. next-intl, rewrites or redirects:
 *
 * ```ts
 * const keepAlive = createNextKeepAlive({ projectId: 'pro-1234567890' })
 * export default async function proxy(request: NextRequest) {
 *   const { session, finalize } = await keepAlive.handle(request)
 *   if (session === undefined && request.nextUrl.pathname.startsWith('/account')) {
 *     return finalize(NextResponse.redirect(new URL('/login', request.url)))
 *   }
 *   return finalize(intlMiddleware(request))
 * }
 * ```
 *
 * Options are validated now; see `KeepAliveOptions`. `getRefreshToken` and `shouldRefresh`
 * receive the `NextRequest`.
 *
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function createNextKeepAlive(
  options: KeepAliveOptions<Request>,
  settings: NextKeepAliveSettings = {},
): NextKeepAlive {
  const keepAlive = createKeepAlive(options)
  const shared = verifiedSessionsFor(resolvedOptionsOf(options))
  const clientAddressOf = settings.clientAddress
  return {
    async handle(request) {
      const clientAddress = clientAddressOf?.(request)
      const [outcome, { NextResponse }] = await Promise.all([
        keepAlive.handle(keepAliveRequestOf(request, clientAddress)),
        loadNextServer(),
      ])
      // The rewritten Request is never read here, so the incoming one keeps its body.
      const result = fetchResultOf(request, outcome)
      const session = result.session
      if (session !== undefined) {
        const now = Date.now()
        shared.handedOn.set(session.token, session, session.expiresAt.getTime(), now)
      }
      // Next hands the original headers on unless told otherwise: only a rewritten Cookie
      // header, or a client's header under one of Next's instruction names, needs an override.
      const cookieHeader = outcome.requestCookieHeader
      const handOn =
        cookieHeader !== undefined || hasInstructions(request.headers)
          ? withoutInstructions(
              cookieHeader === undefined
                ? request.headers
                : headersWithCookie(request.headers, cookieHeader),
            )
          : undefined
      return {
        session,
        finalize(response) {
          const final = result.finalize(response)
          if (handOn !== undefined && continuesToRender(final)) {
            overrideRequestHeaders(NextResponse, final, handOn, outcome.requestCookies)
          }
          return final
        },
      }
    },
    stats: () => keepAlive.stats(),
  }
}

/**
 * The proxy: `export default corbadoKeepAlive(options)` in `proxy.ts` (or `middleware.ts`). It
 * returns `NextResponse.next()` with the session merged in (see
 * {@link NextKeepAliveResult.finalize}). Options are validated now; see `KeepAliveOptions`.
 *
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function corbadoKeepAlive(
  options: KeepAliveOptions<Request>,
  settings: NextKeepAliveSettings = {},
): NextKeepAliveProxy {
  const keepAlive = createNextKeepAlive(options, settings)
  async function corbadoKeepAliveProxy(request: NextRequest): Promise<Response> {
    const [{ finalize }, { NextResponse }] = await Promise.all([
      keepAlive.handle(request),
      loadNextServer(),
    ])
    return finalize(NextResponse.next())
  }
  return Object.assign(corbadoKeepAliveProxy, { stats: () => keepAlive.stats() })
}

/** Whether Next renders a page for the request after this response (next or rewrite). */
function continuesToRender(response: Response): boolean {
  return response.headers.has('x-middleware-next') || response.headers.has('x-middleware-rewrite')
}

export { getCorbadoSession }
export type {
  KeepAliveOptions,
  SessionCookieOptions,
  CircuitBreakerOptions,
  RefreshRateLimitOptions,
  TelemetryOptions,
} from './core/options.js'
export type { CircuitState } from './core/circuit-breaker.js'
export type { CorbadoSession, CorbadoClaims } from './core/types.js'
export type { KeepAliveStats } from './core/stats.js'
