/**
 * Hono middleware (Hono 4, on every runtime Hono runs on).
 *
 * ```ts
 * import { Hono } from 'hono'
 * import { corbadoKeepAlive } from 'corbado-keepalive/hono'
 *
 * const app = new Hono()
 * app.use(corbadoKeepAlive({ projectId: 'pro-1234567890' }))
 * app.get('/me', (c) => c.json(c.get('corbadoSession') ?? null))
 * ```
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from 'hono'
import { createKeepAlive } from './core/keep-alive.js'
import type { KeepAliveOptions } from './core/options.js'
import type { KeepAliveStats } from './core/stats.js'
import type { CorbadoSession, KeepAliveOutcome } from './core/types.js'
import { fetchResultOf } from './fetch/result.js'

/**
 * The variables the middleware sets. Read with `c.get('corbadoSession')`; typed for every app by
 * the `ContextVariableMap` declaration below, or give it to your own `Env`:
 * `new Hono<{ Variables: KeepAliveVariables & MyVariables }>()`.
 */
export interface KeepAliveVariables {
  /** The verified Corbado session, set by `corbadoKeepAlive`; `undefined` when anonymous. */
  corbadoSession: CorbadoSession | undefined
}

declare module 'hono' {
  // Module augmentation is how Hono's own middleware (requestId, jwt) type their variables.
  interface ContextVariableMap {
    /** The verified Corbado session, set by `corbadoKeepAlive`; `undefined` when anonymous. */
    corbadoSession: CorbadoSession | undefined
  }
}

/** What the middleware cannot read from the request itself. */
export interface HonoKeepAliveSettings {
  /**
   * The client's IP address, the default key of `refreshRateLimit`, e.g. with the runtime's
   * `getConnInfo`: `(c) => getConnInfo(c).remote.address`. Default: unknown, one shared budget.
   */
  readonly clientAddress?: (c: Context) => string | undefined
}

/** The middleware returned by {@link corbadoKeepAlive}. */
export interface HonoKeepAliveMiddleware extends MiddlewareHandler<{
  Variables: KeepAliveVariables
}> {
  /** Counters since the middleware was created: refreshes, failures, cache hit rate, … */
  stats(): KeepAliveStats
}

/**
 * Create the keep-alive middleware. Options are validated now; see `KeepAliveOptions`;
 * `getRefreshToken` and `shouldRefresh` receive Hono's `Context`.
 *
 * Before `await next()` it sets `c.var.corbadoSession`. When the session cookie changed (a
 * refresh, an ended session, duplicates normalised), it also replaces `c.req.raw` with a Request
 * whose `Cookie` header carries the fresh token, so `c.req.header('cookie')`, `getCookie(c)` and
 * every later handler read it, and after `next()` merges the session cookie (and `Cache-Control:
 * private, no-store`, `Vary: Cookie`) into `c.res`, also into an error page or an immutable
 * response; a session cookie downstream set itself wins. A fresh session leaves both untouched.
 *
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function corbadoKeepAlive(
  options: KeepAliveOptions<Context>,
  settings: HonoKeepAliveSettings = {},
): HonoKeepAliveMiddleware {
  const clientAddressOf = settings.clientAddress
  const keepAlive = createKeepAlive(options, {
    method: (c) => c.req.method,
    ...(clientAddressOf === undefined ? {} : { clientAddress: clientAddressOf }),
  })
  // Not `async`: on the hot path (a fresh session, decided synchronously) there is no async frame
  // of ours per request.
  const middleware: MiddlewareHandler<{ Variables: KeepAliveVariables }> = (c, next) => {
    const decision = keepAlive.handle({
      // Read only once a refresh is due (see KeepAliveAdapter): the hot path reads the cookie alone.
      method: undefined,
      cookieHeader: c.req.header('cookie'),
      clientAddress: undefined,
      raw: c,
    })
    return decision instanceof Promise
      ? decision.then((outcome) => proceed(c, next, outcome))
      : proceed(c, next, decision)
  }
  return Object.assign(middleware, { stats: () => keepAlive.stats() })
}

/** Set the session, and when the session cookie changed, rewrite the request and the response. */
function proceed(c: Context, next: Next, outcome: KeepAliveOutcome): Promise<void> {
  c.set('corbadoSession', outcome.session)
  if (outcome.requestCookieHeader === undefined && outcome.setCookies.length === 0) {
    // `next()` resolves with the Context, which Hono would take for this middleware's response.
    return next().then(nothing)
  }
  return rewritten(c, next, outcome)
}

function nothing(): undefined {
  return undefined
}

async function rewritten(c: Context, next: Next, outcome: KeepAliveOutcome): Promise<void> {
  const { request, finalize } = fetchResultOf(c.req.raw, outcome)
  // HonoRequest reads headers from `raw` each time, and so does `getCookie`.
  c.req.raw = request
  await next()
  const response = finalize(c.res)
  if (response !== c.res) {
    // Assigning over a response copies its headers (the old Set-Cookies too) onto the new one.
    c.res = undefined
    c.res = response
  }
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
