/**
 * The options of `createKeepAlive` and the framework adapters, their defaults, and their
 * validation. Options are checked once, at construction; per request nothing is parsed.
 *
 * @module
 */
import type { RefreshCoordinator } from './coordinator.js'
import { InvalidOptionError } from './errors.js'
import { resolveFrontendApiUrl, resolveProjectId } from './project-options.js'
import {
  boolean,
  hasMethods,
  integer,
  isPlainObject,
  optionalFunction,
  rejectUnknownKeys,
  resolveLogger,
} from './validate.js'
import type { KeysEnum } from './validate.js'
import type { KeepAliveError } from './errors.js'
import type { CircuitChangeEvent, Logger, RefreshEvent, SessionEndedEvent } from './types.js'

/** Attributes of the session cookie this package writes. */
export interface SessionCookieOptions {
  /** `Path` attribute. Default `'/'`. */
  path?: string
  /**
   * `Domain` attribute, e.g. `'example.com'` to share the cookie with subdomains. Default: none,
   * which makes the cookie host-only, as Corbado's own cookie is by default.
   */
  domain?: string
  /** `Secure` attribute. Default `true` (browsers accept it on `http://localhost` too). */
  secure?: boolean
  /** `SameSite` attribute. Default `'lax'`. `'none'` requires `secure: true`. */
  sameSite?: 'lax' | 'strict' | 'none'
  /**
   * `HttpOnly` attribute. Default `false`: Corbado's browser SDK reads the session cookie, so it
   * must stay readable by scripts unless your frontend does not use the SDK.
   */
  httpOnly?: boolean
}

/**
 * Options of the keep-alive. Only `projectId` is required.
 *
 * @typeParam Req - the framework's request type, given to `getRefreshToken` and `shouldRefresh`.
 */
export interface KeepAliveOptions<Req = unknown> {
  /** Your Corbado project ID, `pro-<digits>`. Required. */
  projectId: string
  /**
   * Where the Frontend API lives: refresh and JWKS are called there, and its origin is an
   * accepted token issuer. Default `https://<projectId>.frontendapi.cloud.corbado.io`.
   */
  frontendApiUrl?: string
  /** Refresh when the token expires in at most this many seconds. Default `60`. */
  refreshBeforeExpirySeconds?: number
  /**
   * Upper bound, in milliseconds, on what one request waits for a refresh (and for the first
   * JWKS download). Default `3000`.
   */
  refreshTimeoutMs?: number
  /**
   * The most upstream refresh calls this process makes at once; further refreshes wait their turn,
   * within `refreshTimeoutMs`. When many sessions expire together, this keeps the CPU work of their
   * new tokens from delaying every other request. At a Frontend API latency of 50 ms, 8 allow
   * 160 refreshes a second per process. Default `8`.
   */
  refreshConcurrency?: number
  /** Name of the session-token cookie. Default `'cbo_session_token'`; `cbo_short_session` is read too. */
  sessionCookieName?: string
  /** Name of the refresh-token cookie. Default `'cbo_refresh_token'`; `cbo_long_session` is read too. */
  refreshCookieName?: string
  /**
   * Attributes of the written session cookie. `Expires` is always the token's `exp`. Default: the
   * `sessionTokenCookieConfig` your project's `/v2/session-config` advertises (domain, path,
   * secure, sameSite), as Corbado's browser SDK writes the cookie, so the browser holds one
   * `cbo_session_token`; while it is unknown, `{ path: '/', secure: true, sameSite: 'lax' }`,
   * host-only. Each attribute given here wins over session-config's. `httpOnly` is `false` unless
   * given.
   */
  cookie?: SessionCookieOptions
  /**
   * Verify each token's signature (JWKS) and issuer before trusting its claims. Default `true`.
   * With `false` claims are only decoded: use it only behind something that verifies.
   */
  verify?: boolean
  /**
   * Where the refresh-token comes from when it is not (only) a cookie, e.g. your own session
   * store. Return `undefined` to fall back to the refresh cookie. It may return a promise (a
   * lookup in a store), which is awaited within `refreshTimeoutMs`; it is asked only when a
   * refresh is due, never for a request whose session-token is fresh. A throw or rejection is
   * reported to `onError` and falls back to the cookie. Default: the cookie.
   */
  getRefreshToken?: (req: Req) => string | undefined | Promise<string | undefined>
  /**
   * Coordinates refreshes of one refresh-token between concurrent requests. Default: an
   * in-process {@link MemoryCoordinator}; use `RedisCoordinator` for several instances.
   */
  coordinator?: RefreshCoordinator
  /**
   * Whether this request may trigger a refresh. A request that may not still gets its verified
   * session. Default: every request but `OPTIONS` and `HEAD`.
   */
  shouldRefresh?: (req: Req) => boolean
  /** Receives warnings and errors (pino-compatible). Default: silent. Never given a token. */
  logger?: Logger
  /**
   * Called when a request receives a refreshed session-token, with that request. Never given a
   * token.
   */
  onRefresh?: (event: RefreshEvent<Req>) => void
  /**
   * Called when the Frontend API rejects a refresh-token (401/403), with the request. Never
   * given a token.
   */
  onSessionEnded?: (event: SessionEndedEvent<Req>) => void
  /** Called with every transient failure and every hook that threw. Never given a token. */
  onError?: (error: KeepAliveError) => void
  /**
   * Pause refreshes after repeated transient failures, so an outage of the Frontend API does not
   * add `refreshTimeoutMs` to every request. `false` disables it. Default
   * `{ failureThreshold: 5, cooldownMs: 10000 }`.
   */
  circuitBreaker?: CircuitBreakerOptions | false
  /** Called when the refresh circuit opens or closes again, with the request that caused it. */
  onCircuitChange?: (event: CircuitChangeEvent<Req>) => void
  /**
   * Bound the upstream refreshes that made-up refresh-tokens can cause, so they cannot make this
   * process hammer the Frontend API; never throttles returning users. What is budgeted is the
   * refreshes Corbado rejects (401/403, or an answer that fails verification): a refresh that
   * succeeds spends nothing, and a refresh-token that refreshed before is never limited. A
   * limited refresh fails open with reason `throttled` and clears nothing. `false` disables it.
   * Default `{ perClientPerMinute: 30, unprovenPerSecond: 20 }`: made-up refresh-tokens reach
   * Corbado at most `perClientPerMinute × (1 + T / 60)` times in `T` seconds from one client, and
   * `unprovenPerSecond × (5 + T)` times from all clients together.
   */
  refreshRateLimit?: RefreshRateLimitOptions<Req> | false
  /** The `fetch` used for refresh calls and JWKS, e.g. undici's with a proxy. Default: global `fetch`. */
  fetch?: typeof globalThis.fetch
  /**
   * OpenTelemetry spans and metrics through the global tracer and meter providers, when the app
   * has `@opentelemetry/api` installed (a no-op until it registers an SDK); `false` turns them
   * off. Requests that arrive while the API is still loading, just after creation, are not
   * instrumented. Default `true`. See docs/observability.md.
   */
  telemetry?: TelemetryOptions | boolean
}

/** Settings of the OpenTelemetry instrumentation. */
export interface TelemetryOptions {
  /**
   * Add the Corbado user ID (`user.id`) to refresh spans, when the request carried a verified
   * session-token. Never to metrics. Default `false`.
   */
  includeUserId?: boolean
}

/** Settings of the refresh circuit breaker. */
export interface CircuitBreakerOptions {
  /** Consecutive transient failures that open the circuit. Default `5`. */
  failureThreshold?: number
  /** How long the circuit stays open before one trial refresh, milliseconds. Default `10000`. */
  cooldownMs?: number
}

/**
 * Settings of the refresh rate limit. It budgets the refreshes Corbado rejects (401/403, or an
 * answer that fails verification), not the attempts: a refresh that succeeds gives its share
 * back, and a refresh-token that refreshed successfully before is never limited. Each unproven
 * call holds its share while in flight, so a burst cannot overshoot; a call that finds the
 * budget held by calls in flight waits for them (up to `refreshTimeoutMs`) rather than failing.
 *
 * @typeParam Req - the framework's request type, given to `clientKey`.
 */
export interface RefreshRateLimitOptions<Req = unknown> {
  /**
   * Rejected upstream refreshes per minute (and burst) for one client: the verified user when the
   * request carries a signature-checked session-token, expired or not, else the client's address
   * (an IPv6 address counts as its /64). Also the most unproven refreshes of one client in
   * flight at once. Default `30`.
   */
  perClientPerMinute?: number
  /**
   * Rejected upstream refreshes per second, all clients together, for requests without a
   * verified session-token; up to 5 seconds' worth may come at once, which is also the most such
   * refreshes in flight at once. Default `20`.
   */
  unprovenPerSecond?: number
  /**
   * The client's identity for `perClientPerMinute` when the request carries no verified
   * session-token; an IPv6 address returned counts as its /64. Default: the client's address as
   * the adapter reports it, which honours the framework's trust-proxy settings: `req.ip`
   * (Express, Koa), `request.ip` (Fastify), `req.socket.remoteAddress` (`node:http`, the proxy);
   * an `X-Forwarded-For` that arrives while trust proxy is off is warned about once.
   */
  clientKey?: (req: Req) => string | undefined
}

/** Defaults of {@link KeepAliveOptions}. */
export const DEFAULTS = Object.freeze({
  refreshBeforeExpirySeconds: 60,
  refreshTimeoutMs: 3000,
  refreshConcurrency: 8,
  sessionCookieName: 'cbo_session_token',
  refreshCookieName: 'cbo_refresh_token',
  verify: true,
  cookie: Object.freeze({ path: '/', secure: true, sameSite: 'lax', httpOnly: false } as const),
  circuitBreaker: Object.freeze({ failureThreshold: 5, cooldownMs: 10_000 }),
  refreshRateLimit: Object.freeze({ perClientPerMinute: 30, unprovenPerSecond: 20 }),
  telemetry: Object.freeze({ enabled: true, includeUserId: false }),
})

/** The accepted range, `[min, max]`, of each integer option; the command line checks its flags against them. */
export const INTEGER_RANGES = Object.freeze({
  refreshBeforeExpirySeconds: [0, 86_400],
  refreshTimeoutMs: [1, 60_000],
  refreshConcurrency: [1, 10_000],
  'refreshRateLimit.perClientPerMinute': [1, 1_000_000],
  'refreshRateLimit.unprovenPerSecond': [1, 1_000_000],
} as const)

/** Cookie names Corbado used before `cbo_session_token` / `cbo_refresh_token`; always read. */
export const LEGACY_SESSION_COOKIE = 'cbo_short_session'
export const LEGACY_REFRESH_COOKIE = 'cbo_long_session'

/** Options after validation and defaulting, with everything derivable precomputed. */
export interface ResolvedOptions<Req> {
  readonly projectId: string
  readonly frontendApiUrl: string
  readonly refreshUrl: string
  readonly jwksUrl: string
  readonly issuers: readonly string[]
  readonly refreshBeforeExpirySeconds: number
  readonly refreshTimeoutMs: number
  readonly refreshConcurrency: number
  readonly sessionCookieName: string
  /** The session cookie's name followed by the legacy name, without duplicates. */
  readonly sessionCookieNames: readonly string[]
  readonly refreshCookieNames: readonly string[]
  readonly cookie: Readonly<Required<Omit<SessionCookieOptions, 'domain'>>> & {
    readonly domain: string | undefined
  }
  readonly verify: boolean
  readonly getRefreshToken:
    ((req: Req) => string | undefined | Promise<string | undefined>) | undefined
  readonly coordinator: RefreshCoordinator | undefined
  readonly shouldRefresh: ((req: Req) => boolean) | undefined
  readonly logger: Logger | undefined
  readonly onRefresh: ((event: RefreshEvent<Req>) => void) | undefined
  readonly onSessionEnded: ((event: SessionEndedEvent<Req>) => void) | undefined
  readonly onError: ((error: KeepAliveError) => void) | undefined
  /** With `circuitBreaker: false`, a threshold no run of failures reaches. */
  readonly circuitBreaker: Readonly<Required<CircuitBreakerOptions>>
  readonly onCircuitChange: ((event: CircuitChangeEvent<Req>) => void) | undefined
  /** `undefined` when disabled with `refreshRateLimit: false`. */
  readonly refreshRateLimit:
    | {
        readonly perClientPerMinute: number
        readonly unprovenPerSecond: number
        readonly clientKey: ((req: Req) => string | undefined) | undefined
      }
    | undefined
  readonly fetch: typeof globalThis.fetch
  /** With `telemetry: false`, `enabled` is `false`. */
  readonly telemetry: { readonly enabled: boolean; readonly includeUserId: boolean }
}

const OPTION_KEYS: KeysEnum<KeepAliveOptions> = {
  projectId: true,
  frontendApiUrl: true,
  refreshBeforeExpirySeconds: true,
  refreshTimeoutMs: true,
  refreshConcurrency: true,
  sessionCookieName: true,
  refreshCookieName: true,
  cookie: true,
  verify: true,
  getRefreshToken: true,
  coordinator: true,
  shouldRefresh: true,
  logger: true,
  onRefresh: true,
  onSessionEnded: true,
  onError: true,
  circuitBreaker: true,
  onCircuitChange: true,
  refreshRateLimit: true,
  fetch: true,
  telemetry: true,
}

const TELEMETRY_KEYS: KeysEnum<TelemetryOptions> = { includeUserId: true }

const CIRCUIT_KEYS: KeysEnum<CircuitBreakerOptions> = { failureThreshold: true, cooldownMs: true }

const RATE_LIMIT_KEYS: KeysEnum<RefreshRateLimitOptions> = {
  perClientPerMinute: true,
  unprovenPerSecond: true,
  clientKey: true,
}

const COOKIE_KEYS: KeysEnum<SessionCookieOptions> = {
  path: true,
  domain: true,
  secure: true,
  sameSite: true,
  httpOnly: true,
}

// RFC 6265 cookie-name: an RFC 7230 token.
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// Path and Domain attribute values must not contain controls or ';' (RFC 6265 §4.1.1).
/** A valid cookie `Path` or `Domain` attribute value. Internal: shared with the gateway's options. */
export const ATTRIBUTE_VALUE = /^[\x20-\x3a\x3c-\x7e]+$/

/**
 * Validate `options` and apply defaults. Throws {@link InvalidOptionError} naming the first bad
 * option. The caller's object is never modified.
 */
export function resolveOptions<Req>(options: KeepAliveOptions<Req>): ResolvedOptions<Req> {
  if (!isPlainObject(options)) {
    throw new InvalidOptionError('options', 'must be an object with at least "projectId"', options)
  }
  rejectUnknownKeys(options, OPTION_KEYS, '')

  const projectId = resolveProjectId(options.projectId)
  const frontendApiUrl = resolveFrontendApiUrl(options.frontendApiUrl, projectId)
  const sessionCookieName = cookieName(
    'sessionCookieName',
    options.sessionCookieName,
    DEFAULTS.sessionCookieName,
  )
  const refreshCookieName = cookieName(
    'refreshCookieName',
    options.refreshCookieName,
    DEFAULTS.refreshCookieName,
  )
  if (sessionCookieName === refreshCookieName) {
    throw new InvalidOptionError(
      'refreshCookieName',
      'must differ from "sessionCookieName"',
      refreshCookieName,
    )
  }

  const issuers = unique([
    new URL(frontendApiUrl).origin,
    `https://${projectId}.frontendapi.corbado.io`,
    `https://${projectId}.frontendapi.cloud.corbado.io`,
  ])

  return Object.freeze({
    projectId,
    frontendApiUrl,
    refreshUrl: `${frontendApiUrl}/v2/me/refresh`,
    jwksUrl: `${frontendApiUrl}/.well-known/jwks`,
    issuers: Object.freeze(issuers),
    refreshBeforeExpirySeconds: integer(
      'refreshBeforeExpirySeconds',
      options.refreshBeforeExpirySeconds,
      DEFAULTS.refreshBeforeExpirySeconds,
      ...INTEGER_RANGES.refreshBeforeExpirySeconds,
    ),
    refreshTimeoutMs: integer(
      'refreshTimeoutMs',
      options.refreshTimeoutMs,
      DEFAULTS.refreshTimeoutMs,
      ...INTEGER_RANGES.refreshTimeoutMs,
    ),
    refreshConcurrency: integer(
      'refreshConcurrency',
      options.refreshConcurrency,
      DEFAULTS.refreshConcurrency,
      ...INTEGER_RANGES.refreshConcurrency,
    ),
    sessionCookieName,
    // Not frozen: V8's optimised code reads a frozen array's elements through a generic call, and
    // every request reads these (about 700 instructions a request on Node 20).
    sessionCookieNames: unique([sessionCookieName, LEGACY_SESSION_COOKIE]),
    refreshCookieNames: unique([refreshCookieName, LEGACY_REFRESH_COOKIE]),
    cookie: resolveCookie(options.cookie),
    verify: boolean('verify', options.verify, DEFAULTS.verify),
    getRefreshToken: optionalFunction('getRefreshToken', options.getRefreshToken),
    coordinator: resolveCoordinator(options.coordinator),
    shouldRefresh: optionalFunction('shouldRefresh', options.shouldRefresh),
    logger: resolveLogger(options.logger),
    onRefresh: optionalFunction('onRefresh', options.onRefresh),
    onSessionEnded: optionalFunction('onSessionEnded', options.onSessionEnded),
    onError: optionalFunction('onError', options.onError),
    circuitBreaker: resolveCircuitBreaker(options.circuitBreaker),
    onCircuitChange: optionalFunction('onCircuitChange', options.onCircuitChange),
    refreshRateLimit: resolveRefreshRateLimit(options.refreshRateLimit),
    fetch: optionalFunction('fetch', options.fetch) ?? globalThis.fetch.bind(globalThis),
    telemetry: resolveTelemetry(options.telemetry),
  })
}

function resolveTelemetry(input: unknown): ResolvedOptions<unknown>['telemetry'] {
  if (input === undefined || input === true) return DEFAULTS.telemetry
  if (input === false) return Object.freeze({ enabled: false, includeUserId: false })
  if (!isPlainObject(input))
    throw new InvalidOptionError('telemetry', 'must be true, false or an object', input)
  rejectUnknownKeys(input, TELEMETRY_KEYS, 'telemetry.')
  return Object.freeze({
    enabled: true,
    includeUserId: boolean(
      'telemetry.includeUserId',
      input.includeUserId,
      DEFAULTS.telemetry.includeUserId,
    ),
  })
}

function resolveCookie(
  input: SessionCookieOptions | undefined,
): ResolvedOptions<unknown>['cookie'] {
  if (input === undefined) return Object.freeze({ ...DEFAULTS.cookie, domain: undefined })
  if (!isPlainObject(input)) throw new InvalidOptionError('cookie', 'must be an object', input)
  rejectUnknownKeys(input, COOKIE_KEYS, 'cookie.')

  // `=== undefined`, not `??`: a `null` is a mistake to report, not a request for the default.
  const path = input.path === undefined ? DEFAULTS.cookie.path : input.path
  if (typeof path !== 'string' || !path.startsWith('/') || !ATTRIBUTE_VALUE.test(path)) {
    throw new InvalidOptionError(
      'cookie.path',
      'must be a path starting with "/", without ";" or control characters',
      path,
    )
  }
  const domain: unknown = input.domain
  if (
    domain !== undefined &&
    (typeof domain !== 'string' ||
      domain === '' ||
      !ATTRIBUTE_VALUE.test(domain) ||
      domain.includes('/'))
  ) {
    throw new InvalidOptionError(
      'cookie.domain',
      'must be a host name such as "example.com"',
      domain,
    )
  }
  const sameSite = input.sameSite === undefined ? DEFAULTS.cookie.sameSite : input.sameSite
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    throw new InvalidOptionError('cookie.sameSite', 'must be "lax", "strict" or "none"', sameSite)
  }
  const secure = boolean('cookie.secure', input.secure, DEFAULTS.cookie.secure)
  if (sameSite === 'none' && !secure) {
    throw new InvalidOptionError(
      'cookie.sameSite',
      'may be "none" only with "cookie.secure" true: browsers reject it otherwise',
      sameSite,
    )
  }
  return Object.freeze({
    path,
    domain,
    secure,
    sameSite,
    httpOnly: boolean('cookie.httpOnly', input.httpOnly, DEFAULTS.cookie.httpOnly),
  })
}

function resolveCircuitBreaker(input: unknown): ResolvedOptions<unknown>['circuitBreaker'] {
  if (input === undefined) return DEFAULTS.circuitBreaker
  if (input === false) return Object.freeze({ failureThreshold: Infinity, cooldownMs: 0 })
  if (!isPlainObject(input))
    throw new InvalidOptionError('circuitBreaker', 'must be an object or false', input)
  rejectUnknownKeys(input, CIRCUIT_KEYS, 'circuitBreaker.')
  return Object.freeze({
    failureThreshold: integer(
      'circuitBreaker.failureThreshold',
      input.failureThreshold,
      DEFAULTS.circuitBreaker.failureThreshold,
      1,
      1_000_000,
    ),
    cooldownMs: integer(
      'circuitBreaker.cooldownMs',
      input.cooldownMs,
      DEFAULTS.circuitBreaker.cooldownMs,
      1,
      3_600_000,
    ),
  })
}

function resolveRefreshRateLimit<Req>(
  input: RefreshRateLimitOptions<Req> | false | undefined,
): ResolvedOptions<Req>['refreshRateLimit'] {
  if (input === false) return undefined
  if (input !== undefined && !isPlainObject(input)) {
    throw new InvalidOptionError('refreshRateLimit', 'must be an object or false', input)
  }
  if (input !== undefined) rejectUnknownKeys(input, RATE_LIMIT_KEYS, 'refreshRateLimit.')
  const settings: RefreshRateLimitOptions<Req> | undefined = input
  const defaults = DEFAULTS.refreshRateLimit
  return Object.freeze({
    perClientPerMinute: integer(
      'refreshRateLimit.perClientPerMinute',
      settings?.perClientPerMinute,
      defaults.perClientPerMinute,
      ...INTEGER_RANGES['refreshRateLimit.perClientPerMinute'],
    ),
    unprovenPerSecond: integer(
      'refreshRateLimit.unprovenPerSecond',
      settings?.unprovenPerSecond,
      defaults.unprovenPerSecond,
      ...INTEGER_RANGES['refreshRateLimit.unprovenPerSecond'],
    ),
    clientKey: optionalFunction('refreshRateLimit.clientKey', settings?.clientKey),
  })
}

function resolveCoordinator(input: unknown): RefreshCoordinator | undefined {
  if (input === undefined) return undefined
  if (!isCoordinator(input)) {
    throw new InvalidOptionError(
      'coordinator',
      'must have a "coordinate" method (a MemoryCoordinator or RedisCoordinator)',
      input,
    )
  }
  return input
}

function isCoordinator(value: unknown): value is RefreshCoordinator {
  return hasMethods(value, ['coordinate'])
}

function cookieName(name: string, input: unknown, fallback: string): string {
  if (input === undefined) return fallback
  if (typeof input !== 'string' || !COOKIE_NAME.test(input)) {
    throw new InvalidOptionError(name, 'must be a valid cookie name', input)
  }
  return input
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}
