/**
 * Express middleware (Express 4 and 5; any `node:http` framework with `(req, res, next)`).
 *
 * ```ts
 * import { corbadoKeepAlive } from 'corbado-keepalive/express'
 * app.use(corbadoKeepAlive({ projectId: 'pro-1234567890' }))
 * app.get('/me', (req, res) => res.json(req.corbadoSession ?? null))
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
import { setSession } from './express/session-property.js'

declare global {
  // Declaration merging is how Express users type request extensions.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified Corbado session, set by `corbadoKeepAlive`; `undefined` when anonymous. */
      corbadoSession?: CorbadoSession | undefined
    }
  }
}

/** The middleware returned by {@link corbadoKeepAlive}. */
export interface ExpressKeepAliveMiddleware<Req extends IncomingMessage = IncomingMessage> {
  (req: Req, res: ServerResponse, next: (error?: unknown) => void): void
  /** Counters since the middleware was created: refreshes, failures, cache hit rate, … */
  stats(): KeepAliveStats
}

/** @deprecated Renamed {@link ExpressKeepAliveMiddleware} (`<Framework>KeepAliveMiddleware`). */
export type KeepAliveMiddleware<Req extends IncomingMessage = IncomingMessage> =
  ExpressKeepAliveMiddleware<Req>

/**
 * Create the keep-alive middleware. Options are validated now; see `KeepAliveOptions`.
 *
 * For each request it sets `req.corbadoSession`, rewrites `req.headers.cookie` (and
 * `req.cookies` when cookie-parser ran first) so downstream reads the fresh token, and writes
 * the session cookie when the response's headers are written.
 *
 * @typeParam Req - your request type, e.g. `express.Request`, as `getRefreshToken` and
 *   `shouldRefresh` receive it.
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function corbadoKeepAlive<Req extends IncomingMessage = IncomingMessage>(
  options: KeepAliveOptions<Req>,
): ExpressKeepAliveMiddleware<Req> {
  const keepAlive = createKeepAlive(options, {
    untrustedForwardedFor,
    clientAddress: clientAddressOf,
    method: (req) => req.method,
    sha256: nodeSha256,
  })

  function corbadoKeepAliveMiddleware(
    req: Req,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    void drive(
      () =>
        keepAlive.handle({
          // Every property read of an Express request costs (see ./express/session-property.ts):
          // the method and the client's address are read only on the refresh path.
          method: undefined,
          cookieHeader: req.headers.cookie,
          clientAddress: undefined,
          raw: req,
        }),
      {
        apply(outcome) {
          setSession(req, outcome.session)
          applyOutcome(req, res, outcome)
        },
        proceed: next,
        fail: next,
      },
    )
  }

  return Object.assign(corbadoKeepAliveMiddleware, { stats: () => keepAlive.stats() })
}

/** Express's `req.ip` honours its `trust proxy` setting; bare `node:http` has the socket only. */
function clientAddressOf(req: IncomingMessage): string | undefined {
  return (req as IncomingMessage & { ip?: string }).ip ?? req.socket.remoteAddress
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
