/**
 * Public types shared by the core and the adapters.
 *
 * @module
 */
import type { KeepAliveError, RefreshFailureReason } from './errors.js'

/**
 * The claims of a Corbado session-token.
 * Corbado issues `iss`, `sub`, `exp`, `iat`, `nbf`, `jti`, `orig`, `version`, and `name`,
 * `email` or `phone_number` when known.
 */
export interface CorbadoClaims {
  readonly iss: string
  /** The Corbado user ID, `usr-<digits>`. */
  readonly sub: string
  /** Expiry, seconds since the epoch. */
  readonly exp: number
  readonly iat?: number
  readonly nbf?: number
  readonly jti?: string
  readonly name?: string
  readonly email?: string
  readonly phone_number?: string
  /** The login identifier the user signed in with. */
  readonly orig?: string
  readonly version?: number
  readonly [claim: string]: unknown
}

/** What downstream handlers see of a verified session. */
export interface CorbadoSession {
  /** The Corbado user ID (`sub`). */
  readonly userId: string
  /** The token's claims. Verified unless the middleware runs with `verify: false`. */
  readonly claims: CorbadoClaims
  /** The session-token (JWT) downstream should use, e.g. to call your own APIs. */
  readonly token: string
  /** When the token expires. */
  readonly expiresAt: Date
  /** `true` when this request refreshed the token (or received another request's refresh). */
  readonly refreshed: boolean
}

/** A log function in pino's `(object, message)` form. */
export type LogFn = (context: Record<string, unknown>, message: string) => void

/**
 * A logger: pino, bunyan-style child loggers and `console` all fit.
 * Log lines never contain a token or refresh-token value.
 */
export interface Logger {
  debug?: LogFn
  info?: LogFn
  warn: LogFn
  error: LogFn
}

/**
 * Given to `onRefresh` each time a request receives a refreshed session-token.
 *
 * @typeParam Req - the framework's request type.
 */
export interface RefreshEvent<Req = unknown> {
  readonly userId: string
  readonly expiresAt: Date
  /** `true` when another request (or instance) made the upstream call and this one reused it. */
  readonly coalesced: boolean
  /** Time this request waited for the refresh, milliseconds. */
  readonly durationMs: number
  /**
   * The adapter's request object (`req` in Express and \`node:http\`, the \`ctx\` in Koa), so a
   * logger can add its request id. Not enumerable: logging or serializing the event as a whole
   * leaves the request (and the tokens in its Cookie header) out; read it by name.
   */
  readonly request: Req
}

/**
 * Given to `onSessionEnded` (and published on the `corbado-keepalive:session-ended` diagnostics
 * channel) when the Frontend API rejected the refresh-token (401/403).
 *
 * @typeParam Req - the framework's request type.
 */
export interface SessionEndedEvent<Req = unknown> {
  /**
   * The user of the session-token the request presented, when the keep-alive verified it (never
   * with `verify: false`); `undefined` when the request carried only a refresh-token.
   */
  readonly userId: string | undefined
  /** The Frontend API's status: 401 or 403. */
  readonly status: number
  readonly coalesced: boolean
  /**
   * The adapter's request object (`req` in Express and \`node:http\`, the \`ctx\` in Koa), so a
   * logger can add its request id. Not enumerable: logging or serializing the event as a whole
   * leaves the request (and the tokens in its Cookie header) out; read it by name.
   */
  readonly request: Req
}

/**
 * Given to `onCircuitChange` (and published on the `corbado-keepalive:circuit-change` diagnostics
 * channel) when the refresh circuit opens or closes.
 *
 * @typeParam Req - the framework's request type.
 */
export interface CircuitChangeEvent<Req = unknown> {
  /** `open`: refreshes are paused; `closed`: a refresh succeeded again. */
  readonly state: 'open' | 'closed'
  /** Transient failures in a row when the state changed. */
  readonly consecutiveFailures: number
  /**
   * The adapter's request whose upstream refresh changed the state (see {@link RefreshEvent}'s
   * `request`). Not enumerable.
   */
  readonly request: Req
}

/** Re-exported for hooks. */
export type { KeepAliveError, RefreshFailureReason }

/**
 * One request, as the core sees it: the adapter fills this from its framework's request, and the
 * core reads nothing else of it.
 */
export interface KeepAliveRequest<Req> {
  /**
   * HTTP method, upper case. `undefined` when reading it costs something per request (each
   * property read of an Express request does, see `KeepAliveAdapter`): the core then asks
   * `KeepAliveAdapter.method`, once a refresh is due.
   */
  readonly method: string | undefined
  /** The raw `Cookie` header, if any. */
  readonly cookieHeader: string | undefined
  /**
   * The client's address as the framework reports it, which honours its trust-proxy settings;
   * the refresh rate limit counts per address. `undefined` when unknown, or when reading it costs
   * something per request (Express's `req.ip` parses `X-Forwarded-For`): the core then asks
   * `KeepAliveAdapter.clientAddress`, on the refresh path only.
   */
  readonly clientAddress: string | undefined
  /**
   * The framework's own request object, handed to `getRefreshToken`, `shouldRefresh` and
   * `refreshRateLimit.clientKey`; the core never reads it.
   */
  readonly raw: Req
}

/**
 * What the core decided for one request. Adapters apply it and hold no logic of their own:
 * rewrite the request's Cookie header, expose `session`, and hand `setCookies` to
 * {@link finalizeResponseHeaders} when headers are written.
 */
export interface KeepAliveOutcome {
  /**
   * - `none`: nothing to do (no session, a fresh session, or refresh not possible or not eligible).
   * - `refreshed`: a new session-token was obtained (possibly by a coalesced request).
   * - `ended`: the Frontend API rejected the refresh-token; the session is cleared.
   * - `failed`: the refresh failed transiently; served fail-open.
   */
  readonly action: 'none' | 'refreshed' | 'ended' | 'failed'
  /** The verified session downstream sees, or `undefined` for anonymous. */
  readonly session: CorbadoSession | undefined
  /**
   * The Cookie header downstream must see: `undefined` leaves it untouched, `''` means no cookie
   * remains and the header is removed.
   */
  readonly requestCookieHeader: string | undefined
  /**
   * The same change as name → value, for frameworks that parsed cookies already
   * (`req.cookies`); `undefined` means the cookie is removed.
   */
  readonly requestCookies: Readonly<Record<string, string | undefined>>
  /** `Set-Cookie` values to write; empty when the browser's cookies stay as they are. */
  readonly setCookies: readonly string[]
  /** Why a refresh failed, when `action` is `failed`. */
  readonly failure: RefreshFailureReason | undefined
}
