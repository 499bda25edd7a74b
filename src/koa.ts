/**
 * Koa middleware (Koa 2 and 3).
 *
 * ```ts
 * import Koa from 'koa'
 * import { corbadoKeepAlive } from 'corbado-keepalive/koa'
 * import type { KeepAliveState } from 'corbado-keepalive/koa'
 *
 * const app = new Koa<KeepAliveState>()
 * app.use(corbadoKeepAlive({ projectId: 'pro-1234567890' }))
 * app.use((ctx) => {
 *   ctx.body = ctx.state.corbadoSession ?? null
 * })
 * ```
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createKeepAlive } from './core/keep-alive.js'
import type { KeepAliveOptions } from './core/options.js'
import type { KeepAliveStats } from './core/stats.js'
import type { CorbadoSession } from './core/types.js'
import { drive } from './core/drive.js'
import { untrustedForwardedFor } from './node/forwarded-for.js'
import { applyOutcome } from './node/apply-outcome.js'
import { nodeSha256 } from './node/sha256.js'

/**
 * What the middleware puts in `ctx.state`. Type your app with it, `new Koa<KeepAliveState>()`
 * (or your state type `& KeepAliveState`), to read `ctx.state.corbadoSession` typed.
 */
export interface KeepAliveState {
  /** The verified Corbado session, set by `corbadoKeepAlive`; `undefined` when anonymous. */
  corbadoSession?: CorbadoSession | undefined
}

/**
 * The parts of a Koa context the middleware uses. Structural, so contexts of Koa 2 and Koa 3
 * (with `@types/koa` 2 or 3, or none) all fit.
 */
export interface KoaContextLike {
  /** The Node request; its `Cookie` header is rewritten before downstream runs. */
  readonly req: IncomingMessage
  /** The Node response; the session cookie is written when its headers are. */
  readonly res: ServerResponse
  /** The request method, upper case. */
  readonly method: string
  /** The client's address, honouring `app.proxy`: the refresh rate limit counts per address. */
  readonly ip: string
  /**
   * Koa's per-request state; `corbadoSession` is set on it. Typed `object` so that an app's own
   * state type need not mention {@link KeepAliveState}.
   */
  readonly state: object
}

/** The middleware returned by {@link corbadoKeepAlive}. */
export interface KoaKeepAliveMiddleware<Ctx extends KoaContextLike = KoaContextLike> {
  (ctx: Ctx, next: () => Promise<unknown>): Promise<unknown>
  /** Counters since the middleware was created: refreshes, failures, cache hit rate, … */
  stats(): KeepAliveStats
}

/**
 * Hand a bug to Koa as a rejection. Made once, not per request: a function made per request
 * costs an allocation on the hot path.
 */
function rejectWith(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)))
}

/**
 * Create the keep-alive middleware. Options are validated now; see `KeepAliveOptions`.
 *
 * For each request, before `await next()`, it sets `ctx.state.corbadoSession` and rewrites the
 * request's `Cookie` header, so `ctx.cookies.get('cbo_session_token')`, `ctx.get('Cookie')` and
 * every later middleware read the fresh token. The session cookie is written when the response's
 * headers are, so it survives `ctx.cookies.set`, `ctx.set('Set-Cookie', …)`, redirects, streamed
 * bodies and errors handled by Koa; a session cookie downstream sets itself wins.
 *
 * @typeParam Ctx - your context type, e.g. `Koa.Context`, as `getRefreshToken` and
 *   `shouldRefresh` receive it.
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function corbadoKeepAlive<Ctx extends KoaContextLike = KoaContextLike>(
  options: KeepAliveOptions<Ctx>,
): KoaKeepAliveMiddleware<Ctx> {
  const keepAlive = createKeepAlive(options, {
    untrustedForwardedFor,
    clientAddress: (ctx) => ctx.ip || undefined,
    method: (ctx) => ctx.method,
    sha256: nodeSha256,
  })

  // On the hot path (a fresh session, decided synchronously) downstream's own promise is handed
  // back to Koa, with no promise or async frame of ours per request.
  function corbadoKeepAliveMiddleware(ctx: Ctx, next: () => Promise<unknown>): Promise<unknown> {
    return drive(
      () =>
        keepAlive.handle({
          // Read through Koa's delegates, once a refresh is due.
          method: undefined,
          cookieHeader: ctx.req.headers.cookie,
          clientAddress: undefined,
          raw: ctx,
        }),
      {
        apply(outcome) {
          ;(ctx.state as KeepAliveState).corbadoSession = outcome.session
          // No `finally` needed for errors: Koa's error handler writes its response through the
          // same `res`, after it removed the headers set so far, and the cookie is added then.
          applyOutcome(ctx.req, ctx.res, outcome)
        },
        proceed: next,
        fail: rejectWith,
      },
    )
  }

  return Object.assign(corbadoKeepAliveMiddleware, { stats: () => keepAlive.stats() })
}

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
