/**
 * Every error this package creates is a {@link KeepAliveError} with a stable `code`, so callers
 * can `switch (error.code)`. Messages name the option or the component at fault and never contain
 * a token or refresh-token value.
 *
 * @module
 */

/** The stable codes of {@link KeepAliveError}. */
export type KeepAliveErrorCode =
  | 'ERR_KEEPALIVE_INVALID_OPTION'
  | 'ERR_KEEPALIVE_REFRESH_FAILED'
  | 'ERR_KEEPALIVE_HOOK_FAILED'
  | 'ERR_KEEPALIVE_COORDINATOR_FAILED'

/** Base class of every error thrown or reported by corbado-keepalive. */
export class KeepAliveError extends Error {
  /** Stable, machine-readable code. */
  readonly code: KeepAliveErrorCode

  constructor(code: KeepAliveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/**
 * An option passed to a factory is missing, of the wrong type, out of range or unknown.
 * Thrown at construction, never per request.
 */
export class InvalidOptionError extends KeepAliveError {
  /** The option's path, e.g. `"refreshTimeoutMs"` or `"cookie.sameSite"`. */
  readonly option: string

  constructor(option: string, message: string) {
    super('ERR_KEEPALIVE_INVALID_OPTION', `corbado-keepalive: "${option}" ${message}`)
    this.option = option
  }
}

/**
 * Why a refresh failed without ending the session. All of these are transient: the request is
 * served ("fail open") and a later request tries again.
 *
 * - `network`: the Frontend API could not be reached (DNS, refused, reset).
 * - `timeout`: no answer within `refreshTimeoutMs`.
 * - `rate-limited`: the Frontend API answered 429.
 * - `upstream-error`: the Frontend API answered 5xx.
 * - `unexpected-status`: any other status that is neither 200 nor 401/403 (e.g. 400 for a wrong
 *   project ID, which is a misconfiguration worth an alert).
 * - `bad-response`: 200 with a body that is not JSON or carries no token.
 * - `unverifiable-token`: the new token failed verification (signature, issuer, expiry).
 * - `subject-mismatch`: the new token is valid but belongs to another user than the session-token
 *   the request presented (e.g. a refresh-token cookie of another account, tossed in from a
 *   sibling subdomain). The request keeps its own session or is served anonymous; the result is
 *   still given to requests of the refresh-token's owner. Not counted by the circuit breaker.
 * - `circuit-open`: refreshes are paused after repeated failures; nothing was sent.
 * - `throttled`: the refresh-token has not refreshed successfully before and its client (or all
 *   such clients together) used up `refreshRateLimit`'s budget of rejected refreshes; nothing
 *   was sent.
 * - `coordinator-error`: the `coordinator` threw or rejected (a bug in it: coordinators must
 *   fall back to refreshing themselves); reported once per request to `logger` and `onError`.
 */
export type RefreshFailureReason =
  | 'network'
  | 'timeout'
  | 'rate-limited'
  | 'upstream-error'
  | 'unexpected-status'
  | 'bad-response'
  | 'unverifiable-token'
  | 'subject-mismatch'
  | 'circuit-open'
  | 'throttled'
  | 'coordinator-error'

/** All {@link RefreshFailureReason} values, in a stable order (for stats and docs). */
export const REFRESH_FAILURE_REASONS: readonly RefreshFailureReason[] = Object.freeze([
  'network',
  'timeout',
  'rate-limited',
  'upstream-error',
  'unexpected-status',
  'bad-response',
  'unverifiable-token',
  'subject-mismatch',
  'circuit-open',
  'throttled',
  'coordinator-error',
])

/** A refresh failed transiently; the session was kept (fail open). Reported to `onError`. */
export class RefreshFailedError extends KeepAliveError {
  /** Why the refresh failed. */
  readonly reason: RefreshFailureReason
  /** The Frontend API's HTTP status, when it answered. */
  readonly status: number | undefined

  constructor(
    reason: RefreshFailureReason,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(
      'ERR_KEEPALIVE_REFRESH_FAILED',
      `corbado-keepalive: refresh failed (${reason}): ${message}`,
      {
        cause: options?.cause,
      },
    )
    this.reason = reason
    this.status = options?.status
  }
}

/** A user-supplied hook (`onRefresh`, `onSessionEnded`, `getRefreshToken`, …) threw. */
export class HookFailedError extends KeepAliveError {
  /** The hook's option name. */
  readonly hook: string

  constructor(hook: string, cause: unknown) {
    super('ERR_KEEPALIVE_HOOK_FAILED', `corbado-keepalive: the "${hook}" hook threw`, { cause })
    this.hook = hook
  }
}
