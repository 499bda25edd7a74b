/**
 * The keep-alive for anything built on Web `Request`/`Response`: Bun, Deno, Cloudflare Workers,
 * and the frameworks on top of them (React Router, SvelteKit, Astro, h3/Nuxt, …). Runtime-neutral:
 * it imports nothing from `node:`.
 *
 * ```ts
 * import { createFetchKeepAlive } from 'corbado-keepalive/fetch'
 *
 * const keepAlive = createFetchKeepAlive({ projectId: 'pro-1234567890' })
 * async function serve(incoming: Request): Promise<Response> {
 *   const { session, request, finalize } = await keepAlive.handle(incoming)
 *   return finalize(await app(request, session))
 * }
 * ```
 *
 * @module
 */
import { createKeepAlive } from './core/keep-alive.js'
import type { KeepAliveOptions } from './core/options.js'
import type { KeepAliveStats } from './core/stats.js'
import { keepAliveRequestOf } from './fetch/keep-alive-request.js'
import { fetchResultOf, getCorbadoSession } from './fetch/result.js'
import type { FetchKeepAliveResult } from './fetch/result.js'

/** What the adapter cannot read from a `Request` itself. */
export interface FetchRequestContext {
  /**
   * The client's IP address, the default key of `refreshRateLimit`, e.g.
   * `server.requestIP(request)?.address` (Bun), `info.remoteAddr.hostname` (Deno) or the
   * `CF-Connecting-IP` header (Workers). Default: `undefined`, one shared budget.
   */
  readonly clientAddress?: string | undefined
}

/** The keep-alive returned by {@link createFetchKeepAlive}. */
export interface FetchKeepAlive {
  /**
   * Decide for one request. Await it: a fresh, already verified session is decided without a
   * promise (the hot path), a refresh is awaited. Never rejects on bad input: a forged or
   * malformed cookie makes the request anonymous.
   */
  handle(
    request: Request,
    context?: FetchRequestContext,
  ): FetchKeepAliveResult | Promise<FetchKeepAliveResult>
  /** Counters since creation: refreshes, failures, cache hit rate, … */
  stats(): KeepAliveStats
}

/**
 * Create the keep-alive for Web `Request`s. Options are validated now; see `KeepAliveOptions`.
 * `getRefreshToken` and `shouldRefresh` receive the incoming `Request`.
 *
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function createFetchKeepAlive(options: KeepAliveOptions<Request>): FetchKeepAlive {
  const keepAlive = createKeepAlive(options)
  return {
    handle(request, context) {
      const decision = keepAlive.handle(keepAliveRequestOf(request, context?.clientAddress))
      return decision instanceof Promise
        ? decision.then((outcome) => fetchResultOf(request, outcome))
        : fetchResultOf(request, decision)
    },
    stats: () => keepAlive.stats(),
  }
}

/** A `(request, ...rest) => Response` handler: `Bun.serve`'s, `Deno.serve`'s, a Worker's `fetch`. */
export type FetchHandler<Rest extends unknown[] = []> = (
  request: Request,
  ...rest: Rest
) => Response | Promise<Response>

/** How {@link withCorbadoKeepAlive} learns what a `Request` does not carry. */
export interface FetchHandlerContext<Rest extends unknown[]> {
  /**
   * The client's IP address, from the handler's own arguments, e.g.
   * `(request, server) => server.requestIP(request)?.address` (Bun) or
   * `(request, info) => info.remoteAddr.hostname` (Deno). Default: unknown.
   */
  readonly clientAddress?: (request: Request, ...rest: Rest) => string | undefined
}

/** The handler returned by {@link withCorbadoKeepAlive}, with the keep-alive's counters. */
export interface KeepAliveFetchHandler<Rest extends unknown[]> {
  (request: Request, ...rest: Rest): Promise<Response>
  /** Counters since creation: refreshes, failures, cache hit rate, … */
  stats(): KeepAliveStats
}

/**
 * Wrap a `(request, ...rest) => Response` handler: it receives the rewritten request, reads the
 * session with {@link getCorbadoSession}, and its response gets the session cookie.
 *
 * ```ts
 * Bun.serve({
 *   fetch: withCorbadoKeepAlive({ projectId: 'pro-1234567890' }, (request) =>
 *     Response.json(getCorbadoSession(request) ?? null),
 *   ),
 * })
 * ```
 *
 * @typeParam Rest - the handler's arguments after the request (`server`, `info`, `env, ctx`).
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function withCorbadoKeepAlive<Rest extends unknown[] = []>(
  options: KeepAliveOptions<Request>,
  handler: FetchHandler<Rest>,
  context: FetchHandlerContext<Rest> = {},
): KeepAliveFetchHandler<Rest> {
  const keepAlive = createFetchKeepAlive(options)
  const clientAddressOf = context.clientAddress
  async function corbadoKeepAliveHandler(request: Request, ...rest: Rest): Promise<Response> {
    const clientAddress = clientAddressOf?.(request, ...rest)
    const decision = keepAlive.handle(request, { clientAddress })
    // Awaiting the hot path's synchronous result would cost every request a turn of the queue.
    const { request: rewritten, finalize } = decision instanceof Promise ? await decision : decision
    return finalize(await handler(rewritten, ...rest))
  }
  return Object.assign(corbadoKeepAliveHandler, { stats: () => keepAlive.stats() })
}

export { getCorbadoSession }
export type { FetchKeepAliveResult }
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
